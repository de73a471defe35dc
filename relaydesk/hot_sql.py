"""Statements of the message paths, run on the session's own driver connection.

SQLAlchemy costs about three times what SQLite itself spends on one of our small indexed
statements: looking the compiled form up, building the parameters, the execution context, the
result. For the few statements every visitor message runs, `Hot` does that work once per
dialect: the SQL text, the order of its parameters with their types' bind processors, and the
result columns with their result processors. It then runs them on the very driver connection,
and in the very transaction, that the session holds, so they commit or roll back with the rest.

Only plain statements qualify: no expanding `IN` lists, no ORM entities in the result.

A `HotSession` (`hot_session.py`) that has not begun a transaction does not begin one for its
first `Hot` statement: it takes a pooled connection of its own (`_take`), at once when one is
free and ready (`FairPool.connect_now`), else in SQLAlchemy's greenlet.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import Dialect, Engine, PoolProxiedConnection
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.expression import Executable
from sqlalchemy.util import greenlet_spawn

from .fair_pool import FairPool
from .hot_session import CHECKOUT, HELD, Checkout, HotSession, driver_error
from .sqlite_inline import InlineConnection

Processor = Callable[[Any], Any]
# Called with each statement's SQL before it runs (`python -m bench statements` counts them
# here: SQLAlchemy's own events do not see these statements).
listeners: list[Callable[[str], None]] = []


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]  # the parameters, in the order the SQL text takes them
    built: dict[str, Any]  # the values some were built with, which `values` may override
    take: Callable[[Mapping[str, Any]], list[Any]]  # the parameters' values, in that order
    binds: tuple[tuple[int, Processor], ...]  # the parameters with a bind processor, by place
    row: Callable[..., Any] | None  # a named tuple of the result's columns, or no result
    results: tuple[tuple[int, Processor], ...]  # the result columns with a processor


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
        held = _current(session) or await _take(session)
        compiled = self._for(held.dialect)
        given = {**compiled.built, **values} if compiled.built else values
        try:
            args = compiled.take(given)
        except KeyError:
            missing = [name for name in compiled.names if name not in given]
            raise KeyError(f"no value for {', '.join(missing)}") from None  # no default is run
        for at, process in compiled.binds:
            args[at] = process(args[at])
        for listener in listeners:
            listener(compiled.sql)
        driver, fetch = held.driver, compiled.row is not None
        try:
            if held.inline:
                found = driver.run_now(compiled.sql, args, fetch)
                raw = found if found is not None else await driver.run(compiled.sql, args, fetch)
            else:
                if self.begins and held.adapted._transaction is None:
                    await held.adapted._start_transaction()  # as SQLAlchemy's adapter does
                raw = await driver.fetch(compiled.sql, *args)
        except Exception as error:  # as SQLAlchemy would raise it (IntegrityError, ...)
            raise driver_error(held.dialect, held.adapted, compiled.sql, args, error) from error
        if compiled.row is None:
            return []
        if not compiled.results:
            return [compiled.row(*r) for r in raw]
        return [_row(compiled, r) for r in raw]

    async def first(self, session: AsyncSession, values: Mapping[str, Any]) -> Any:
        rows = await self.rows(session, values)
        return rows[0] if rows else None


async def outside_transaction(session: AsyncSession) -> bool:
    """Whether a `begins=False` statement run now commits on its own: PostgreSQL, and no
    transaction begun yet. A single statement commits whole or not at all, and alone it saves
    the round trips of BEGIN and COMMIT."""
    held = _current(session) or await _take(session)
    return not held.inline and held.adapted._transaction is None


@dataclass(frozen=True)
class _Held:
    transaction: object  # the session's transaction these belong to
    dialect: Dialect
    adapted: Any  # SQLAlchemy's adapter of the driver's connection
    driver: Any  # InlineConnection, or asyncpg's connection (whose adapter begins transactions)
    inline: bool  # SQLite on the loop's thread (`sqlite_inline`), which begins its own


def _current(session: AsyncSession) -> _Held | None:
    """The driver connection of the session's transaction, if a statement already took it."""
    sync = session.sync_session
    held: _Held | None = sync.info.get(HELD)
    if held is None:
        return None
    checkout: Checkout | None = sync.info.get(CHECKOUT)
    current = checkout if checkout is not None else sync.get_transaction()
    return held if held.transaction is current else None


async def _take(session: AsyncSession) -> _Held:
    """The session's transaction's driver connection, looked up once per transaction: a
    `HotSession` with no transaction yet takes a pooled connection of its own (`Checkout`)."""
    sync = session.sync_session
    if sync.get_transaction() is None and isinstance(sync, HotSession):
        bind = sync.bind
        if isinstance(bind, Engine):
            pool = bind.pool
            fairy = pool.connect_now() if isinstance(pool, FairPool) else None
            if fairy is None:  # it may wait on the driver: in SQLAlchemy's greenlet
                fairy = await greenlet_spawn(bind.raw_connection)
            checkout = sync.info[CHECKOUT] = Checkout(fairy)
            held = _held_on(checkout, bind.dialect, fairy)
            sync.info[HELD] = held
            return held
    connection = await session.connection()  # the session's connection for its transaction
    pooled = connection.sync_connection.connection  # type: ignore[union-attr]
    held = _held_on(sync.get_transaction(), connection.dialect, pooled)
    sync.info[HELD] = held
    return held


def _held_on(transaction: object, dialect: Dialect, pooled: PoolProxiedConnection) -> _Held:
    driver = pooled.driver_connection
    inline = isinstance(driver, InlineConnection)
    return _Held(transaction, dialect, pooled.dbapi_connection, driver, inline)


def _row(compiled: _Compiled, raw: Any) -> Any:
    assert compiled.row is not None
    values = list(raw)
    for at, process in compiled.results:
        values[at] = process(values[at])
    return compiled.row(*values)


def _compile(statement: Executable, dialect: Dialect) -> _Compiled:
    compiled = statement.compile(dialect=dialect)  # type: ignore[attr-defined]
    if "POSTCOMPILE" in compiled.string:
        raise ValueError("expanding parameters are not supported by Hot")
    names = tuple(compiled.positiontup or [])
    binds = [compiled.binds[name] for name in names]
    built = {name: b.value for name, b in zip(names, binds, strict=True) if b.value is not None}
    processors = [_bind_processor(bind.type, dialect) for bind in binds]
    processed = tuple((at, p) for at, p in enumerate(processors) if p is not None)
    take = _taker(names)
    # The result's columns as the compiler saw them (a statement's `exported_columns` can be
    # stale: `.returning()` on a statement whose columns were read before keeps the old list).
    columns = [(key, type_) for key, _name, _objects, type_ in compiled._result_columns]
    if not columns:
        return _Compiled(compiled.string, names, built, take, processed, None, ())
    row = namedtuple("Row", [key for key, _ in columns], rename=True)  # type: ignore[misc]
    results = [_result_processor(type_, dialect) for _, type_ in columns]
    converted = tuple((at, p) for at, p in enumerate(results) if p is not None)
    return _Compiled(compiled.string, names, built, take, processed, row, converted)


def _bind_processor(type_: Any, dialect: Dialect) -> Processor | None:
    """A type's own direct processor for `dialect` if it has one (`UTCDateTime` on SQLite: one
    call where SQLAlchemy chains three), else SQLAlchemy's."""
    found = _direct(type_, dialect)
    if found is not None:
        return found[0]
    processor: Processor | None = type_._cached_bind_processor(dialect)
    return processor


def _result_processor(type_: Any, dialect: Dialect) -> Processor | None:
    found = _direct(type_, dialect)
    if found is not None:
        return found[1]
    processor: Processor | None = type_._cached_result_processor(dialect, None)
    return processor


def _direct(type_: Any, dialect: Dialect) -> tuple[Processor, Processor] | None:
    direct = getattr(type_, "direct_processors", None)
    found: tuple[Processor, Processor] | None = direct(dialect) if direct is not None else None
    return found


def _taker(names: tuple[str, ...]) -> Callable[[Mapping[str, Any]], list[Any]]:
    """The values of `names` from a mapping, in order, in one call (`KeyError` for one missing)."""
    if not names:
        return lambda _values: []
    if len(names) == 1:
        (name,) = names
        return lambda values: [values[name]]
    getter = itemgetter(*names)
    return lambda values: list(getter(values))
