"""How the service cuts posts into forward passes."""

from __future__ import annotations

from classifier.batching import passes


def test_passes_respect_rows_and_padded_tokens() -> None:
    lengths = [3, 40, 5, 5, 12, 200, 8, 3, 20]
    order = [0, 7, 2, 3, 6, 4, 8, 1, 5]  # by length, ties in input order
    cut = list(passes(lengths, 4, 32))
    assert [i for p in cut for i in p] == order  # every post once, in length order
    for p in cut:
        assert len(p) <= 4
        assert len(p) == 1 or len(p) * max(lengths[i] for i in p) <= 32
    assert [5] in cut  # longer than the budget on its own: still classified, alone
