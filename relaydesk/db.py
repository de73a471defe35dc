"""Engine and session factories for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Insert, Table, bindparam, event, make_url
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.types import TypeEngine

from .fair_pool import FairPool
from .hot_session import HotAsyncSession, HotSession
from .hot_sql import Hot
from .json_text import compact
from .sqlite_inline import inline_connector

# JSON columns' text: `json.dumps`'s, compact, by an encoder built once (`json_text`).
JSON_TEXT = compact()
# PostgreSQL plans a prepared statement afresh for each of its first five runs on a connection,
# then settles on the generic plan when that is no worse. Our statements are lookups by key
# (the only partial indexes are `IS NOT NULL`, which an `=` on a parameter proves), so the
# generic plan is the one they settle on: planned once per connection instead of six times.
# The message path's largest statement takes about 2 ms to plan.
PG_SESSION = {"plan_cache_mode": "force_generic_plan"}


def create_engine(
    url: str, *, pool_size: int = 10, max_overflow: int = 10, busy_timeout_s: float = 30
) -> AsyncEngine:
    """Build the async engine; SQLite gets WAL, foreign keys and a busy timeout, and runs its
    statements on the event loop's thread (`sqlite_inline`)."""
    if url.startswith("sqlite"):
        # One connection: SQLite has one writer anyway, and waiting in the pool's queue is
        # first come, first served, where SQLite's busy handler sleeps in growing steps.
        path = make_url(url).database or ":memory:"
        engine = create_async_engine(
            url,
            async_creator=inline_connector(path, timeout=busy_timeout_s),
            poolclass=FairPool,
            pool_size=1,
            max_overflow=0,
            pool_timeout=60,
            json_serializer=JSON_TEXT,
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # No pre-ping: it costs a round trip per checkout; broken connections surface as errors
    # that the request or job reports and retries.
    return create_async_engine(
        url, poolclass=FairPool, pool_size=pool_size, max_overflow=max_overflow,
        pool_recycle=1800, json_serializer=JSON_TEXT,
        connect_args={"server_settings": PG_SESSION},
    )  # fmt: skip


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Deleted rows are overwritten with zeros, not left in free pages: an erased visitor's words
    # must not stay readable in the database file.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(
        engine, class_=HotAsyncSession, expire_on_commit=False, sync_session_class=HotSession
    )


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


def dialect_of(session: AsyncSession) -> str:
    bind = session.sync_session.bind  # the sync engine: `AsyncSession.bind` wraps it anew
    return bind.dialect.name if bind is not None else "sqlite"


@functools.cache
def insert_or_skip(dialect: str, table: Table, unique: str) -> Insert:
    """`INSERT … ON CONFLICT (unique) DO NOTHING` into `table`, built once per dialect and run
    with a dict of values (hot paths: building a statement costs more than running it)."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return insert(table).on_conflict_do_nothing(**conflict_target(dialect, table, unique))


def conflict_target(dialect: str, table: Table, unique: str) -> dict[str, Any]:
    """`ON CONFLICT (unique)`, with the predicate of a partial unique index on that column: both
    databases take such an index as the target only when the statement repeats it."""
    for index in table.indexes:
        if index.unique and [column.name for column in index.columns] == [unique]:
            where = index.dialect_options[dialect]["where"]
            return {"index_elements": [unique], "index_where": where}
    return {"index_elements": [unique]}


def hot_insert_or_skip(
    table: Table,
    unique: str,
    columns: Sequence[str] | None = None,
    returning: ColumnElement[Any] | None = None,
    types: Mapping[str, TypeEngine[Any]] | None = None,
) -> dict[str, Hot]:
    """`insert_or_skip` as `Hot` statements, one per dialect, every column given (`Hot` runs no
    column defaults): all of `table`'s, or `columns`. With `returning`, a row comes back only
    when the row was written. `types`: a column's value bound as another type than its own."""
    names = columns if columns is not None else [column.name for column in table.c]
    given = types or {}
    values = {n: bindparam(n, type_=given[n]) if n in given else bindparam(n) for n in names}
    statements = {}
    for dialect in ("sqlite", "postgresql"):
        written = insert_or_skip(dialect, table, unique).values(values)
        statements[dialect] = Hot(written if returning is None else written.returning(returning))
    return statements


AfterCommit = Callable[[], Awaitable[None]]


def on_commit(session: AsyncSession, callback: AfterCommit) -> None:
    """Run `callback` once the edge has committed this session's transaction."""
    session.info.setdefault("after_commit", []).append(callback)


async def commit(session: AsyncSession) -> None:
    """Commit, then run what the transaction asked to happen afterwards (pushes, wake-ups)."""
    await session.commit()
    callbacks: list[AfterCommit] = session.info.pop("after_commit", [])
    for callback in callbacks:
        await callback()
