"""Renewing: built lazily, rebuilt after exactly ``uses`` uses."""

from __future__ import annotations

import itertools

import pytest

from kernel.renewing import Renewing


def test_built_on_first_use_and_after_every_n_uses() -> None:
    serial = itertools.count()
    held = Renewing(lambda: next(serial), uses=3)
    assert next(serial) == 0  # nothing built yet
    assert [held.get() for _ in range(7)] == [1, 1, 1, 2, 2, 2, 3]


def test_a_use_count_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Renewing(object, uses=0)
