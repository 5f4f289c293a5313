"""MeCab token boundaries and parts of speech of a text."""

from __future__ import annotations

from geocode import tokens


def test_boundaries_of_a_place_name() -> None:
    toks = tokens.tokenize("津市の橋が通行止め")
    assert toks.aligned(0, 2) == (True, True)
    # unidic-lite (the declared dictionary) splits 津市 into 津 (a place name) + 市.
    assert toks.single(0, 1) == ("固有名詞", "地名")
    assert toks.single(0, 2) is None
