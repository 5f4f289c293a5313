"""Labels of the sign-up form and of the confirm / unsubscribe pages, in the nine languages.

The texts are the ``subscribe.<key>`` ids of the ``pages`` gettext catalogs (``i18n/<dir>/LC_MESSAGES/pages.po``);
the non-Japanese labels were written by the project and await review by native speakers.
"""

from __future__ import annotations

from typing import Final

from bosai.web.ui_text import page_labels

KEYS: Final = (
    "heading", "note", "area", "all_areas", "language", "channel", "email", "webhook", "address", "submit",
    "confirm_title", "confirm_button", "confirmed", "unsubscribe_title", "unsubscribe_button", "unsubscribed",
    "bad_link", "check_email", "webhook_pending", "webhook_confirmed", "already_pending", "error", "back",
)


def labels(lang: str) -> dict[str, str]:
    """The sign-up labels of ``lang`` (English when unknown)."""
    return page_labels("subscribe", KEYS, lang)
