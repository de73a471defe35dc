"""`hot_sql.Hot` on both databases: in the session's transaction, values and errors as
SQLAlchemy gives them."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk.hot_sql import Hot
from relaydesk.models import Organization

from .orgs import Org

ORGS: Table = Organization.__table__  # type: ignore[assignment]
READ = select(ORGS.c.name, ORGS.c.created_at, ORGS.c.allowed_origins, ORGS.c.kb_version)
READ = READ.where(ORGS.c.id == bindparam("org_id"))
RENAME = update(ORGS).where(ORGS.c.id == bindparam("org_id")).values(name=bindparam("name"))


async def test_it_reads_what_sqlalchemy_reads(
    db: async_sessionmaker[AsyncSession], org: Org
) -> None:
    """Datetimes, JSON and integers come back converted as SQLAlchemy's own result has them."""
    async with db() as session:
        ours = await Hot(READ).first(session, {"org_id": org.id})
        theirs = (await session.execute(READ, {"org_id": org.id})).one()
    assert tuple(ours) == tuple(theirs) and ours.created_at.tzinfo is not None
    assert ours.name == theirs.name and isinstance(ours.allowed_origins, list)


async def test_it_writes_in_the_sessions_transaction(
    db: async_sessionmaker[AsyncSession], org: Org
) -> None:
    """Rolled back with the session, and committed with it, even as its first statement."""
    rename = Hot(RENAME.returning(ORGS.c.name))
    async with db() as session:
        assert (await rename.first(session, {"org_id": org.id, "name": "Gone"})).name == "Gone"
        await session.rollback()
        assert (await session.execute(READ, {"org_id": org.id})).one().name != "Gone"
        await rename.rows(session, {"org_id": org.id, "name": "Kept"})
        await session.commit()
    async with db() as session:
        assert (await session.execute(READ, {"org_id": org.id})).one().name == "Kept"


async def test_a_constraint_it_breaks_is_sqlalchemys_integrity_error(
    db: async_sessionmaker[AsyncSession], org: Org
) -> None:
    copy = Hot(
        insert(ORGS).from_select(
            [c.name for c in ORGS.c],
            select(*ORGS.c).where(ORGS.c.id == bindparam("org_id")),
        )
    )
    async with db() as session:
        with pytest.raises(IntegrityError):
            await copy.rows(session, {"org_id": org.id})
        await session.rollback()
        assert (await Hot(READ).first(session, {"org_id": org.id})) is not None


async def test_a_value_left_out_is_refused_by_name(
    db: async_sessionmaker[AsyncSession], org: Org
) -> None:
    """A column default is not run by `Hot`: leaving its value out is an error, not a NULL."""
    async with db() as session:
        with pytest.raises(KeyError, match="name"):
            await Hot(RENAME).rows(session, {"org_id": org.id})


async def test_returning_added_to_a_statement_already_run_gives_its_rows(
    db: async_sessionmaker[AsyncSession], org: Org
) -> None:
    """SQLAlchemy's `exported_columns` of `RENAME.returning(…)` is the stale empty list once
    `RENAME`'s was read; the rows come from what the compiler saw."""
    async with db() as session:
        await Hot(RENAME).rows(session, {"org_id": org.id, "name": "First"})
        renamed = await Hot(RENAME.returning(ORGS.c.name)).first(
            session, {"org_id": org.id, "name": "Second"}
        )
    assert renamed is not None and renamed.name == "Second"


async def test_a_read_that_does_not_begin_runs_on_its_own_and_a_write_after_it_still_begins(
    db: async_sessionmaker[AsyncSession], org: Org
) -> None:
    """On PostgreSQL a `begins=False` read outside a transaction reads its own snapshot (its
    `now()` moves on); a write after it in the same session begins one, so a rollback undoes
    it. SQLite reads outside a transaction by itself."""
    clock = Hot(select(func.now().label("at")), begins=False)
    rename = Hot(RENAME)
    async with db() as session:
        first = (await clock.first(session, {})).at
        await asyncio.sleep(0.05)
        second = (await clock.first(session, {})).at
        await rename.rows(session, {"org_id": org.id, "name": "Undone"})
        in_transaction = (await Hot(select(func.now().label("at"))).first(session, {})).at
        await asyncio.sleep(0.05)
        still = (await Hot(select(func.now().label("at"))).first(session, {})).at
        await session.rollback()
        assert (await Hot(READ).first(session, {"org_id": org.id})).name != "Undone"
    if session.bind.dialect.name == "postgresql":
        assert first != second and in_transaction == still


STAMP = update(ORGS).where(ORGS.c.id == bindparam("org_id")).values(created_at=bindparam("at"))
STORED = select(func.cast(ORGS.c.created_at, ORGS.c.name.type))
STORED = STORED.where(ORGS.c.id == bindparam("org_id"))


@pytest.mark.parametrize(
    "at",
    [
        datetime(2026, 12, 6, 19, 54, 58, 517970, tzinfo=UTC),
        datetime(2026, 1, 1, 0, 0, 0, 0, tzinfo=UTC),  # no microseconds: still six digits
        datetime(2026, 3, 29, 2, 30, 0, 5, tzinfo=timezone(timedelta(hours=-7))),  # not UTC
        datetime(999, 5, 4, 3, 2, 1, tzinfo=UTC),  # a year of three digits
    ],
)
async def test_a_datetime_is_stored_and_read_as_sqlalchemy_does(
    db: async_sessionmaker[AsyncSession], org: Org, at: datetime
) -> None:
    """`UTCDateTime`'s direct processors (SQLite) write the text SQLAlchemy's own chain writes,
    and read back the same aware UTC datetime; a naive one is refused alike."""
    values = {"org_id": org.id, "at": at}
    async with db() as session:
        await Hot(STAMP).rows(session, values)
        ours = await session.scalar(STORED, values)
        ours_read = await Hot(READ).first(session, values)
        await session.execute(STAMP, values)
        theirs = await session.scalar(STORED, values)
        theirs_read = (await session.execute(READ, values)).one()
        await session.rollback()
        with pytest.raises(Exception, match="naive datetime"):
            await Hot(STAMP).rows(session, {"org_id": org.id, "at": at.replace(tzinfo=None)})
    assert ours == theirs
    assert ours_read.created_at == theirs_read.created_at == at
    assert ours_read.created_at.utcoffset() == timedelta(0)
