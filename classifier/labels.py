"""Label and category names: the one place the taxonomy of SPEC section 4 is written down."""

from __future__ import annotations

LABELS: tuple[str, ...] = ("other", "disaster")
DISASTER = "disaster"
OTHER = "other"

CATEGORIES: tuple[str, ...] = (
    "flood",
    "landslide",
    "earthquake",
    "tsunami",
    "fire",
    "road_blocked",
    "power_water_outage",
    "casualty_rescue",
    "evacuation_shelter",
    "other_damage",
)
HEAD_NAMES: tuple[str, ...] = (DISASTER, *CATEGORIES)  # the model's outputs, in order


def check_categories(names: list[str]) -> list[str]:
    """Return the names unchanged when every one is a known category, else raise ValueError."""
    unknown = [n for n in names if n not in CATEGORIES]
    if unknown:
        raise ValueError(f"unknown categories: {unknown}; known: {list(CATEGORIES)}")
    return names
