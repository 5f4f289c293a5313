"""kernel.morphemes: MeCab's split without fugashi's per-word cache, one tagger for every thread."""

from __future__ import annotations

import gc
import sys
from concurrent.futures import ThreadPoolExecutor

import fugashi

from kernel import morphemes as mecab

TEXTS = [
    "志摩市で冠水しました", "津市の橋が通行止め  #大雨", "鈴鹿川があふれそう、四日市も雨\n避難します",
    "ｗｗｗ😀 停電 www.example.jp", "abc\u3000def", "", "  前に空白", "後ろに空白  ", "第2の1234番地",
]


def _fugashi_view(text: str) -> list[tuple[str, str, str, str, str]]:
    tagger = fugashi.GenericTagger(f'-r "{mecab.dictionary_dir() / "mecabrc"}" -d "{mecab.dictionary_dir()}"')
    rows = []
    for node in tagger(text):
        fields = node.feature
        kana = fields[17] if len(fields) > 17 and fields[17] != "*" else ""
        rows.append((node.surface, fields[0], fields[1], fields[2], kana))
    return rows


def test_same_words_and_features_as_fugashis_node_api() -> None:
    for text in TEXTS:
        got = mecab.morphemes(text)
        assert [(m.surface, *m.pos, m.kana) for m in got] == _fugashi_view(text), text
        assert [text[m.start : m.end] for m in got] == [m.surface for m in got]  # character offsets
        assert mecab.words(text) == [m.surface for m in got]


def test_offsets_skip_the_whitespace_between_words() -> None:
    got = mecab.morphemes("津市で 大雨")
    assert [(m.surface, m.start, m.end) for m in got] == [("津", 0, 1), ("市", 1, 2), ("で", 2, 3), ("大雨", 4, 6)]
    assert got[0].pos == ("名詞", "固有名詞", "地名") and got[0].kana == "ツ"
    assert got[2].pos[2] == "*"  # the dictionary's empty field, as fugashi gives it


def test_many_threads_share_one_tagger_and_agree_with_one_thread() -> None:
    expected = [mecab.morphemes(t) for t in TEXTS * 30]
    with ThreadPoolExecutor(max_workers=6) as pool:
        got = list(pool.map(mecab.morphemes, TEXTS * 30))
    assert got == expected
    assert mecab._tagger.cache_info().misses == 1  # one dictionary mapping, not one per pool thread


def test_new_words_leave_nothing_behind() -> None:
    """fugashi's node API keeps every new surface (the soak's growth); this keeps no Python object per word."""
    mecab.morphemes("warm up")
    gc.collect()
    before = sys.getallocatedblocks()  # interned strings are not tracked by gc: count memory blocks
    for i in range(3000):
        mecab.morphemes(f"津市で大雨 #{i}番 観測{i * 7919}")
    gc.collect()
    assert sys.getallocatedblocks() - before < 500  # fugashi's nodes: about 12,000 (2 per new word)
