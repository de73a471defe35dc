"""SQLite driven from the event loop's own thread, for SQLAlchemy's aiosqlite dialect.

aiosqlite runs every call (cursor, execute, fetch, close, commit) in a thread of its own and
hands the result back to the loop: four or five thread hops per statement. On a small shared
machine one hop costs more CPU than the statement itself (`python -m bench repreply` measured
the difference). Our statements are indexed reads and small writes that take microseconds, and
in WAL mode readers never wait, so this connection runs them inline on the loop.

A write that finds another process holding SQLite's write lock does not block the loop in
SQLite's busy handler: the connection's busy timeout is 0, and the statement is retried after
an asynchronous sleep, in growing steps, until the busy timeout has passed.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from typing import Any, TypeVar, cast

from .sqlite_checkpoints import Checkpoints

T = TypeVar("T")

# SQLITE_BUSY and SQLITE_BUSY_RECOVERY: another connection holds the lock, retrying can succeed.
# (SQLITE_BUSY_SNAPSHOT cannot: the transaction read a snapshot that a writer has since moved
# past, and only a new transaction helps, so it is raised at once.)
RETRIED_CODES = {5, 261}
FIRST_WAIT_S = 0.001
LONGEST_WAIT_S = 0.05


# sqlite3 binds an int, float, str or bytearray as it is; any other value (None, a bool, bytes)
# first goes through its adapter registry, and one with no adapter there costs two failed
# attribute lookups, one of which formats an AttributeError's message: ~3,000 instructions a
# parameter, a dozen times a rep reply. With these the lookup finds an adapter that hands back
# what sqlite3 would have bound: NULL for None (a dict's `get` returns None for any key, in
# one C call), a bool's int, and bytes as they are.
_NULL: Callable[[None], None] = cast(Callable[[None], None], {}.get)
sqlite3.register_adapter(type(None), _NULL)
sqlite3.register_adapter(bool, int)
sqlite3.register_adapter(bytes, bytes)


def _busy(error: sqlite3.OperationalError) -> bool:
    return getattr(error, "sqlite_errorcode", None) in RETRIED_CODES


async def _retrying(within_s: float, call: Callable[[], T]) -> T:
    """`call()`, again after a short asynchronous sleep while SQLite answers "busy"."""
    try:
        return call()
    except sqlite3.OperationalError as error:
        if not _busy(error):
            raise
    deadline = time.monotonic() + within_s
    wait = FIRST_WAIT_S
    while True:
        await asyncio.sleep(wait)
        try:
            return call()
        except sqlite3.OperationalError as error:
            if not _busy(error) or time.monotonic() >= deadline:
                raise
        wait = min(wait * 2, LONGEST_WAIT_S)


class InlineCursor:
    """The part of aiosqlite's cursor that SQLAlchemy's adapter uses."""

    def __init__(self, connection: InlineConnection) -> None:
        self._connection = connection
        self._cursor = connection.raw.cursor()

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._cursor.close()

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> InlineCursor:
        cursor = self._cursor
        await _retrying(self._connection.timeout, lambda: cursor.execute(sql, parameters or ()))
        return self

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> InlineCursor:
        cursor, rows = self._cursor, list(rows)
        await _retrying(self._connection.timeout, lambda: cursor.executemany(sql, rows))
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    async def nextset(self) -> None:
        return None

    async def __aiter__(self) -> AsyncIterator[Any]:
        while (row := self._cursor.fetchone()) is not None:
            yield row

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class _RunNow:
    """Stands in for aiosqlite's request queue, which SQLAlchemy's adapter feeds directly when
    it sets the isolation level: the function runs at once and the future gets its result."""

    def put_nowait(self, item: tuple[asyncio.Future[Any], Callable[[], Any]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as error:  # handed to the awaiting caller
            future.set_exception(error)


class InlineConnection:
    """The part of aiosqlite's connection that SQLAlchemy's adapter uses."""

    def __init__(
        self, raw: sqlite3.Connection, timeout: float, checkpoints: Checkpoints | None = None
    ) -> None:
        self.raw = raw
        self.timeout = timeout
        self.checkpoints = checkpoints
        self._conn = raw  # what the adapter's isolation-level setter reaches for
        self._connection: sqlite3.Connection | None = raw  # aiosqlite's "still open" marker
        self._tx = _RunNow()

    def cursor(self) -> InlineCursor:
        return InlineCursor(self)

    def run_now(self, sql: str, args: Sequence[Any], fetch: bool) -> list[Any] | None:
        """One statement run at once, with no cursor object or coroutine of ours: its rows (none
        unless `fetch`), or None when another connection holds the write lock and nothing was
        written (`run` waits for it)."""
        try:
            cursor = self.raw.execute(sql, args)
        except sqlite3.OperationalError as error:
            if _busy(error):
                return None
            raise
        try:
            return cursor.fetchall() if fetch else []
        finally:
            cursor.close()

    async def run(self, sql: str, args: Sequence[Any], fetch: bool) -> list[Any]:
        """`run_now`, retried after asynchronous sleeps while SQLite answers "busy"."""
        found = self.run_now(sql, args, fetch)
        if found is not None:
            return found
        cursor = InlineCursor(self)
        try:
            await cursor.execute(sql, args)
            return await cursor.fetchall() if fetch else []
        finally:
            await cursor.close()

    def commit_now(self) -> bool:
        """Commit at once: False when another connection holds the lock (`commit` waits)."""
        wrote = self.raw.in_transaction  # sqlite3 begins one before a write only
        try:
            self.raw.commit()
        except sqlite3.OperationalError as error:
            if _busy(error):
                return False
            raise
        if wrote and self.checkpoints is not None:
            self.checkpoints.wrote()
        return True

    @property
    def isolation_level(self) -> str | None:
        return self.raw.isolation_level

    @property
    def in_transaction(self) -> bool:
        return self.raw.in_transaction

    async def commit(self) -> None:
        if not self.commit_now():
            await _retrying(self.timeout, self.raw.commit)
            if self.checkpoints is not None:
                self.checkpoints.wrote()

    async def rollback(self) -> None:
        self.raw.rollback()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self.raw.create_function(*args, **kwargs)

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        if self._connection is not None:
            self._connection = None
            self.raw.close()


def inline_connector(path: str, timeout: float) -> Callable[[], Any]:
    """An `async_creator` for `create_async_engine`: opens `path` as an `InlineConnection`,
    whose commits leave checkpoints to a thread (`sqlite_checkpoints`)."""
    checkpoints = Checkpoints(path) if path != ":memory:" else None

    async def connect() -> InlineConnection:
        # check_same_thread off: the pool may close a connection from a finalizer's thread.
        raw = sqlite3.connect(path, timeout=0, check_same_thread=False)
        if checkpoints is not None:
            raw.execute("PRAGMA wal_autocheckpoint=0")
        return InlineConnection(raw, timeout, checkpoints)

    return connect
