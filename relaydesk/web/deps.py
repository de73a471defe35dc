"""Dependencies for routes: the session, the runtime, the authenticated widget visitor."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, cast

from fastapi import Depends, Header, Request
from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..conversation_sql import VISITORS
from ..errors import RateLimited, Unauthorized
from ..hot_sql import Hot
from ..identity import read_visitor_token
from ..models import Organization, Visitor, utcnow
from ..organizations import HasOrigins, check_origin, normalize_origin
from ..runtime import Runtime


async def get_runtime(request: Request) -> Runtime:
    # async: FastAPI runs a plain function dependency in a thread pool, a thread hop per request.
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_session(runtime: RuntimeDep) -> AsyncIterator[AsyncSession]:
    """One session per request; the route commits (see `db.commit`), anything else rolls back."""
    async with runtime.sessions() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def limit_ip(request: Request, runtime: RuntimeDep) -> None:
    per_minute = runtime.settings.limits.ip_requests_per_minute
    wait = await runtime.limiter.acquire(
        f"ip:{client_ip(request)}", per_minute / 60, per_minute / 4
    )
    if wait:
        raise RateLimited("too many requests from this address", retry_after=wait)


IpLimited = Depends(limit_ip)


def allow_origin(runtime: Runtime, organization: HasOrigins, origin: str | None) -> None:
    own = normalize_origin(runtime.settings.public_base_url)
    if origin is not None and normalize_origin(origin) == own:
        return
    check_origin(organization, origin)


# Built once: every widget call and socket runs it (building a statement costs more than
# running it).
VISITOR_OF_TOKEN = (
    select(Visitor, Organization)
    .join(Organization, Organization.id == Visitor.organization_id)
    .where(
        Visitor.id == bindparam("visitor_id"),
        Organization.id == bindparam("organization_id"),
    )
)


@dataclass(frozen=True)
class WidgetAuth:
    visitor: Visitor
    organization: Organization


def bearer(authorization: str | None) -> str:
    if not authorization or not authorization.lower().startswith("bearer "):
        raise Unauthorized("missing bearer token")
    return authorization[7:].strip()


async def load_visitor(
    session: AsyncSession, runtime: Runtime, token: str, origin: str | None
) -> WidgetAuth:
    claims = read_visitor_token(runtime.secret, token)
    ids = {"visitor_id": claims.visitor_id, "organization_id": claims.organization_id}
    row = (await session.execute(VISITOR_OF_TOKEN, ids)).first()
    if row is None:
        raise Unauthorized("unknown visitor", code="invalid_visitor_token")
    visitor, organization = row
    allow_origin(runtime, organization, origin)
    return WidgetAuth(visitor, organization)


async def get_widget_auth(
    session: SessionDep,
    runtime: RuntimeDep,
    authorization: Annotated[str | None, Header()] = None,
    origin: Annotated[str | None, Header()] = None,
) -> WidgetAuth:
    return await load_visitor(session, runtime, bearer(authorization), origin)


WidgetVisitor = Annotated[WidgetAuth, Depends(get_widget_auth)]


# A visitor sending a message: their row locked (serializing their writes: a row lock on
# PostgreSQL, the write lock on SQLite) and what the message needs of it, in one statement.
ORGANIZATIONS = cast(Table, Organization.__table__)
ORIGINS_OF = (
    select(ORGANIZATIONS.c.allowed_origins)
    .where(ORGANIZATIONS.c.id == VISITORS.c.organization_id)
    .scalar_subquery()
)
LOCK_SENDER = Hot(
    update(VISITORS)
    .where(
        VISITORS.c.id == bindparam("visitor_id"),
        VISITORS.c.organization_id == bindparam("organization_id"),
    )
    .values(last_seen_at=bindparam("now"))
    .returning(
        VISITORS.c.id,
        VISITORS.c.organization_id,
        VISITORS.c.name,
        ORIGINS_OF.label("allowed_origins"),
    )
)


@dataclass(frozen=True)
class Sender:
    """The visitor of a message being sent, locked until the request's transaction ends."""

    id: str
    organization_id: str
    name: str | None
    allowed_origins: list[str]


async def get_sender(
    session: SessionDep,
    runtime: RuntimeDep,
    authorization: Annotated[str | None, Header()] = None,
    origin: Annotated[str | None, Header()] = None,
) -> Sender:
    claims = read_visitor_token(runtime.secret, bearer(authorization))
    ids = {"visitor_id": claims.visitor_id, "organization_id": claims.organization_id}
    row = await LOCK_SENDER.first(session, ids | {"now": utcnow()})
    if row is None:
        raise Unauthorized("unknown visitor", code="invalid_visitor_token")
    sender = Sender(row.id, row.organization_id, row.name, row.allowed_origins or [])
    allow_origin(runtime, sender, origin)
    return sender


MessageSender = Annotated[Sender, Depends(get_sender)]
Origin = Annotated[str | None, Header()]
