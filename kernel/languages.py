"""The one registry of the languages residents get alerts in: code, name, Babel locale, CAP tag, HTML lang, voice.

Every other table (gettext catalog folders, Babel locales, CAP/Atom language tags, the page's language
switcher and ``lang`` attributes, Accept-Language matching, espeak-ng voices, the ``[publish] languages``
default) is derived from ``REGISTRY``. Adding a language is one row here plus its catalog in ``i18n/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class Language:
    """One language of the resident-facing outputs."""

    code: str  # our code, used in URLs (/public/en), feeds (/feeds/en.atom), subscriptions and config
    name: str  # its name in itself, for the language switcher
    babel_locale: str  # Babel locale for dates and numbers
    cap_tag: str  # CAP 1.2 <language> and Atom xml:lang (RFC 3066 with region)
    html_lang: str  # BCP 47 tag of the page's lang attribute and Content-Language
    accept: tuple[str, ...]  # Accept-Language primary subtags that pick it
    espeak_voice: str | None  # espeak-ng voice; None: no voice reads it (no speech form is offered)
    list_separator: str = ", "  # between the items of a list of places
    no_space: bool = False  # sentences are joined without a space

    @property
    def catalog_dir(self) -> str:
        """Folder of its gettext catalog under ``i18n/`` (やさしい日本語 has no Babel locale id: ja_easy)."""
        return self.code.replace("-", "_")


REGISTRY: Final = (
    Language("ja", "日本語", "ja", "ja-JP", "ja", ("ja",), "ja", "、", no_space=True),
    Language("ja-easy", "やさしい にほんご", "ja", "ja-JP-x-easy", "ja", (), "ja", "、"),
    Language("en", "English", "en", "en-US", "en", ("en",), "en-us"),
    Language("pt", "Português", "pt_BR", "pt-BR", "pt", ("pt",), "pt-br"),
    # zh-TW readers still read 简体 better than Japanese, so every zh tag picks it.
    Language("zh-Hans", "中文(简体)", "zh_Hans_CN", "zh-CN", "zh-Hans", ("zh",), "cmn", "、", no_space=True),
    Language("ko", "한국어", "ko", "ko-KR", "ko", ("ko",), "ko"),
    Language("es", "Español", "es", "es-ES", "es", ("es",), "es"),
    # Tagalog has no espeak-ng voice: an English one would misread it, so only the text form is offered.
    Language("tl", "Tagalog", "fil", "tl-PH", "tl", ("tl", "fil"), None),
    Language("vi", "Tiếng Việt", "vi", "vi-VN", "vi", ("vi",), "vi"),
)
BY_CODE: Final = {lang.code: lang for lang in REGISTRY}
CODES: Final = tuple(BY_CODE)


def language(code: str) -> Language:
    """The language with this code; ValueError naming the valid codes otherwise."""
    try:
        return BY_CODE[code]
    except (KeyError, TypeError):
        raise ValueError(f"unknown language {code!r}; expected one of {', '.join(CODES)}") from None
