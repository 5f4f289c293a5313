"""Render an alert in one of nine languages from the gettext catalogs (templates with named slots)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, format_skeleton
from babel.numbers import format_decimal

from kernel.languages import REGISTRY
from kernel.published import Alert
from publish.catalog import LANGUAGES, check_language, has_message, message
from publish.colors import level_meaning, level_words
from publish.events import INTENSITY_LABELS, THRESHOLDS
from publish.places import localize_place, localize_places
from publish.speech import speech_form

__all__ = ["LANGUAGES", "RenderedAlert", "format_time", "has_level", "render_alert"]

TOKYO: Final = ZoneInfo("Asia/Tokyo")
BABEL_LOCALES: Final = {lang.code: lang.babel_locale for lang in REGISTRY}
# How the day is written; the catalog entry format.datetime puts it and the clock time in the order
# (and with the prepositions) of the language: "19:40 on Sep 12", "19:40 do dia 12 de setembro".
DATE_SKELETONS: Final = {"ja": "MMMd", "ja-easy": "MMMd", "en": "MMMd", "zh-Hans": "MMMd", "ko": "MMMd"}
DATE_PATTERNS: Final = {"pt": "d 'de' MMMM", "es": "d 'de' MMMM", "vi": "d 'tháng' M", "tl": "'ika-'d 'ng' MMMM"}
HEADLINES: Final = {"issued": "headline.issued", "lifted": "headline.lifted", "earthquake": "headline.earthquake",
                    "gauge_up": "headline.gauge_up", "gauge_down": "headline.gauge_down",
                    "incident": "headline.incident", "info": "headline.info",
                    "evacuation": "headline.issued", "evacuation_lifted": "headline.lifted"}
DESCRIPTIONS: Final = {"issued": "description.issued", "lifted": "description.lifted",
                       "earthquake": "description.earthquake", "gauge_up": "description.gauge_up",
                       "gauge_down": "description.gauge_down", "incident": "description.incident",
                       "info": "description.info", "evacuation": "description.evacuation",
                       "evacuation_lifted": "description.evacuation_lifted"}
SOURCES: Final = {"jma": "source.jma", "gauge": "source.gauge", "incident": "source.incident",
                   "municipality": "source.municipality"}  # 出典：津市 (the municipality named in slot place)
# Kinds whose headline gets the 警戒レベル in front (a lifted warning or an all-clear has none).
LEVEL_HEADLINE_KINDS: Final = frozenset({"issued", "gauge_up", "gauge_down", "evacuation"})
# Kinds that end something: the all-clear instruction, never a level's action.
LIFTED_KINDS: Final = frozenset({"lifted", "evacuation_lifted"})
# Hazards whose all-clear points at the sea rather than at rivers and slopes.
COASTAL_HAZARDS: Final = frozenset({"storm_surge", "waves", "high_wave"})
# Sentences of one instruction are joined without a space in Chinese and standard Japanese.
NO_SPACE_LANGS: Final = frozenset(lang.code for lang in REGISTRY if lang.no_space)


@dataclass(frozen=True, slots=True)
class RenderedAlert:
    """An alert's texts in one language, ready for CAP, feeds, e-mail, screen readers and speech.

    ``level_text`` is empty when the alert has no 警戒レベル (tsunami, earthquake, lifted, incident, info),
    so that no "No alert level" phrase is put in front of an urgent action.
    """

    alert_id: str
    lang: str
    event: str
    headline: str
    description: str
    instruction: str
    area_desc: str
    sender_name: str
    source_label: str
    level_text: str
    accessible_text: str
    speech_text: str


def _aware(value: datetime | str) -> datetime:
    """A timezone-aware datetime (naive values are UTC, as Babel assumes)."""
    dt = datetime.fromisoformat(value) if isinstance(value, str) else value
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def _easy_clock(dt: datetime) -> str:
    """午前0時 for midnight, 午後7時 without a needless 0分, 午後3時5分 otherwise (やさしい日本語)."""
    local = dt.astimezone(TOKYO)
    half = "午前" if local.hour < 12 else "午後"
    minutes = f"{local.minute}分" if local.minute else ""
    return f"{half}{local.hour % 12}時{minutes}"


def format_time(value: datetime | str, lang: str) -> str:
    """A time in Japan, as readers of ``lang`` write it: "19:40 on Sep 12", "9月12日 午後7時" ..."""
    dt = _aware(value)
    locale = BABEL_LOCALES[check_language(lang)]
    if lang in DATE_PATTERNS:
        date = format_datetime(dt, DATE_PATTERNS[lang], tzinfo=TOKYO, locale=locale)
    else:
        date = format_skeleton(DATE_SKELETONS[lang], dt, tzinfo=TOKYO, locale=locale)
    clock = _easy_clock(dt) if lang == "ja-easy" else format_skeleton("Hm", dt, tzinfo=TOKYO, locale=locale)
    return message(lang, "format.datetime", date=date, clock=clock)


def has_level(level: int | None) -> bool:
    """Whether ``level`` is a 警戒レベル (1-5) that should be stated."""
    return level is not None and 1 <= level <= 5


def _event(slots: Mapping[str, Any], lang: str) -> str:
    key = f"term.{slots.get('event_key')}"
    if slots.get("event_key") and has_message(lang, key):
        return message(lang, key)
    return message(lang, "term.other_event", name=slots.get("event_name", ""))


def _intensity(code: str | None, lang: str) -> str:
    label = INTENSITY_LABELS.get(code or "")
    return message(lang, f"term.{label}") if label else str(code or "")


def _threshold(name: str | None, lang: str) -> str:
    msgid = THRESHOLDS.get(name or "", ("", 0))[0]
    return message(lang, msgid) if msgid else str(name or "")


def _time(alert: Alert, slots: Mapping[str, Any]) -> datetime | str:
    """When it happened: an earthquake's origin time, else the time the source gave, else when it was sent."""
    return slots.get("origin_time") or slots.get("time") or alert.sent


def _station(slots: Mapping[str, Any]) -> str:
    """The gauge's own name: gauges are named 「雲出川 大仰」, and the templates already name the river."""
    station, river = str(slots.get("station") or ""), str(slots.get("river") or "")
    rest = station.removeprefix(river).strip() if river else station
    return rest or station


def _fill(alert: Alert, lang: str) -> dict[str, str]:
    """Every slot a template may use, localised."""
    slots = alert.slots
    names = [str(a.get("name") or a.get("code") or "") for a in alert.areas]
    names += [str(t) for t in slots.get("towns") or []]  # an evacuation order's towns, after their city
    level_m = slots.get("level_m")
    hazard = f"hazard.{slots.get('hazard', alert.hazard)}"
    return {
        "event": _event(slots, lang),
        "area": localize_places(names, lang),
        "time": format_time(_time(alert, slots), lang),
        "intensity": _intensity(slots.get("intensity"), lang),
        "river": localize_place(str(slots.get("river") or ""), lang),
        "station": localize_place(_station(slots), lang),
        "threshold": _threshold(slots.get("threshold"), lang),
        "level_m": format_decimal(level_m, "0.00", locale=BABEL_LOCALES[lang]) if level_m is not None else "-",
        "hazard": message(lang, hazard) if has_message(lang, hazard) else str(alert.hazard),
        "place": localize_place(str(slots.get("place") or ""), lang),
        "info_text": str(slots.get("info_text") or slots.get("event_name") or ""),
    }


def _sentences(lang: str, *texts: str) -> str:
    return ("" if lang in NO_SPACE_LANGS else " ").join(texts)


def _tsunami_instruction(key: str, kind: str, lang: str) -> str:
    """JMA's tsunami actions: high ground for a warning, out of the water for an advisory, the coast after."""
    if kind == "lifted":
        return message(lang, "instruction.tsunami_allclear")
    if key == "tsunami_advisory":
        return message(lang, "term.leave_sea_and_coast")
    return _sentences(lang, message(lang, "term.tsunami_evacuate_to_high_ground"),
                      message(lang, "term.tsunami_repeat_stay_safe"))


def _instruction(alert: Alert, kind: str, lang: str) -> str:
    slots = alert.slots
    if alert.hazard == "tsunami":
        return _tsunami_instruction(str(slots.get("event_key") or ""), kind, lang)
    if kind in LIFTED_KINDS or (kind == "gauge_down" and (alert.level or 0) < 2):
        if alert.hazard in COASTAL_HAZARDS:
            return message(lang, "instruction.coast_allclear")
        if alert.hazard in ("heavy_rain", "flood", "landslide"):
            return message(lang, "instruction.allclear")
        return message(lang, "instruction.default")
    if kind == "earthquake":
        return message(lang, "term.watch_strong_shaking")
    if kind == "incident":  # confirmed damage has no 警戒レベル: say what to do about this hazard
        key = f"instruction.incident_{alert.hazard}"
        return message(lang, key if has_message(lang, key) else "instruction.incident_other_damage")
    if alert.level is not None and 2 <= alert.level <= 5:
        return message(lang, f"instruction.level{alert.level}")
    return message(lang, "instruction.default")


def _headline(alert: Alert, kind: str, lang: str, slots: dict[str, str]) -> str:
    """The headline, with the 警戒レベル in front so a mild-sounding name cannot hide a high level."""
    headline = message(lang, HEADLINES.get(kind, "headline.issued"), **slots)
    key = str(alert.slots.get("event_key") or "")
    leveled = alert.level is not None and 2 <= alert.level <= 5
    if kind in LEVEL_HEADLINE_KINDS and leveled and not key.startswith("level"):  # level2_... names say it
        return message(lang, "headline.with_level", level=level_words(alert.level, lang), headline=headline)
    return headline


def render_alert(alert: Alert, lang: str) -> RenderedAlert:
    """All texts of ``alert`` in ``lang`` (one of LANGUAGES); unknown slots fall back to the raw value."""
    check_language(lang)
    kind = str(alert.slots.get("kind") or "issued")
    slots = _fill(alert, lang)
    plain_headline = message(lang, HEADLINES.get(kind, "headline.issued"), **slots)
    headline = _headline(alert, kind, lang, slots)
    description = message(lang, DESCRIPTIONS.get(kind, "description.issued"), **slots)
    instruction = _instruction(alert, kind, lang)
    source_label = message(lang, SOURCES.get(alert.source, "source.jma"), **(
        {"place": slots["place"]} if alert.source == "municipality" else {}))
    sender = message(lang, "sender.name")
    if has_level(alert.level):
        level_text = level_words(alert.level, lang)
        accessible = message(lang, "accessible.text", level=level_text, meaning=level_meaning(alert.level, lang),
                             headline=plain_headline, description=description, instruction=instruction,
                             source=source_label)
        speech = message(lang, "speech.text", sender=sender, level=level_text, headline=plain_headline,
                         instruction=instruction)
    else:  # no 警戒レベル: the action comes first, and no "no level" phrase is said
        level_text = ""
        accessible = message(lang, "accessible.text_nolevel", headline=plain_headline, description=description,
                             instruction=instruction, source=source_label)
        speech = message(lang, "speech.text_nolevel", sender=sender, headline=plain_headline,
                         instruction=instruction)
    event = {"gauge_up": slots["threshold"], "gauge_down": slots["threshold"],
             "incident": slots["hazard"]}.get(kind, slots["event"])
    return RenderedAlert(alert_id=alert.id, lang=lang, event=event, headline=headline, description=description,
                         instruction=instruction, area_desc=slots["area"], sender_name=sender,
                         source_label=source_label, level_text=level_text, accessible_text=accessible,
                         speech_text=speech_form(speech))
