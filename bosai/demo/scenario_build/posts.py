"""Compose the demo day's posts from the sentence banks, real Mie towns and shelters (seeded, deterministic)."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Final

from bosai.demo.scenario_build.keys import incident_key
from bosai.demo.scenario_build.posts_bank import FOREIGN, HOSTILE, ROADS, TOPICS, VIRAL, VIRAL_VARIANTS
from kernel import reference

# Flood topics draw their towns near the river that rises: (lat, lng, radius km).
NEAR: Final = {"flood_kumozu": (34.66, 136.45, 5.0), "flood_ano_shitomo": (34.735, 136.50, 3.0),
               "flood_tsu_early": (34.72, 136.505, 2.0), "landslide_misato": (34.745, 136.37, 4.0)}
_CHANNELS: Final = (("x", 0.55), ("mastodon", 0.30), ("webhook", 0.15))
_PREFIX: Final = ("", "", "", "今、", "やばい。", "【速報】", "え、")
_SUFFIX: Final = ("", "", "。", "！", "…", " #三重 #大雨", " #台風", "😨", " 気をつけて")
_ROMAJI: Final = {"津市": "Tsu", "鈴鹿市": "Suzuka", "四日市市": "Yokkaichi", "伊賀市": "Iga"}
_NAMES: Final = ("mie", "tsu", "ise", "suzu", "kame", "yokka", "matsu", "iga", "nabari", "toba", "shima", "kumano")
_WORDS: Final = ("taro", "hana", "neko", "sora", "umi", "kaze", "mikan", "ramen", "yuki", "riku", "mama", "papa")


def _load(name: str) -> tuple[dict[str, str], ...]:
    return reference.current().rows(name)


def _near_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """A flat-earth "is it near the river" test, not a distance: the shipped scenario was drawn with it
    (kernel.reference.haversine_km would move one town in or out of a circle and so change the scenario)."""
    return math.hypot((lat1 - lat2) * 111.0, (lng1 - lng2) * 91.0)


class PostComposer:
    """Fills topic templates with places and spreads the posts over their time windows."""

    def __init__(self, day: datetime, seed: int) -> None:
        self.day, self.rng = day, random.Random(seed)
        self.towns: dict[str, list[dict[str, str]]] = {}
        for row in _load("towns.csv"):
            if row["town"] and not row["koaza"]:
                self.towns.setdefault(row["municipality"].split("郡")[-1], []).append(row)
        self.shelters: dict[str, list[str]] = {}
        for row in _load("shelters.csv"):
            if row["kind"] in ("shelter", "both"):
                self.shelters.setdefault(row["municipality"].split("郡")[-1], []).append(row["name"])
        self.posts: list[dict[str, Any]] = []

    def _time(self, windows: tuple[str, ...]) -> datetime:
        start, end = self.rng.choice(windows).split("-")
        lo, hi = (self.day.replace(hour=int(t[:2]), minute=int(t[3:])) for t in (start, end))
        return lo + timedelta(seconds=self.rng.randrange(int((hi - lo).total_seconds())))

    def _town(self, muni: str, topic: str) -> dict[str, str]:
        towns = self.towns[muni]
        if topic in NEAR:
            lat, lng, radius = NEAR[topic]
            towns = [t for t in towns if _near_km(float(t["lat"]), float(t["lng"]), lat, lng) <= radius] or towns
        return self.rng.choice(towns)

    def _fill(self, template: str, muni: str, topic: str) -> tuple[str, dict[str, str], dict[str, str]]:
        """The text, its town row, and the slot values (for the post's true incident key)."""
        town = self._town(muni, topic)
        slots = {"town": town["town"], "muni": muni, "n": str(self.rng.randint(2, 9)),
                 "road": self.rng.choice(ROADS.get(muni, ("国道23号",))),
                 "shelter": self.rng.choice(self.shelters.get(muni, ["公民館"]))}
        return template.format(**slots), town, slots

    @staticmethod
    def _key(expect: dict[str, Any], template: str, slots: dict[str, str]) -> Callable[[str], str | None]:
        return lambda pid: incident_key(expect["label"], expect["categories"], template, slots, pid)

    def _add(self, at: datetime, text: str, lang: str, expect: dict[str, Any], town: dict[str, str] | None,
             topic: str, *, repost_of: str | None = None, media: bool = False,
             key: Callable[[str], str | None] | None = None) -> str:
        pid = f"p{len(self.posts) + 1:04d}"
        channel = self.rng.choices([c for c, _ in _CHANNELS], [w for _, w in _CHANNELS])[0]
        geo = None
        if town is not None and lang == "ja" and self.rng.random() < 0.25:
            geo = [round(float(town["lat"]) + self.rng.uniform(-0.002, 0.002), 6),
                   round(float(town["lng"]) + self.rng.uniform(-0.002, 0.002), 6)]
        author = f"{self.rng.choice(_NAMES)}_{self.rng.choice(_WORDS)}{self.rng.randint(1, 999)}"
        self.posts.append({
            "id": pid, "time": at.isoformat(), "channel": channel, "author": author, "text": text, "lang": lang,
            "geo": geo, "media": [f"{pid}.jpg"] if media else [], "repost_of": repost_of, "topic": topic,
            "expect": expect, "incident_key": key(pid) if key is not None else None})
        return pid

    def compose(self) -> list[dict[str, Any]]:
        """Every post of the day, sorted by time (ties by id)."""
        for topic, (label, cats, windows, munis, count, templates) in TOPICS.items():
            for _ in range(count):
                muni = self.rng.choice(munis)
                template = self.rng.choice(templates)
                text, town, slots = self._fill(template, muni, topic)
                if label == "disaster":
                    text = self.rng.choice(_PREFIX) + text + self.rng.choice(_SUFFIX)
                media = label == "disaster" and self.rng.random() < 0.2
                expect = {"label": label, "categories": list(cats)}
                self._add(self._time(windows), text, "ja", expect, town, topic, media=media,
                          key=self._key(expect, template, slots))
        self._viral()
        for lang, label, template in FOREIGN * 2:
            muni = self.rng.choice(list(_ROMAJI))
            text, town, slots = self._fill(template.replace("{muni}", _ROMAJI[muni]), muni, "foreign")
            expect = {"label": label, "categories": []}
            self._add(self._time(("09:00-18:00",)), text, lang, expect, town, "foreign",
                      key=self._key(expect, template, slots))
        for template in HOSTILE:
            text, town, slots = self._fill(template, "津市", "hostile")
            expect = {"label": "disaster", "categories": []}
            self._add(self._time(("09:30-15:00",)), text, "ja", expect, town, "hostile",
                      key=self._key(expect, template, slots))
        self.posts.sort(key=lambda p: (p["time"], p["id"]))
        return self.posts

    def _viral(self) -> None:
        template, muni, hhmm, copies = VIRAL
        text, town, slots = self._fill(template, muni, "flood_ano_shitomo")
        at = self.day.replace(hour=int(hhmm[:2]), minute=int(hhmm[3:]))
        expect = {"label": "disaster", "categories": ["flood", "road_blocked"]}
        key = self._key(expect, template, slots)  # the copies are the same incident as the post they copy
        first = self._add(at, text, "ja", expect, town, "viral", media=True, key=key)
        for i in range(copies):
            variant = self.rng.choice(VIRAL_VARIANTS).format(text=text)
            later = at + timedelta(seconds=30 + i * self.rng.randint(20, 120))
            repost_of = first if variant.startswith("RT") else None
            self._add(later, variant, "ja", expect, None, "viral", repost_of=repost_of, key=key)
