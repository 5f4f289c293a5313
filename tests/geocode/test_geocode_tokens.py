"""MeCab token boundaries: one shared tagger, safe from many threads."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from geocode import tokens

TEXTS = ["志摩市で冠水しました", "津市の橋が通行止め", "鈴鹿川があふれそう、四日市も雨", "伊勢市駅前"] * 50


def test_boundaries_of_a_place_name() -> None:
    toks = tokens.tokenize("津市の橋が通行止め")
    assert toks.aligned(0, 2) == (True, True)
    # unidic-lite (the declared dictionary) splits 津市 into 津 (a place name) + 市.
    assert toks.single(0, 1) == ("固有名詞", "地名")
    assert toks.single(0, 2) is None


def test_many_threads_share_one_tagger_and_agree_with_one_thread() -> None:
    expected = [tokens.tokenize(t) for t in TEXTS]
    with ThreadPoolExecutor(max_workers=6) as pool:
        got = list(pool.map(tokens.tokenize, TEXTS))
    assert got == expected
    assert tokens._tagger.cache_info().misses == 1  # one dictionary mapping, not one per pool thread
