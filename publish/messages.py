"""Render an alert in one of nine languages from the gettext catalogs (templates with named slots)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, format_skeleton
from babel.numbers import format_decimal

from bosai.store.models import AlertRow
from publish.catalog import LANGUAGES, check_language, has_message, message
from publish.colors import level_meaning, level_words
from publish.events import INTENSITY_LABELS, THRESHOLDS
from publish.places import localize_place, localize_places
from publish.speech import speech_form

__all__ = ["LANGUAGES", "RenderedAlert", "format_time", "render_alert"]

TOKYO: Final = ZoneInfo("Asia/Tokyo")
BABEL_LOCALES: Final = {"ja": "ja", "ja-easy": "ja", "en": "en", "pt": "pt_BR", "zh-Hans": "zh_Hans_CN",
                        "ko": "ko", "es": "es", "tl": "fil", "vi": "vi"}
HEADLINES: Final = {"issued": "headline.issued", "lifted": "headline.lifted", "earthquake": "headline.earthquake",
                    "gauge_up": "headline.gauge_up", "gauge_down": "headline.gauge_down",
                    "incident": "headline.incident"}
DESCRIPTIONS: Final = {"issued": "description.issued", "lifted": "description.lifted",
                       "earthquake": "description.earthquake", "gauge_up": "description.gauge_up",
                       "gauge_down": "description.gauge_down", "incident": "description.incident"}
SOURCES: Final = {"jma": "source.jma", "gauge": "source.gauge", "incident": "source.incident"}


@dataclass(frozen=True, slots=True)
class RenderedAlert:
    """An alert's texts in one language, ready for CAP, feeds, e-mail, screen readers and speech."""

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


def format_time(value: datetime | str, lang: str) -> str:
    """A time in Japan, written the way readers of ``lang`` expect (やさしい日本語: 9月12日 午後7時55分)."""
    dt = datetime.fromisoformat(value) if isinstance(value, str) else value
    if lang == "ja-easy":
        return format_datetime(dt, "M月d日 ah時m分", tzinfo=TOKYO, locale="ja")
    locale = BABEL_LOCALES[lang]
    day = format_skeleton("MMMd", dt, tzinfo=TOKYO, locale=locale)
    return f"{day} {format_skeleton('Hm', dt, tzinfo=TOKYO, locale=locale)}"


def _event(slots: dict[str, Any], lang: str) -> str:
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


def _fill(alert: AlertRow, lang: str) -> dict[str, str]:
    """Every slot a template may use, localised."""
    slots = alert.slots or {}
    names = [str(a.get("name") or a.get("code") or "") for a in alert.areas]
    level_m = slots.get("level_m")
    return {
        "event": _event(slots, lang),
        "area": localize_places(names, lang),
        "time": format_time(slots.get("time") or alert.sent, lang),
        "intensity": _intensity(slots.get("intensity"), lang),
        "river": localize_place(str(slots.get("river") or ""), lang),
        "station": localize_place(str(slots.get("station") or ""), lang),
        "threshold": _threshold(slots.get("threshold"), lang),
        "level_m": format_decimal(level_m, "0.00", locale=BABEL_LOCALES[lang]) if level_m is not None else "-",
        "hazard": message(lang, f"hazard.{slots.get('hazard', alert.hazard)}")
        if has_message(lang, f"hazard.{slots.get('hazard', alert.hazard)}") else str(alert.hazard),
        "place": localize_place(str(slots.get("place") or ""), lang),
    }


def _instruction(alert: AlertRow, kind: str, lang: str) -> str:
    if kind == "lifted" or (kind == "gauge_down" and (alert.level or 0) < 2):
        return message(lang, "instruction.allclear")
    if alert.hazard == "tsunami":
        return message(lang, "term.tsunami_evacuate_to_high_ground")
    if kind == "earthquake":
        return message(lang, "term.watch_strong_shaking")
    if alert.level is not None and 2 <= alert.level <= 5:
        return message(lang, f"instruction.level{alert.level}")
    return message(lang, "instruction.default")


def render_alert(alert: AlertRow, lang: str) -> RenderedAlert:
    """All texts of ``alert`` in ``lang`` (one of LANGUAGES); unknown slots fall back to the raw value."""
    check_language(lang)
    kind = str((alert.slots or {}).get("kind") or "issued")
    slots = _fill(alert, lang)
    headline = message(lang, HEADLINES.get(kind, "headline.issued"), **slots)
    description = message(lang, DESCRIPTIONS.get(kind, "description.issued"), **slots)
    instruction = _instruction(alert, kind, lang)
    source_label = message(lang, SOURCES.get(alert.source, "source.jma"))
    sender = message(lang, "sender.name")
    level_text = level_words(alert.level, lang)
    accessible = message(lang, "accessible.text", level=level_text, meaning=level_meaning(alert.level, lang),
                         headline=headline, description=description, instruction=instruction,
                         source=source_label)
    speech = message(lang, "speech.text", sender=sender, headline=headline, instruction=instruction,
                     level=level_text)
    event = {"gauge_up": slots["threshold"], "gauge_down": slots["threshold"],
             "incident": slots["hazard"]}.get(kind, slots["event"])
    return RenderedAlert(alert_id=alert.id, lang=lang, event=event, headline=headline, description=description,
                         instruction=instruction, area_desc=slots["area"], sender_name=sender,
                         source_label=source_label, level_text=level_text, accessible_text=accessible,
                         speech_text=speech_form(speech))
