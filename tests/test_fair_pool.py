"""The connection pool serves its waiters in the order they came (`relaydesk/fair_pool.py`): a
caller handing a connection back and asking again at once queues behind the others; a waiter
that gives up (its time ran out, or it was cancelled) takes no connection with it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from relaydesk.db import create_engine
from relaydesk.fair_pool import FairPool


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'pool.db'}")  # one connection
    yield engine
    await engine.dispose()


async def test_a_newcomer_queues_behind_the_waiters(engine: AsyncEngine) -> None:
    served: list[str] = []

    async def request(name: str) -> None:
        async with engine.connect() as connection:
            served.append(name)
            await connection.execute(text("SELECT 1"))

    holder = await engine.connect()
    await holder.execute(text("SELECT 1"))
    waiting = [asyncio.create_task(request(name)) for name in ("first", "second")]
    await asyncio.sleep(0.05)  # both wait for the one connection
    # Ready to run when the connection comes back, as the next request of a busy server is:
    newcomer = asyncio.create_task(request("newcomer"))
    await holder.close()
    await asyncio.gather(*waiting, newcomer)
    assert served == ["first", "second", "newcomer"]  # SQLAlchemy's own: newcomer first


async def test_a_waiter_whose_time_runs_out_gets_the_pools_timeout(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'timeout.db'}"
    engine = create_async_engine(url, poolclass=FairPool, pool_size=1, max_overflow=0,
                                 pool_timeout=0.2)  # fmt: skip
    try:
        async with engine.connect():
            with pytest.raises(PoolTimeout):
                await engine.connect()
        assert engine.pool.checkedin() == 1  # nothing lost, and the next caller is served
        async with engine.connect() as connection:
            assert await connection.scalar(text("SELECT 1")) == 1
    finally:
        await engine.dispose()


async def test_a_cancelled_waiter_takes_no_connection_with_it(engine: AsyncEngine) -> None:
    holder = await engine.connect()
    await holder.execute(text("SELECT 1"))
    leaving = asyncio.create_task(engine.connect().start())
    staying = asyncio.create_task(engine.connect().start())
    await asyncio.sleep(0.05)  # both wait
    leaving.cancel()
    await asyncio.sleep(0)
    await holder.close()
    connection = await asyncio.wait_for(staying, 5)
    assert await connection.scalar(text("SELECT 2")) == 2
    await connection.close()
    assert leaving.cancelled()
    assert engine.pool.checkedin() == 1


async def test_a_connection_handed_to_a_waiter_that_then_leaves_goes_to_the_next(
    engine: AsyncEngine,
) -> None:
    holder = await engine.connect()
    await holder.execute(text("SELECT 1"))
    leaving = asyncio.create_task(engine.connect().start())
    staying = asyncio.create_task(engine.connect().start())
    await asyncio.sleep(0.05)
    await holder.close()  # handed to `leaving`, which has not run since
    leaving.cancel()
    connection = await asyncio.wait_for(staying, 5)
    assert await connection.scalar(text("SELECT 3")) == 3
    await connection.close()
    with pytest.raises(asyncio.CancelledError):
        await leaving
    assert engine.pool.checkedin() == 1


async def test_a_free_connection_is_taken_at_once_outside_the_greenlet(
    engine: AsyncEngine,
) -> None:
    async with engine.connect() as connection:  # opened (the greenlet's work), then handed back
        await connection.execute(text("SELECT 1"))
    pool = engine.pool
    assert isinstance(pool, FairPool)
    taken = pool.connect_now()
    assert taken is not None and pool.checkedout() == 1
    assert pool.connect_now() is None  # the one connection is out: a caller must wait
    assert taken.driver_connection.run_now("SELECT 41 + 1", [], True) == [(42,)]
    taken.close()
    assert pool.checkedin() == 1


async def test_a_connection_that_must_be_opened_again_is_not_taken_at_once(
    engine: AsyncEngine,
) -> None:
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
        await connection.invalidate()  # lost: the next checkout opens a new one
    pool = engine.pool
    assert isinstance(pool, FairPool)
    assert pool.connect_now() is None
    async with engine.connect() as connection:  # the greenlet's way opens it
        assert await connection.scalar(text("SELECT 5")) == 5
    taken = pool.connect_now()
    assert taken is not None
    taken.close()  # back to the pool, as a session gives it back


async def test_a_connection_due_for_recycling_is_not_taken_at_once(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'recycle.db'}"
    engine = create_async_engine(url, poolclass=FairPool, pool_size=1, max_overflow=0,
                                 pool_recycle=0.05)  # fmt: skip
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        pool = engine.pool
        assert isinstance(pool, FairPool)
        await asyncio.sleep(0.1)
        assert pool.connect_now() is None
        async with engine.connect() as connection:
            assert await connection.scalar(text("SELECT 6")) == 6
    finally:
        await engine.dispose()
