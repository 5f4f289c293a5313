from __future__ import annotations

from geocode.matcher import Trie


def _trie(*keys: str) -> Trie:
    trie = Trie()
    for i, key in enumerate(keys):
        trie.add(key, (i, False))
    return trie


def _found(trie: Trie, text: str) -> list[str]:
    return [text[m.start:m.end] for m in trie.find(text)]


def test_longest_match_wins_over_its_parts() -> None:
    trie = _trie("四日市", "四日市市", "富田")
    assert _found(trie, "四日市市富田で冠水") == ["四日市市", "富田"]


def test_overlaps_keep_the_longer_key() -> None:
    trie = _trie("名古屋", "古屋")
    assert _found(trie, "名古屋駅") == ["名古屋"]


def test_numbers_need_a_boundary() -> None:
    trie = _trie("国道1号", "r23")
    assert _found(trie, "国道1号線") == ["国道1号"]
    assert _found(trie, "r230で渋滞") == []
    assert _found(trie, "r23で渋滞") == ["r23"]


def test_strong_spelling_replaces_weak_for_the_same_entry() -> None:
    trie = Trie()
    trie.add("長島", (7, True))
    trie.add("長島", (7, False))
    trie.add("長島", (8, True))
    (match,) = trie.find("長島で停電")
    assert set(match.refs) == {(7, False), (8, True)}
    assert trie.size == 1


def test_empty_text_and_empty_key() -> None:
    trie = _trie("")
    assert trie.find("") == []
    assert trie.size == 0
