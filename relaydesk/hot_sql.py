"""Statements of the message paths, run on the session's own driver connection.

SQLAlchemy costs about three times what SQLite itself spends on one of our small indexed
statements: looking the compiled form up, building the parameters, the execution context, the
result. For the few statements every visitor message runs, `Hot` does that work once per
dialect: the SQL text, the order of its parameters with their types' bind processors, and the
result columns with their result processors. It then runs them on the very driver connection,
and in the very transaction, that the session holds, so they commit or roll back with the rest.

Only plain statements qualify: no expanding `IN` lists, no ORM entities in the result.

A `HotSession` (the sessions `db.session_factory` makes) that has not begun a transaction does
not begin one for its first `Hot` statement: it takes a pooled connection of its own, without the
ORM's transaction, and commits it at `commit()`. A session whose work is `Hot` statements alone
(a rep reply, a job's end) so costs a fraction of one that goes through the ORM. Should the ORM
then be asked for a connection (a flush, an `execute`, a `get`), it is given that same pooled
connection, inside the same transaction, and the commit goes through the ORM as usual.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Dialect, Engine, PoolProxiedConnection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Executable
from sqlalchemy.util import greenlet_spawn

from .sqlite_inline import InlineConnection, InlineCursor

Processor = Callable[[Any], Any] | None
# Called with each statement's SQL before it runs (`python -m bench statements` counts them
# here: SQLAlchemy's own events do not see these statements).
listeners: list[Callable[[str], None]] = []
_MISSING = object()  # a parameter given no value when the statement was built


@dataclass(frozen=True)
class _Compiled:
    sql: str
    # In the order the SQL text takes them: name, bind processor, the value it was built with.
    params: tuple[tuple[str, Processor, Any], ...]
    row: Callable[..., Any] | None  # a named tuple of the result's columns, or no result
    results: tuple[Processor, ...]


class Hot:
    """A statement compiled once per dialect and run on the session's driver connection.

    `begins=False` (reads only): run on its own when the session has not begun a transaction
    on PostgreSQL, as SQLite runs a read outside one; at READ COMMITTED each statement reads
    its own snapshot either way, and the read saves the BEGIN and ROLLBACK round trips.
    """

    def __init__(self, statement: Executable, *, begins: bool = True) -> None:
        self.statement = statement
        self.begins = begins
        self._compiled: dict[str, _Compiled] = {}

    def _for(self, dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self._compiled[dialect.name] = _compile(self.statement, dialect)
        return compiled

    async def rows(self, session: AsyncSession, values: Mapping[str, Any]) -> list[Any]:
        """Run it in the session's transaction; its rows (an empty list without a result)."""
        held = await _held(session)
        compiled = self._for(held.dialect)
        given = [values.get(name, built) for name, _, built in compiled.params]
        if any(value is _MISSING for value in given):
            missing = [p[0] for p, v in zip(compiled.params, given, strict=True) if v is _MISSING]
            raise KeyError(f"no value for {', '.join(missing)}")  # a column default is not run
        processors = (process for _, process, _ in compiled.params)
        args = [v if p is None else p(v) for v, p in zip(given, processors, strict=True)]
        adapted = held.adapted
        if held.pooled_begins and self.begins and adapted._transaction is None:
            await adapted._start_transaction()  # SQLAlchemy's asyncpg adapter does so too
        for listener in listeners:
            listener(compiled.sql)
        try:
            raw = await _run(held, compiled, args)
        except Exception as error:  # as SQLAlchemy would raise it (IntegrityError, ...)
            raise _translated(held, compiled.sql, args, error) from error
        if compiled.row is None:
            return []
        return [_row(compiled, r) for r in raw]

    async def first(self, session: AsyncSession, values: Mapping[str, Any]) -> Any:
        rows = await self.rows(session, values)
        return rows[0] if rows else None


async def outside_transaction(session: AsyncSession) -> bool:
    """Whether a `begins=False` statement run now commits on its own: PostgreSQL, and no
    transaction begun yet. A single statement commits whole or not at all, and alone it saves
    the round trips of BEGIN and COMMIT."""
    held = await _held(session)
    return held.pooled_begins and held.adapted._transaction is None


@dataclass(frozen=True)
class _Held:
    transaction: object  # the session's transaction these belong to
    dialect: Dialect
    adapted: Any  # SQLAlchemy's adapter of the driver's connection
    driver: Any  # InlineConnection, or asyncpg's connection
    pooled_begins: bool  # the adapter begins transactions itself (asyncpg; sqlite3 begins its own)


async def _run(held: _Held, compiled: _Compiled, args: list[Any]) -> list[Any]:
    driver = held.driver
    if not isinstance(driver, InlineConnection):
        return list(await driver.fetch(compiled.sql, *args))
    cursor = InlineCursor(driver)  # retries while another process holds the write lock
    try:
        await cursor.execute(compiled.sql, args)
        return await cursor.fetchall() if compiled.row is not None else []
    finally:
        await cursor.close()


def _translated(held: _Held, sql: str, args: list[Any], error: Exception) -> Exception:
    """The driver's error as SQLAlchemy raises it, so callers catch `IntegrityError` alike."""
    dbapi = held.dialect.loaded_dbapi
    if not isinstance(error, dbapi.Error):
        try:  # asyncpg's own errors, as the adapter maps them (it may invalidate the connection)
            held.adapted._handle_exception(error)
        except Exception as mapped:
            error = mapped
    if not isinstance(error, dbapi.Error):
        return error
    return DBAPIError.instance(sql, args, error, dbapi.Error)


async def _held(session: AsyncSession) -> _Held:
    """The session's transaction's driver connection, looked up once per transaction: a
    `HotSession` with no transaction yet takes a pooled connection of its own (`_Checkout`)."""
    held: _Held | None = session.info.get(HELD)
    checkout: _Checkout | None = session.info.get(CHECKOUT)
    transaction = session.sync_session.get_transaction()
    if held is not None and (
        held.transaction is checkout if checkout is not None else held.transaction is transaction
    ):
        return held
    sync = session.sync_session
    if transaction is None and isinstance(sync, HotSession) and isinstance(sync.bind, Engine):
        fairy = await greenlet_spawn(sync.bind.raw_connection)
        checkout = session.info[CHECKOUT] = _Checkout(fairy)
        driver = fairy.driver_connection
        begins = not isinstance(driver, InlineConnection)
        held = _Held(checkout, sync.bind.dialect, fairy.dbapi_connection, driver, begins)
        session.info[HELD] = held
        return held
    connection = await session.connection()  # the session's connection for its transaction
    pooled = connection.sync_connection.connection  # type: ignore[union-attr]
    adapted: Any = pooled.dbapi_connection
    driver = pooled.driver_connection
    begins = not isinstance(driver, InlineConnection)
    transaction = session.sync_session.get_transaction()
    held = _Held(transaction, connection.dialect, adapted, driver, begins)
    session.info[HELD] = held
    return held


HELD, CHECKOUT = "hot_sql", "hot_sql_checkout"


@dataclass
class _Checkout:
    """The pooled connection a `HotSession` took for its `Hot` statements, and the ORM's
    `Connection` over it once the ORM asked for one."""

    fairy: PoolProxiedConnection
    joined: Connection | None = None


class HotSession(Session):
    """A session whose `Hot` statements need no ORM transaction (`_held`): it commits, rolls
    back and closes the connection they took, or hands it to the ORM when that needs one."""

    def get_bind(self, mapper: Any = None, **kw: Any) -> Engine | Connection:
        checkout: _Checkout | None = self.info.get(CHECKOUT)
        if checkout is None or kw.get("bind") is not None or not isinstance(self.bind, Engine):
            return super().get_bind(mapper, **kw)
        if checkout.joined is None:  # the ORM's first statement: it begins on this connection
            checkout.joined = Connection(self.bind, connection=checkout.fairy)
        return checkout.joined

    def commit(self) -> None:
        checkout: _Checkout | None = self.info.get(CHECKOUT)
        if checkout is None:
            return super().commit()
        if checkout.joined is None and not (self.new or self.dirty or self.deleted):
            adapted = checkout.fairy.dbapi_connection
            assert adapted is not None  # checked out, so not yet returned to the pool
            try:
                adapted.commit()  # Hot statements alone: the driver's transaction
            except Exception as error:
                dialect = self.bind.dialect if isinstance(self.bind, Engine) else None
                raise _commit_error(dialect, error) from error
        else:
            super().commit()  # a flush, through `get_bind`, then the ORM's commit
        self._give_back()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._give_back()

    def _close_impl(self, invalidate: bool, is_reset: bool = False) -> None:
        try:
            super()._close_impl(invalidate, is_reset)
        finally:
            self._give_back()

    def _give_back(self) -> None:
        """The connection back to the pool, its transaction rolled back if still open."""
        checkout: _Checkout | None = self.info.pop(CHECKOUT, None)
        self.info.pop(HELD, None)
        if checkout is None:
            return
        if checkout.joined is not None:
            checkout.joined.close()
        else:
            checkout.fairy.close()


class HotAsyncSession(AsyncSession):
    """The `AsyncSession` of a `HotSession`: closing one that holds no connection and no rows
    (it committed, or never touched the database) needs no trip through SQLAlchemy's greenlet
    and no task of its own, only the sync session's own bookkeeping."""

    sync_session: HotSession

    async def close(self) -> None:
        if self._holds_nothing():
            self.sync_session.close()  # nothing to give back: it never waits
            return
        await super().close()

    async def __aexit__(self, type_: Any, value: Any, traceback: Any) -> None:
        if self._holds_nothing():
            self.sync_session.close()
            return
        await super().__aexit__(type_, value, traceback)

    def _holds_nothing(self) -> bool:
        sync = self.sync_session
        return (
            sync.get_transaction() is None
            and CHECKOUT not in sync.info
            and not sync.identity_map
            and not (sync.new or sync.deleted)
        )


def _commit_error(dialect: Dialect | None, error: Exception) -> Exception:
    dbapi = dialect.loaded_dbapi if dialect is not None else None
    if dbapi is None or not isinstance(error, dbapi.Error):
        return error
    return DBAPIError.instance("COMMIT", [], error, dbapi.Error)


def _row(compiled: _Compiled, raw: Any) -> Any:
    assert compiled.row is not None
    processed = zip(raw, compiled.results, strict=True)
    return compiled.row(*(v if process is None else process(v) for v, process in processed))


def _compile(statement: Executable, dialect: Dialect) -> _Compiled:
    compiled = statement.compile(dialect=dialect)  # type: ignore[attr-defined]
    if "POSTCOMPILE" in compiled.string:
        raise ValueError("expanding parameters are not supported by Hot")
    names = compiled.positiontup or []
    binds = [compiled.binds[name] for name in names]
    params = tuple(
        (
            name,
            bind.type._cached_bind_processor(dialect),
            _MISSING if bind.value is None else bind.value,
        )
        for name, bind in zip(names, binds, strict=True)
    )
    # The result's columns as the compiler saw them (a statement's `exported_columns` can be
    # stale: `.returning()` on a statement whose columns were read before keeps the old list).
    columns = [(key, type_) for key, _name, _objects, type_ in compiled._result_columns]
    if not columns:
        return _Compiled(compiled.string, params, None, ())
    row = namedtuple("Row", [key for key, _ in columns], rename=True)  # type: ignore[misc]
    results = tuple(type_._cached_result_processor(dialect, None) for _, type_ in columns)
    return _Compiled(compiled.string, params, row, results)
