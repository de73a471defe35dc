"""An organization's HubSpot connection row: tokens sealed in the vault, status, and the portal
client built from it. Functions taking a session never commit; the caller owns the transaction."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ...db import commit
from ...models import HubSpotConnection
from ...vault import Vault
from ..api.auth import OAuthGrant, RefreshingToken, StaticToken, TokenSource
from ..api.client import HubSpotClient
from ..api.errors import ReconnectRequired
from ..api.integration import HubSpot
from ..api.scopes import missing_scopes_advice, needs_tier

ACTIVE, SETUP, RECONNECT, ERROR, DISCONNECTED, MISSING_SCOPES, TIER_REQUIRED = (
    "active",
    "setup_required",
    "reconnect_required",
    "error",
    "disconnected",
    "missing_scopes",
    "tier_required",
)


# Built once: every delivery-status report reads the connection.
BY_ORGANIZATION = select(HubSpotConnection).where(
    HubSpotConnection.organization_id == bindparam("organization_id")
)


async def find_connection(session: AsyncSession, organization_id: str) -> HubSpotConnection | None:
    found = await session.execute(BY_ORGANIZATION, {"organization_id": organization_id})
    return found.scalar_one_or_none()


async def connection_for(session: AsyncSession, organization_id: str) -> HubSpotConnection:
    """The organization's row, created (not yet connected) on first use."""
    connection = await find_connection(session, organization_id)
    if connection is None:
        connection = HubSpotConnection(organization_id=organization_id, status=DISCONNECTED)
        session.add(connection)
        await session.flush()
    return connection


def store_grant(vault: Vault, connection: HubSpotConnection, grant: OAuthGrant) -> None:
    connection.access_token_enc = vault.seal(grant.access_token)
    connection.refresh_token_enc = vault.seal(grant.refresh_token)
    connection.token_expires_at = grant.expires_at


def store_private_token(vault: Vault, connection: HubSpotConnection, token: str) -> None:
    connection.access_token_enc = vault.seal(token)
    connection.refresh_token_enc = None
    connection.token_expires_at = None


def mark(connection: HubSpotConnection, status: str, error: str | None = None) -> None:
    connection.status = status
    connection.last_error = error


def missing_status(scopes: list[str]) -> str:
    """The status for a grant that lacks `scopes`: a tier to upgrade, or scopes to add."""
    return TIER_REQUIRED if needs_tier(scopes) else MISSING_SCOPES


def mark_missing(connection: HubSpotConnection, scopes: list[str]) -> None:
    mark(connection, missing_status(scopes), missing_scopes_advice(scopes))


def clear_tokens(connection: HubSpotConnection) -> None:
    connection.access_token_enc = connection.refresh_token_enc = None
    connection.token_expires_at = None
    mark(connection, DISCONNECTED)


def grant_of(vault: Vault, connection: HubSpotConnection) -> OAuthGrant:
    if not (connection.access_token_enc and connection.refresh_token_enc):
        raise ReconnectRequired("HubSpot is not connected")
    expires_at = connection.token_expires_at
    assert expires_at is not None
    return OAuthGrant(
        vault.open(connection.access_token_enc),
        vault.open(connection.refresh_token_enc),
        expires_at.astimezone(UTC),
    )


def token_source(
    hubspot: HubSpot,
    sessions: async_sessionmaker[AsyncSession],
    vault: Vault,
    connection: HubSpotConnection,
) -> TokenSource:
    """The connection's bearer token; a refresh is saved, a revoked grant marks the row."""
    if connection.mode == "private_app":
        if not connection.access_token_enc:
            raise ReconnectRequired("HubSpot is not connected")
        return StaticToken(vault.open(connection.access_token_enc))
    organization_id = connection.organization_id

    async def save(grant: OAuthGrant) -> None:
        async with sessions() as session:
            store_grant(vault, await connection_for(session, organization_id), grant)
            await commit(session)

    async def revoked(reason: str) -> None:
        async with sessions() as session:
            mark(await connection_for(session, organization_id), RECONNECT, reason)
            await commit(session)

    return RefreshingToken(hubspot.app, grant_of(vault, connection), save, revoked)


def portal_client(
    hubspot: HubSpot,
    sessions: async_sessionmaker[AsyncSession],
    vault: Vault,
    connection: HubSpotConnection,
) -> HubSpotClient:
    tokens = token_source(hubspot, sessions, vault, connection)
    return hubspot.client(connection.portal_id or "unknown", tokens)


def webhook_url(public_base_url: str, webhook_token: str) -> str:
    """The per-organization webhook URL earlier versions handed out (the token in it is a
    secret); it keeps working, and `app_webhooks.app_webhook_url` is the one URL used now."""
    return f"{public_base_url.rstrip('/')}/hubspot/webhooks/{webhook_token}"
