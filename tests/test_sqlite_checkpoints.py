"""SQLite's WAL reaches the database file on a thread of its own (`relaydesk/sqlite_checkpoints`),
not in the commit that runs on the event loop: pages committed stay in the WAL file until the
thread copies them, moments later, and the thread ends when writes stop."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from relaydesk.db import create_engine
from relaydesk.sqlite_checkpoints import Checkpoints

ROW = "x" * 4000
ROWS = 1500  # past 1,000 pages: SQLite's own default would checkpoint in the commit


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'wal.db'}")
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE pages (id INTEGER PRIMARY KEY, body TEXT)"))
    yield engine
    await engine.dispose()


async def checkpoints_of(engine: AsyncEngine) -> Checkpoints:
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        checkpoints = raw.driver_connection.checkpoints  # type: ignore[union-attr]
    assert isinstance(checkpoints, Checkpoints)
    return checkpoints


async def write_rows(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(
            text("INSERT INTO pages (body) VALUES (:body)"), [{"body": ROW}] * ROWS
        )


async def until(condition: object, within_s: float = 10) -> None:
    deadline = time.monotonic() + within_s
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "not within the time"
        await asyncio.sleep(0.02)


async def test_a_commit_leaves_the_copy_into_the_database_file_to_the_thread(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    database = tmp_path / "wal.db"
    before = database.stat().st_size
    await write_rows(engine)
    assert database.stat().st_size == before  # the commit copied nothing: it is all in the WAL
    assert (tmp_path / "wal.db-wal").stat().st_size > ROWS * len(ROW)
    await until(lambda: database.stat().st_size > ROWS * len(ROW))
    async with engine.connect() as connection:
        assert await connection.scalar(text("SELECT count(*) FROM pages")) == ROWS


async def test_the_thread_ends_when_writes_stop_and_comes_back_with_the_next(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    checkpoints = await checkpoints_of(engine)
    checkpoints.every_s, checkpoints.idle_s = 0.05, 0.3
    await write_rows(engine)
    assert checkpoints.running
    await until(lambda: not checkpoints.running)
    database = tmp_path / "wal.db"
    size = database.stat().st_size
    await write_rows(engine)
    assert checkpoints.running
    await until(lambda: database.stat().st_size > size + ROWS * len(ROW) // 2)


async def test_a_database_it_cannot_open_ends_the_thread_and_the_next_write_tries_again(
    tmp_path: Path,
) -> None:
    checkpoints = Checkpoints(str(tmp_path / "no such folder" / "wal.db"), every_s=0.01)
    for _ in range(2):
        checkpoints.wrote()
        await until(lambda: not checkpoints.running, within_s=5)
