"""Per-language gettext catalogs compiled with Babel from ``i18n/<dir>/LC_MESSAGES/<domain>.po``.

Two domains: ``bosai`` holds the alert messages (``publish/``), ``pages`` the labels of the public web pages
(``bosai.web.ui_text``, ``bosai.web.subscribe_text``). One ``babel.support.Translations`` object per language
and domain is passed explicitly to the renderers; nothing is ever installed globally. A ``.mo`` file is used
when it is newer than its ``.po``; otherwise the ``.po`` is compiled in memory, so a source checkout works
without a build step.
"""

from __future__ import annotations

import io
import logging
from functools import lru_cache
from pathlib import Path
from typing import Final

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from kernel.languages import CODES, REGISTRY

log = logging.getLogger(__name__)

I18N_DIR: Final = Path(__file__).resolve().parent.parent / "i18n"
DOMAIN: Final = "bosai"  # alert messages
PAGES_DOMAIN: Final = "pages"  # labels of the public web pages
DOMAINS: Final = (DOMAIN, PAGES_DOMAIN)
LANGUAGES: Final = CODES  # the registry's order: kernel.languages
# やさしい日本語 has no Babel locale id, so its catalog lives in a plain directory name.
CATALOG_DIRS: Final = {lang.code: lang.catalog_dir for lang in REGISTRY}


def check_language(lang: str) -> str:
    """Return ``lang`` if it is one of the nine; raise ValueError naming the valid codes otherwise."""
    if lang not in CATALOG_DIRS:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    return lang


def po_path(lang: str, domain: str = DOMAIN) -> Path:
    """The ``.po`` file of a language in a domain."""
    if domain not in DOMAINS:
        raise ValueError(f"unknown catalog domain {domain!r}; expected one of {', '.join(DOMAINS)}")
    return I18N_DIR / CATALOG_DIRS[check_language(lang)] / "LC_MESSAGES" / f"{domain}.po"


def compile_catalog(lang: str, domain: str = DOMAIN) -> bytes:
    """Compile a language's ``.po`` to ``.mo`` bytes (fuzzy entries are left out, as gettext does)."""
    with po_path(lang, domain).open("rb") as fh:
        catalog = read_po(fh)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


def compile_all() -> list[Path]:
    """Write a ``.mo`` next to every ``.po`` of every domain (the build step); return the files written."""
    written = []
    for domain in DOMAINS:
        for lang in LANGUAGES:
            mo = po_path(lang, domain).with_suffix(".mo")
            mo.write_bytes(compile_catalog(lang, domain))
            written.append(mo)
    return written


def translations(lang: str, domain: str = DOMAIN) -> Translations:
    """The cached Translations of a language in a domain (prefers an up-to-date ``.mo``)."""
    return _load(lang, domain)


@lru_cache(maxsize=len(LANGUAGES) * len(DOMAINS))
def _load(lang: str, domain: str) -> Translations:
    po = po_path(lang, domain)
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        data = mo.read_bytes()
    else:
        data = compile_catalog(lang, domain)
        log.debug("catalog_compiled_in_memory lang=%s domain=%s", lang, domain)
    return Translations(fp=io.BytesIO(data), domain=domain)


def message(lang: str, msgid: str, *, domain: str = DOMAIN, **slots: object) -> str:
    """Translate ``msgid`` for ``lang`` and fill its named slots; a missing id raises KeyError.

    ``domain`` picks the catalog, so no slot may be called ``domain``.
    """
    text = translations(lang, domain).gettext(msgid)
    if text == msgid:
        raise KeyError(f"message {msgid!r} missing from the {lang} {domain} catalog")
    return text % slots if slots else text


def has_message(lang: str, msgid: str, domain: str = DOMAIN) -> bool:
    """Whether the catalog of ``lang`` in ``domain`` has a translation for ``msgid``."""
    return translations(lang, domain).gettext(msgid) != msgid
