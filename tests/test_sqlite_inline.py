"""SQLite on the event loop's thread: statements and transactions behave as with any driver, and a
write that meets another process's write lock waits asynchronously (the loop keeps running)
until the lock is released or the busy timeout has passed."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import column, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from relaydesk.db import commit, create_engine, session_factory
from relaydesk.hot_sql import Hot

NOTE = Hot(text("INSERT INTO notes (body) VALUES (:body)"))
DEFER_KEYS = Hot(text("PRAGMA defer_foreign_keys = ON"))  # checked at COMMIT, not at the insert
CHILD = Hot(text("INSERT INTO children (note_id) VALUES (:note_id)"))


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'inline.db'}", busy_timeout_s=2)
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
        await connection.execute(
            text("CREATE TABLE children (id INTEGER PRIMARY KEY, note_id REFERENCES notes (id))")
        )
    yield engine
    await engine.dispose()


def hold_write_lock(path: Path, seconds: float) -> threading.Event:
    """Another connection (as another process would) holds the write lock for `seconds`;
    the returned event is set once it has the lock."""
    locked = threading.Event()

    def hold() -> None:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO notes (body) VALUES ('from the other writer')")
        locked.set()
        time.sleep(seconds)
        other.execute("COMMIT")
        other.close()

    threading.Thread(target=hold, daemon=True).start()
    assert locked.wait(5)
    return locked


async def ticks_while(work: asyncio.Task[object]) -> int:
    """How often a 10 ms timer fired on the loop while `work` ran."""
    ticks = 0
    while not work.done():
        await asyncio.sleep(0.01)
        ticks += 1
    return ticks


async def test_rows_results_and_rollback(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(text("INSERT INTO notes (body) VALUES ('kept')"))
        inserted = await connection.execute(
            text("INSERT INTO notes (body) VALUES ('returned') RETURNING id, body")
        )
        assert inserted.one().body == "returned"
    with pytest.raises(RuntimeError):
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO notes (body) VALUES ('rolled back')"))
            raise RuntimeError("abort")
    with pytest.raises(IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO notes (id, body) VALUES (1, 'twice')"))
    async with engine.connect() as connection:
        bodies = (await connection.execute(text("SELECT body FROM notes ORDER BY id"))).scalars()
        assert list(bodies) == ["kept", "returned"]


async def test_autocommit_writes_are_visible_at_once(engine: AsyncEngine, tmp_path: Path) -> None:
    async with engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.execute(text("INSERT INTO notes (body) VALUES ('no transaction')"))
        other = sqlite3.connect(tmp_path / "inline.db")
        assert other.execute("SELECT body FROM notes").fetchall() == [("no transaction",)]
        other.close()


async def test_a_write_waits_for_another_writer_without_blocking_the_loop(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    hold_write_lock(tmp_path / "inline.db", seconds=0.4)

    async def write() -> None:
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO notes (body) VALUES ('after the lock')"))

    started = time.monotonic()
    work = asyncio.create_task(write())
    ticks = await ticks_while(work)
    await work
    assert time.monotonic() - started >= 0.3  # it did wait for the lock
    assert ticks >= 10  # and the loop ran other work meanwhile
    async with engine.connect() as connection:
        bodies = (await connection.execute(text("SELECT body FROM notes ORDER BY id"))).scalars()
        assert list(bodies) == ["from the other writer", "after the lock"]


async def test_a_lock_held_past_the_busy_timeout_is_an_error(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    hold_write_lock(tmp_path / "inline.db", seconds=3)
    started = time.monotonic()
    with pytest.raises(OperationalError, match="database is locked"):
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO notes (body) VALUES ('too late')"))
    assert 1.8 <= time.monotonic() - started < 3


async def test_hot_statements_wait_for_another_writer_then_commit_and_free_the_connection(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    """A session of `Hot` statements alone runs them, and commits, on the loop's thread."""
    sessions = session_factory(engine)
    hold_write_lock(tmp_path / "inline.db", seconds=0.4)

    async def write() -> None:
        async with sessions() as session:
            await NOTE.rows(session, {"body": "hot, after the lock"})
            await commit(session)

    started = time.monotonic()
    work = asyncio.create_task(write())
    ticks = await ticks_while(work)
    await work
    assert time.monotonic() - started >= 0.3
    assert ticks >= 10
    assert engine.sync_engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    async with engine.connect() as connection:
        bodies = (await connection.execute(text("SELECT body FROM notes ORDER BY id"))).scalars()
        assert list(bodies) == ["from the other writer", "hot, after the lock"]


async def test_a_commit_sqlite_refuses_raises_as_sqlalchemy_does_and_keeps_nothing(
    engine: AsyncEngine,
) -> None:
    sessions = session_factory(engine)
    with pytest.raises(IntegrityError, match="FOREIGN KEY constraint failed"):
        async with sessions() as session:
            await DEFER_KEYS.rows(session, {})
            await NOTE.rows(session, {"body": "written with the orphan"})
            await CHILD.rows(session, {"note_id": 404})  # no such note
            await commit(session)
    assert engine.sync_engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    async with sessions() as session:  # the connection is usable again, its transaction gone
        await NOTE.rows(session, {"body": "next"})
        await commit(session)
    async with engine.connect() as connection:
        bodies = (await connection.execute(text("SELECT body FROM notes ORDER BY id"))).scalars()
        assert list(bodies) == ["next"]


async def test_none_bools_and_bytes_are_stored_as_sqlite3_stores_them(engine: AsyncEngine) -> None:
    """`sqlite_inline` gives them adapters that skip sqlite3's failed lookups: NULL, an integer
    and a blob, as without them."""
    sql = "SELECT :none, typeof(:none), :yes, :no, typeof(:yes), :blob, typeof(:blob)"
    values = Hot(text(sql).columns(*(column(name) for name in "abcdefg")))
    async with session_factory(engine)() as session:
        row = await values.first(session, {"none": None, "yes": True, "no": False, "blob": b"\0x"})
        assert tuple(row) == (None, "null", 1, 0, "integer", b"\0x", "blob")
        await session.commit()
