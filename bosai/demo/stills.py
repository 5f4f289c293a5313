"""Camera stills for the demo, drawn with Pillow: a river or road whose water rises with the gauge level."""

from __future__ import annotations

import io
import random
from datetime import datetime
from typing import Final

from PIL import Image, ImageDraw, ImageFont

SIZE: Final = (320, 180)
_SKY: Final = (120, 128, 138)
_BANK: Final = (88, 110, 72)
_WATER: Final = (122, 104, 74)  # muddy flood water
_ROAD: Final = (70, 70, 74)


def water_fraction(level_m: float, thresholds_m: dict[str, float]) -> float:
    """0 at the standby level's half, 1 at 115 % of the danger level: how far up the frame water reaches."""
    low, high = thresholds_m["standby"] * 0.5, thresholds_m["danger"] * 1.15
    return min(max((level_m - low) / (high - low), 0.0), 1.0)


def render_still(label: str, kind: str, at: datetime, water: float, *, seed: int = 0) -> bytes:
    """A small JPEG (well under 30 KB): scene, rain streaks by the seed, and a timestamp caption."""
    w, h = SIZE
    img = Image.new("RGB", SIZE, _SKY)
    draw = ImageDraw.Draw(img)
    horizon = int(h * 0.35)
    draw.polygon([(0, horizon), (w * 0.3, horizon - 25), (w * 0.6, horizon - 10), (w, horizon - 30), (w, horizon),
                  (0, horizon)], fill=(70, 84, 70))
    if kind == "road":
        draw.rectangle([0, horizon, w, h], fill=_BANK)
        draw.polygon([(w * 0.42, horizon), (w * 0.58, horizon), (w * 0.95, h), (w * 0.05, h)], fill=_ROAD)
        for y in range(horizon + 10, h, 22):
            draw.line([(w / 2, y), (w / 2, y + 10)], fill=(230, 230, 210), width=2)
        depth = max(water - 0.5, 0.0) * 2  # the road floods only in the upper half of the range
        if depth > 0:
            top = int(h - depth * (h - horizon) * 0.8)
            draw.rectangle([0, top, w, h], fill=_WATER)
    else:
        draw.rectangle([0, horizon, w, h], fill=_BANK)
        top = int(h - (0.25 + 0.7 * water) * (h - horizon))
        draw.rectangle([0, top, w, h], fill=_WATER)
        draw.line([(0, top), (w, top)], fill=(160, 140, 110), width=2)
    rng = random.Random(seed)
    for _ in range(60):
        x, y = rng.randrange(w), rng.randrange(h)
        draw.line([(x, y), (x - 3, y + 9)], fill=(200, 205, 210), width=1)
    font = ImageFont.load_default()
    draw.rectangle([0, h - 16, w, h], fill=(0, 0, 0))
    draw.text((4, h - 14), f"{at:%Y-%m-%d %H:%M} JST  {label.encode('ascii', 'ignore').decode()}".rstrip(),
              fill=(255, 255, 255), font=font)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=60, optimize=True)
    return out.getvalue()
