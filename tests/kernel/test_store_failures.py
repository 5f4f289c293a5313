"""A write that fails in the store's group commit (a database error on one item, an exception in the write) is
answered to its caller at once, alone, and the writer goes on (issue 17, "Extreme dates", last bullet)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from kernel.records import Post
from kernel.store import Store, repo
from kernel.store.db import RECONNECT_FOR_S, Batched


def _post(i: int) -> Post:
    return Post(source="partner", source_id=f"p{i}", observed_at=datetime(2026, 9, 12, 10, tzinfo=UTC),
                author="a", text="川があふれそう")


class FailingFor:
    """``repo.save_raws``, except that a group holding ``bad`` raises a database error (not a lost connection:
    that one the writer retries on a new connection) until ``healed``."""

    def __init__(self, bad: str) -> None:
        self.bad, self.healed = bad, False

    def __call__(self, session: Session, args: list) -> list:
        if not self.healed and any(post.source_id == self.bad for post, _raw, _at in args):
            raise OperationalError("INSERT INTO raw_items ...", {}, Exception("database is locked"))
        return repo.save_raws(session, args)


async def test_a_database_error_on_one_item_fails_it_alone_and_at_once(store: Store) -> None:
    now = datetime.now(UTC)
    save = FailingFor("p1")
    started = time.monotonic()
    results = await asyncio.gather(*(store.write(Batched(save, (_post(i), b"raw", now))) for i in range(4)),
                                   return_exceptions=True)
    assert time.monotonic() - started < RECONNECT_FOR_S / 10  # not held as if the connection were lost
    assert isinstance(results[1], OperationalError)
    assert all(isinstance(r, int) for i, r in enumerate(results) if i != 1)  # its group-mates are stored
    save.healed = True
    retried = await store.write(Batched(save, (_post(1), b"raw", now)))  # the sender's retry
    assert isinstance(retried, int)
    with store.session() as s:
        assert repo.counts(s)["posts"] == 4


async def test_an_exception_in_a_write_leaves_the_writer_working(store: Store) -> None:
    def broken(_session: Session) -> None:
        raise OverflowError("date value out of range")  # what a calendar-edge date did in a later stage

    now = datetime.now(UTC)
    for attempt in range(3):
        failed, stored = await asyncio.gather(store.write(broken),
                                              store.write(Batched(repo.save_raws, (_post(attempt), b"", now))),
                                              return_exceptions=True)
        assert isinstance(failed, OverflowError) and isinstance(stored, int)
