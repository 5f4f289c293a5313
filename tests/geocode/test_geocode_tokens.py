"""MeCab token boundaries: one shared tagger, safe from many threads, renewed so that memory stays flat."""

from __future__ import annotations

import gc
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from geocode import tokens
from kernel.renewing import Renewing

TEXTS = ["志摩市で冠水しました", "津市の橋が通行止め", "鈴鹿川があふれそう、四日市も雨", "伊勢市駅前"] * 50


def test_boundaries_of_a_place_name() -> None:
    toks = tokens.tokenize("津市の橋が通行止め")
    assert toks.aligned(0, 2) == (True, True)
    # unidic-lite (the declared dictionary) splits 津市 into 津 (a place name) + 市.
    assert toks.single(0, 1) == ("固有名詞", "地名")
    assert toks.single(0, 2) is None


def test_many_threads_share_one_tagger_and_agree_with_one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[object] = []

    def build() -> object:
        built.append(tokens._new_tagger())
        return built[-1]

    monkeypatch.setattr(tokens, "_tagger", Renewing(build, uses=tokens.TAGGER_USES))
    expected = [tokens.tokenize(t) for t in TEXTS]
    with ThreadPoolExecutor(max_workers=6) as pool:
        got = list(pool.map(tokens.tokenize, TEXTS))
    assert got == expected
    assert len(built) == 1  # one dictionary mapping, not one per pool thread


def test_a_stream_of_new_words_does_not_grow_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """A tagger keeps each distinct word it parses (about two objects); kept for good, 10,000 posts with new
    numbers held about 20,000 more objects at the end. Renewed every 1,000 texts, at most a tagger's worth."""
    monkeypatch.setattr(tokens, "_tagger", Renewing(tokens._new_tagger, uses=1_000))
    posts = [f"津市で冠水 #{n} 道路が通れない" for n in range(11_000)]
    for text in posts[:1_000]:
        tokens.tokenize(text)
    gc.collect()
    before = sys.getallocatedblocks()
    for text in posts[1_000:]:
        tokens.tokenize(text)
    gc.collect()
    assert sys.getallocatedblocks() - before < 5_000
    assert tokens.tokenize(posts[0]) == tokens.tokenize(posts[0])  # a fresh tagger tags the same
