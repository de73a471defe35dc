"""`hot_sql.HotSession` on both databases: a session whose first statement is `Hot` takes a
pooled connection without the ORM's transaction, and still commits, rolls back and closes as
one transaction, also when the ORM joins in later."""

from __future__ import annotations

from contextlib import nullcontext
from typing import cast

import asyncpg
import pytest
from sqlalchemy import Table, bindparam, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import session as sqlalchemy_session

from relaydesk.db import commit, create_engine, session_factory
from relaydesk.hot_session import CHECKOUT
from relaydesk.hot_sql import Hot
from relaydesk.models import Organization

from .orgs import Org
from .services import unavailable

ORGS = cast(Table, Organization.__table__)
NAME = select(ORGS.c.name).where(ORGS.c.id == bindparam("org_id"))
RENAME = Hot(update(ORGS).where(ORGS.c.id == bindparam("org_id")).values(name=bindparam("name")))


def engine_of(db: async_sessionmaker[AsyncSession]) -> AsyncEngine:
    engine = db.kw["bind"]
    assert isinstance(engine, AsyncEngine)
    return engine


async def name_of(db: async_sessionmaker[AsyncSession], org: Org) -> str:
    async with db() as session:
        return str(await session.scalar(NAME, {"org_id": org.id}))


async def test_hot_statements_alone_commit_without_an_orm_transaction(
    db: async_sessionmaker[AsyncSession], org: Org
) -> None:
    pool = engine_of(db).sync_engine.pool
    checked_out = pool.checkedout()  # type: ignore[attr-defined]
    async with db() as session:
        await RENAME.rows(session, {"org_id": org.id, "name": "Hot alone"})
        assert session.sync_session.get_transaction() is None  # no ORM transaction was begun
        assert CHECKOUT in session.info
        assert pool.checkedout() == checked_out + 1  # type: ignore[attr-defined]
        await commit(session)
        assert CHECKOUT not in session.info
        assert pool.checkedout() == checked_out  # type: ignore[attr-defined]
    assert await name_of(db, org) == "Hot alone"


async def test_the_orm_joins_the_same_transaction_and_commits_both(
    db: async_sessionmaker[AsyncSession], org: Org
) -> None:
    """The ORM's read sees the `Hot` write not yet committed: one connection, one transaction."""
    async with db() as session:
        await RENAME.rows(session, {"org_id": org.id, "name": "Hot first"})
        assert await session.scalar(NAME, {"org_id": org.id}) == "Hot first"
        organization = await session.get(Organization, org.id)
        assert organization is not None
        organization.allowed_origins = ["https://joined.example"]
        await session.commit()
    async with db() as session:
        stored = await session.get(Organization, org.id)
        assert stored is not None and stored.name == "Hot first"
        assert stored.allowed_origins == ["https://joined.example"]


@pytest.mark.parametrize("ends", ["rollback", "close", "error"])
async def test_what_is_not_committed_is_not_kept(
    db: async_sessionmaker[AsyncSession], org: Org, ends: str
) -> None:
    before = await name_of(db, org)
    pool = engine_of(db).sync_engine.pool
    checked_out = pool.checkedout()  # type: ignore[attr-defined]
    with pytest.raises(RuntimeError) if ends == "error" else nullcontext():
        async with db() as session:
            await RENAME.rows(session, {"org_id": org.id, "name": "Never"})
            if ends == "rollback":
                await session.rollback()
            elif ends == "error":
                raise RuntimeError("the request failed")
    assert pool.checkedout() == checked_out  # type: ignore[attr-defined]
    assert await name_of(db, org) == before


@pytest.mark.parametrize("ends", ["close", "error"])
async def test_a_session_of_hot_reads_gives_its_connection_back_on_sqlite_at_once(
    db: async_sessionmaker[AsyncSession], org: Org, backend: str, ends: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """Hot statements alone that are not committed (a job that only reads, a request that
    failed after a write) end without SQLAlchemy's greenlet on SQLite: the connection is back
    in the pool and what was written is not kept."""
    spawned: list[tuple[object, tuple[object, ...]]] = []
    spawn = sqlalchemy_session.greenlet_spawn

    async def counted(fn: object, *args: object, **kwargs: object) -> object:
        spawned.append((fn, args))
        return await spawn(fn, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sqlalchemy_session, "greenlet_spawn", counted)
    before = await name_of(db, org)
    pool = engine_of(db).sync_engine.pool
    checked_out = pool.checkedout()  # type: ignore[attr-defined]
    with pytest.raises(RuntimeError) if ends == "error" else nullcontext():
        async with db() as session:
            assert (await Hot(NAME).first(session, {"org_id": org.id})).name == before
            if ends == "error":
                await RENAME.rows(session, {"org_id": org.id, "name": "Never"})
                raise RuntimeError("the request failed")
    # What this session ran in the greenlet, its end included (the spy is process-wide: other
    # sessions of the test process's loop may pass through it meanwhile).
    sync = session.sync_session
    closing = [fn for fn, args in spawned if getattr(fn, "__self__", None) is sync or sync in args]
    assert pool.checkedout() == checked_out  # type: ignore[attr-defined]
    assert await name_of(db, org) == before
    if backend == "sqlite":
        assert closing == []


async def test_a_rollback_after_the_orm_joined_undoes_both(
    db: async_sessionmaker[AsyncSession], org: Org
) -> None:
    before = await name_of(db, org)
    async with db() as session:
        await RENAME.rows(session, {"org_id": org.id, "name": "Undone"})
        organization = await session.get(Organization, org.id)
        assert organization is not None
        organization.allowed_origins = ["https://undone.example"]
        await session.flush()
        await session.rollback()
    async with db() as session:
        stored = await session.get(Organization, org.id)
        assert stored is not None and stored.name == before
        assert stored.allowed_origins != ["https://undone.example"]


async def test_a_session_goes_on_after_its_commit(
    db: async_sessionmaker[AsyncSession], org: Org
) -> None:
    """The next statement after a commit takes a connection again, for a new transaction."""
    async with db() as session:
        await RENAME.rows(session, {"org_id": org.id, "name": "One"})
        await commit(session)
        await RENAME.rows(session, {"org_id": org.id, "name": "Two"})
        await session.rollback()
        await RENAME.rows(session, {"org_id": org.id, "name": "Three"})
        await commit(session)
    assert await name_of(db, org) == "Three"


async def test_an_orm_transaction_begun_first_keeps_its_own_connection(
    db: async_sessionmaker[AsyncSession], org: Org
) -> None:
    async with db() as session:
        await session.get(Organization, org.id)
        await RENAME.rows(session, {"org_id": org.id, "name": "After the ORM"})
        assert CHECKOUT not in session.info
        await session.commit()
    assert await name_of(db, org) == "After the ORM"


async def test_an_error_in_a_hot_statement_leaves_the_session_usable(
    db: async_sessionmaker[AsyncSession], org: Org
) -> None:
    duplicate = Hot(
        ORGS.insert().from_select([c.name for c in ORGS.c], select(*ORGS.c).where(
            ORGS.c.id == bindparam("org_id")
        ))
    )  # fmt: skip
    async with db() as session:
        with pytest.raises(IntegrityError):
            await duplicate.rows(session, {"org_id": org.id})
        await session.rollback()
        await RENAME.rows(session, {"org_id": org.id, "name": "Recovered"})
        await commit(session)
    assert await name_of(db, org) == "Recovered"


async def test_a_connection_lost_before_the_commit_is_not_handed_out_again(
    database_urls: dict[str, str],
) -> None:
    """PostgreSQL: the server ends the connection between a `Hot` statement and the commit. The
    commit raises, and the pool opens a new connection for the next session rather than hand
    that one out again (it did: the next session failed once with "connection is closed")."""
    url = database_urls.get("postgresql")
    if url is None:
        unavailable("PostgreSQL is not reachable on this machine")
    engine = create_engine(url, pool_size=1, max_overflow=0)  # one connection, taken again
    sessions = session_factory(engine)
    try:
        async with sessions() as session:
            backend_pid = await session.scalar(text("SELECT pg_backend_pid()"))
            await commit(session)
        with pytest.raises(DBAPIError):
            async with sessions() as session:
                await RENAME.rows(session, {"org_id": "no such organization", "name": "lost"})
                admin = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
                await admin.execute("SELECT pg_terminate_backend($1)", backend_pid)
                await admin.close()
                await commit(session)
        async with sessions() as session:
            assert await session.scalar(text("SELECT pg_backend_pid()")) != backend_pid
    finally:
        await engine.dispose()
