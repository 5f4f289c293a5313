"""The store: one SQLAlchemy engine, one writer thread (group commit), reads on their own connections.

SQLite allows one writer at a time; funnelling every write through one thread with ``BEGIN IMMEDIATE``
avoids "database is locked" under asyncio and lets many small inserts share one commit. PostgreSQL
uses the same path, so the code under test is the code in production.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from kernel.extras import require

log = logging.getLogger(__name__)
T = TypeVar("T")
A = TypeVar("A")
WriteFn = Callable[[Session], Any]
MAX_GROUP = 256  # writes that may share one commit
RECONNECT_FOR_S = 60.0  # how long the writer keeps retrying a group after losing its connection


@dataclass(frozen=True, slots=True)
class Batched(Generic[A, T]):
    """A write that shares one call, and so one statement per table, with the writes of its kind in its commit
    group: ``many(session, args)`` returns one result per argument, in order. Alone (as when a failed group
    is re-run job by job) it is a call with one argument."""

    many: Callable[[Session, list[A]], list[T]]
    arg: A

    def __call__(self, session: Session) -> T:
        return self.many(session, [self.arg])[0]


def run_group(session: Session, fns: list[WriteFn]) -> list[Any]:
    """The results of a group's writes, in order; Batched writes of one kind run as one call, where the first of
    them stood (writes queued together do not depend on one another)."""
    values: list[Any] = [None] * len(fns)
    kinds: dict[Callable[..., Any], list[int]] = {}
    for i, fn in enumerate(fns):
        if isinstance(fn, Batched):
            kinds.setdefault(fn.many, []).append(i)
    for i, fn in enumerate(fns):
        if not isinstance(fn, Batched):
            values[i] = fn(session)
        elif kinds[fn.many][0] == i:
            same = kinds[fn.many]
            for j, value in zip(same, fn.many(session, [fns[j].arg for j in same]), strict=True):
                values[j] = value
    return values


def make_engine(url: str, pool_size: int = 5) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and its parent folder."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # let SQLAlchemy's "begin" event issue BEGIN
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("writer") else "BEGIN")

        return engine
    if url.startswith("postgresql+psycopg:") or url.startswith("postgresql+psycopg_async:"):
        require("scale", "store.url = postgresql+psycopg://...", ("psycopg",))
    return create_engine(url, pool_size=pool_size, pool_pre_ping=True)


class Store:
    """Database access for the service: ``write`` runs on the single writer, ``read`` on a pool thread."""

    def __init__(self, url: str, pool_size: int = 5) -> None:
        self.url = url
        self.engine = make_engine(url, pool_size)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._jobs: queue.Queue[tuple[WriteFn, Future[Any]] | None] = queue.Queue()
        self._writer: threading.Thread | None = None

    def upgrade(self) -> None:
        """Bring the schema to the newest Alembic revision."""
        from kernel.store.migrate import upgrade

        upgrade(self.engine)

    @property
    def writer_alive(self) -> bool:
        """Whether the writer thread runs (every write waits on it; /livez reports it)."""
        return self._writer is not None and self._writer.is_alive()

    def start(self) -> None:
        """Start the writer thread."""
        if self._writer is None:
            self._writer = threading.Thread(target=self._write_loop, name="store-writer", daemon=True)
            self._writer.start()

    def close(self) -> None:
        """Finish queued writes, stop the writer and dispose of the engine."""
        if self._writer is not None:
            self._jobs.put(None)
            self._writer.join()
            self._writer = None
        self.engine.dispose()

    def session(self) -> Session:
        """A session for reads (or for writes in scripts and tests that run without the writer)."""
        return self._sessions()

    async def write(self, fn: Callable[[Session], T]) -> T:
        """Run ``fn(session)`` on the writer thread inside a transaction and return its result."""
        return await asyncio.wrap_future(self.submit(fn))

    def submit(self, fn: Callable[[Session], T]) -> Future[T]:
        """Queue ``fn`` for the writer and return a future (usable from any thread)."""
        if self._writer is None:
            raise RuntimeError("store writer not started")
        fut: Future[T] = Future()
        self._jobs.put((fn, fut))
        return fut

    async def read(self, fn: Callable[[Session], T]) -> T:
        """Run ``fn(session)`` on a worker thread with a fresh read session."""

        def run() -> T:
            with self._sessions() as session:
                return fn(session)

        return await asyncio.to_thread(run)

    def _write_loop(self) -> None:
        conn: Connection | None = None
        session: Session | None = None
        while True:
            job = self._jobs.get()
            if job is None:
                break
            batch = [job]
            while len(batch) < MAX_GROUP:
                try:
                    nxt = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    self._jobs.put(None)
                    break
                batch.append(nxt)
            # A caller that gave up (task cancelled, e.g. at shutdown) no longer waits for its write: skip it,
            # so that its future is never resolved twice and the rest of the group still commits and answers.
            batch = [(fn, fut) for fn, fut in batch if fut.set_running_or_notify_cancel()]
            if not batch:
                continue
            delay = 0.1
            deadline = time.monotonic() + RECONNECT_FOR_S
            while True:
                try:
                    if conn is None:
                        conn = self.engine.connect()
                        conn.info["writer"] = True
                        session = Session(bind=conn, expire_on_commit=False)
                    assert session is not None
                    self._run_batch(session, batch)
                    break
                except (OperationalError, InterfaceError) as err:
                    # The connection is gone (server restarted, network): the transaction was rolled back,
                    # so the whole group is retried on a new connection until RECONNECT_FOR_S has passed.
                    conn, session = _discard(conn, session)
                    if time.monotonic() > deadline:
                        log.exception("store_unavailable jobs=%d", len(batch))
                        _fail(batch, err)
                        break
                    log.warning("store_reconnecting jobs=%d error=%s", len(batch), type(err).__name__)
                    time.sleep(delay)
                    delay = min(delay * 2, 2.0)
                except Exception as err:  # the commit itself failed: every caller learns it
                    log.exception("store_commit_failed jobs=%d", len(batch))
                    _fail(batch, err)
                    break
        _discard(conn, session)

    def _run_batch(self, session: Session, batch: list[tuple[WriteFn, Future[Any]]]) -> None:
        """Run a group of writes in one transaction.

        Fast path: all jobs in one transaction, no savepoints. If a job raises, the transaction is rolled
        back and the group re-run with one savepoint per job, so that job's error reaches only its caller.
        Connection-level errors propagate (the caller reconnects and retries the group).
        """
        # Start each group with an empty identity map: with other writers (PostgreSQL, several workers)
        # objects cached from an earlier group may be stale; objects handed out earlier stay usable, detached.
        session.expunge_all()
        try:
            with session.begin():
                values = run_group(session, [fn for fn, _fut in batch])
        except (OperationalError, InterfaceError) as err:
            if err.connection_invalidated or _is_disconnect(err):
                raise
            self._run_isolated(session, batch)
            return
        except Exception:
            self._run_isolated(session, batch)
            return
        for (_fn, fut), value in zip(batch, values, strict=True):
            fut.set_result(value)

    @staticmethod
    def _run_isolated(session: Session, batch: list[tuple[WriteFn, Future[Any]]]) -> None:
        """Re-run a group with a savepoint per job; each job's error goes to its own caller only."""
        results: list[tuple[Future[Any], Any, BaseException | None]] = []
        session.expunge_all()
        with session.begin():
            for fn, fut in batch:
                try:
                    with session.begin_nested():
                        results.append((fut, fn(session), None))
                except (OperationalError, InterfaceError) as err:
                    if err.connection_invalidated or _is_disconnect(err):
                        raise
                    results.append((fut, None, err))
                except Exception as err:  # reported to the caller through its future
                    results.append((fut, None, err))
        for fut, value, err in results:
            if err is not None:
                fut.set_exception(err)
            else:
                fut.set_result(value)


def _is_disconnect(err: DBAPIError) -> bool:
    text = str(err.orig).lower() if err.orig is not None else ""
    return any(w in text for w in ("terminating connection", "server closed", "connection refused",
                                   "connection is closed", "the database system is shutting down"))


def _discard(conn: Connection | None, session: Session | None) -> tuple[None, None]:
    """Close a writer connection that may already be broken."""
    for closer in (session, conn):
        if closer is not None:
            with contextlib.suppress(Exception):
                closer.close()
    return None, None


def _fail(batch: list[tuple[WriteFn, Future[Any]]], err: BaseException) -> None:
    for _fn, fut in batch:
        if not fut.done():
            fut.set_exception(err)
