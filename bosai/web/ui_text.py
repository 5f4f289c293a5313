"""Labels of the public page per language (page furniture only), read from the ``pages`` gettext catalogs.

The texts live in ``i18n/<dir>/LC_MESSAGES/pages.po`` under the ids ``ui.<key>``, ``section.<key>`` and
``hazard_name.<key>`` (alert texts are in the ``bosai`` domain). The non-Japanese labels were written by the
project and await review by native speakers (i18n/README.md).
"""

from __future__ import annotations

from typing import Final

from kernel.languages import REGISTRY
from publish.catalog import CATALOG_DIRS, PAGES_DOMAIN, message

LANGUAGE_NAMES: Final = {lang.code: lang.name for lang in REGISTRY}  # kernel.languages
HTML_LANG: Final = {lang.code: lang.html_lang for lang in REGISTRY}
FALLBACK: Final = "en"  # the labels of a language we do not know

# The page's frame, headings and empty states, and the archive of past alerts.
UI_KEYS: Final = ("title", "alerts", "no_alerts", "warnings", "no_warnings", "shelters", "shelters_note",
                  "rivers", "no_rivers", "river", "station", "water_level", "level", "credits", "accessible",
                  "archive", "archive_note", "no_archive", "languages")
# The sections of the public page (issue 18 §2): headings, empty states, buttons and short labels.
SECTION_KEYS: Final = (
    "sections", "evacuations", "no_evacuations", "whole_area", "near_button", "locating", "geo_error", "open_now",
    "no_open", "nearest_designated", "status_open", "status_full", "status_closed", "chart", "forecast",
    "forecast_error", "cameras", "no_cameras", "stale", "taken", "quake", "no_quake", "hypocenter", "magnitude",
    "intensity", "tsunami", "no_tsunami", "updated", "observed", "thresholds")
# What a shelter is designated for (the columns of shelters.csv) and the reasons of evacuation orders.
HAZARD_KEYS: Final = ("flood", "landslide", "storm_surge", "earthquake", "tsunami", "fire", "inland_flooding",
                      "volcano", "heavy_rain", "other")


def page_labels(prefix: str, keys: tuple[str, ...], lang: str) -> dict[str, str]:
    """``{key: text}`` of the ``pages`` ids ``<prefix>.<key>`` in ``lang`` (English when unknown).

    A label missing from a catalog raises KeyError (``tests/web/test_web_ui_text.py`` keeps them complete).
    """
    code = lang if lang in CATALOG_DIRS else FALLBACK
    return {key: message(code, f"{prefix}.{key}", domain=PAGES_DOMAIN) for key in keys}


def ui(lang: str) -> dict[str, str]:
    """The labels of ``lang`` (English when unknown)."""
    return page_labels("ui", UI_KEYS, lang)


def section_labels(lang: str) -> dict[str, str]:
    """The labels of the public page's sections in ``lang`` (English when unknown)."""
    return page_labels("section", SECTION_KEYS, lang)


def hazard_names(lang: str) -> dict[str, str]:
    """Hazard codes (shelter designations, evacuation reasons) -> names in ``lang``, never raw codes."""
    return page_labels("hazard_name", HAZARD_KEYS, lang)
