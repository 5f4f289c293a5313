"""The one language registry: every other language table is derived from it."""

from __future__ import annotations

import pytest

from bosai.web.public import ACCEPT_PRIMARY, pick_language
from bosai.web.ui_text import HTML_LANG, LANGUAGE_NAMES
from kernel.config import PublishConfig
from kernel.errors import ConfigError
from kernel.languages import CODES, REGISTRY, language
from publish.cap import CAP_LANGUAGES
from publish.catalog import CATALOG_DIRS, LANGUAGES, po_path
from publish.messages import BABEL_LOCALES
from publish.speech import VOICES


def test_every_table_has_every_language() -> None:
    assert LANGUAGES == CODES == ("ja", "ja-easy", "en", "pt", "zh-Hans", "ko", "es", "tl", "vi")
    for table in (CATALOG_DIRS, BABEL_LOCALES, CAP_LANGUAGES, LANGUAGE_NAMES, HTML_LANG):
        assert tuple(table) == CODES
    assert set(VOICES) == set(CODES) - {"tl"}  # no Tagalog voice
    assert all(po_path(code).is_file() for code in CODES)


def test_values_are_unchanged() -> None:
    assert CAP_LANGUAGES["ja-easy"] == "ja-JP-x-easy" and CAP_LANGUAGES["zh-Hans"] == "zh-CN"
    assert BABEL_LOCALES["tl"] == "fil" and BABEL_LOCALES["pt"] == "pt_BR"
    assert HTML_LANG["ja-easy"] == "ja" and HTML_LANG["en"] == "en"
    assert CATALOG_DIRS["ja-easy"] == "ja_easy" and CATALOG_DIRS["zh-Hans"] == "zh_Hans"
    assert ACCEPT_PRIMARY["fil"] == "tl" and ACCEPT_PRIMARY["zh"] == "zh-Hans" and "ja-easy" not in ACCEPT_PRIMARY
    assert pick_language("zh-TW,en;q=0.5", CODES) == "zh-Hans"
    assert len({lang.code for lang in REGISTRY}) == len(REGISTRY)


def test_config_rejects_unknown_languages() -> None:
    assert PublishConfig().languages == list(CODES)
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        PublishConfig(languages=["ja", "fr"])
    with pytest.raises(ValueError, match="expected one of"):
        language("xx")
    assert ConfigError  # config files report it as ConfigError through load_config
