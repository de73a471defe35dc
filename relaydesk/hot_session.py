"""The sessions `db.session_factory` makes, for the `Hot` statements of `hot_sql.py`.

A `HotSession` that has not begun a transaction does not begin one for its first `Hot`
statement: it takes a pooled connection of its own, without the ORM's transaction, and commits
it at `commit()`. A session whose work is `Hot` statements alone (a rep reply, a job's end) so
costs a fraction of one that goes through the ORM; on SQLite it also commits and gives its
connection back without a trip through SQLAlchemy's greenlet. Should the ORM then be asked for a
connection (a flush, an `execute`, a `get`), it is given that same pooled connection, inside the
same transaction, and the commit goes through the ORM as usual.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, Dialect, Engine, PoolProxiedConnection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from .sqlite_inline import InlineConnection

# Where a session keeps what `hot_sql` took: its driver connection, and a pooled connection of
# its own (`Checkout`) when it took one outside the ORM's transaction.
HELD, CHECKOUT = "hot_sql", "hot_sql_checkout"


@dataclass
class Checkout:
    """The pooled connection a `HotSession` took for its `Hot` statements, and the ORM's
    `Connection` over it once the ORM asked for one."""

    fairy: PoolProxiedConnection
    joined: Connection | None = None


class HotSession(Session):
    """A session whose `Hot` statements need no ORM transaction (`hot_sql._take`): it commits, rolls
    back and closes the connection they took, or hands it to the ORM when that needs one."""

    def get_bind(self, mapper: Any = None, **kw: Any) -> Engine | Connection:
        checkout: Checkout | None = self.info.get(CHECKOUT)
        if checkout is None or kw.get("bind") is not None or not isinstance(self.bind, Engine):
            return super().get_bind(mapper, **kw)
        if checkout.joined is None:  # the ORM's first statement: it begins on this connection
            checkout.joined = Connection(self.bind, connection=checkout.fairy)
        return checkout.joined

    def commit(self) -> None:
        checkout: Checkout | None = self.info.get(CHECKOUT)
        if checkout is None:
            return super().commit()
        if self.hot_only() is not None:
            adapted = checkout.fairy.dbapi_connection
            assert adapted is not None  # checked out, so not yet returned to the pool
            try:
                adapted.commit()  # Hot statements alone: the driver's transaction
            except Exception as error:
                assert self.bind is not None  # the engine the connection was taken from
                raised = driver_error(self.bind.dialect, adapted, "COMMIT", [], error)
                if isinstance(raised, DBAPIError) and self.bind.dialect.is_disconnect(
                    cast(Any, raised.orig), adapted, None
                ):
                    checkout.fairy.invalidate(raised)  # the pool opens a new one, not this
                raise raised from error
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

    def hot_only(self) -> Checkout | None:
        """The connection taken for `Hot` statements, when they are all this session did."""
        checkout: Checkout | None = self.info.get(CHECKOUT)
        if checkout is None or checkout.joined is not None:
            return None
        return None if self.new or self.dirty or self.deleted else checkout

    def _give_back(self, committed: bool = False) -> None:
        """The connection back to the pool, its transaction rolled back if still open (not when
        it was just `committed`: the pool's rollback would cost an await on SQLite)."""
        checkout: Checkout | None = self.info.pop(CHECKOUT, None)
        self.info.pop(HELD, None)
        if checkout is None:
            return
        if checkout.joined is not None:
            checkout.joined.close()
        elif committed:  # what SQLAlchemy's `Connection.close` does after its own commit
            checkout.fairy._close_special(transaction_reset=True)
        else:
            checkout.fairy.close()


class HotAsyncSession(AsyncSession):
    """The `AsyncSession` of a `HotSession`: closing one that holds no connection and no rows
    (it committed, or never touched the database) has nothing to do, so it does nothing: no
    trip through SQLAlchemy's greenlet, no task of its own."""

    sync_session: HotSession

    async def commit(self) -> None:
        """On SQLite, a session of `Hot` statements alone commits on the loop's thread, as they
        ran: no trip through SQLAlchemy's greenlet for the commit nor for the pool's check-in."""
        sync = self.sync_session
        checkout = sync.hot_only()
        if checkout is None or not isinstance(checkout.fairy.driver_connection, InlineConnection):
            return await super().commit()
        try:
            await checkout.fairy.driver_connection.commit()
        except Exception as error:
            bind = sync.bind
            assert bind is not None  # the engine the connection was taken from
            adapted = checkout.fairy.dbapi_connection
            raise driver_error(bind.dialect, adapted, "COMMIT", [], error) from error
        sync._give_back(committed=True)

    async def close(self) -> None:
        self._end_on_the_loop()
        if not self._holds_nothing():  # else there is nothing to give back, nor to forget
            await super().close()

    async def __aexit__(self, type_: Any, value: Any, traceback: Any) -> None:
        self._end_on_the_loop()
        if not self._holds_nothing():
            await super().__aexit__(type_, value, traceback)

    def _end_on_the_loop(self) -> None:
        """A session whose `Hot` statements alone took a SQLite connection gives it back on the
        loop's thread, what they wrote and did not commit rolled back there: no trip through
        SQLAlchemy's greenlet (a job that only reads, such as a status report's)."""
        sync = self.sync_session
        checkout = sync.hot_only()
        if checkout is None or sync.identity_map:
            return
        driver = checkout.fairy.driver_connection
        if isinstance(driver, InlineConnection):
            if driver.in_transaction:
                driver.raw.rollback()
            sync._give_back(committed=True)  # no transaction left for the pool to reset

    def _holds_nothing(self) -> bool:
        sync = self.sync_session
        return (
            sync.get_transaction() is None
            and CHECKOUT not in sync.info
            and not sync.identity_map
            and not (sync.new or sync.deleted)
        )


def driver_error(
    dialect: Dialect, adapted: Any, sql: str, args: list[Any], error: Exception
) -> Exception:
    """The driver's error as SQLAlchemy raises it, so callers catch `IntegrityError` alike."""
    dbapi = dialect.loaded_dbapi
    if not isinstance(error, dbapi.Error):
        try:  # the driver's own errors, as the adapter maps them (it may invalidate the connection)
            adapted._handle_exception(error)
        except Exception as mapped:
            error = mapped
    if not isinstance(error, dbapi.Error):
        return error
    return DBAPIError.instance(sql, args, error, dbapi.Error)
