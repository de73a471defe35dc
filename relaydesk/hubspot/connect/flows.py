"""Connecting an organization to HubSpot: OAuth or a private-app token, the admin's choices
(inbox, owner, pipeline, stage), testing and disconnecting.

These flows call HubSpot between database steps, so they take the session factory and keep
each transaction short: no transaction is open while HubSpot is being called.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ...db import commit
from ...errors import Forbidden, InvalidInput
from ...files import MESSAGE_LIMITS, MessageLimits
from ...models import HubSpotConnection
from ...vault import Vault
from ..api.auth import OAuthGrant, StaticToken
from ..api.errors import HubSpotError, MissingScopes, ReconnectRequired, Unauthorized
from ..api.integration import HubSpot
from ..api.scopes import SCOPES, missing, missing_scopes_advice
from ..api.shapes import Inbox, Owner, Pipeline
from . import connections as conn
from .app_webhooks import ensure_legacy_webhooks
from .channel import channel_webhook_url, ensure_channel
from .channel_account import ensure_channel_account

STATE_TTL_S = 600
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9._~+/=-]{16,500}")


@dataclass(frozen=True)
class Setup:
    """What the page and the demo need: who we are and where HubSpot should call us."""

    hubspot: HubSpot
    sessions: async_sessionmaker[AsyncSession]
    vault: Vault
    secret: str
    public_base_url: str
    limits: MessageLimits = MESSAGE_LIMITS  # what the custom channel declares it carries

    @property
    def redirect_uri(self) -> str:
        return f"{self.public_base_url.rstrip('/')}/admin/integrations/hubspot/callback"


def sign_state(secret: str, organization_id: str, user_id: str, now: float | None = None) -> str:
    """OAuth `state`: binds the callback to this organization and person for ten minutes."""
    expires = int((time.time() if now is None else now) + STATE_TTL_S)
    payload = f"{organization_id}.{user_id}.{expires}"
    mac = hmac.new(secret.encode(), b"hubspot-state:" + payload.encode(), hashlib.sha256)
    encoded = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
    return f"{encoded}.{base64.urlsafe_b64encode(mac.digest()[:18]).decode()}"


def check_state(secret: str, state: str, organization_id: str, user_id: str) -> None:
    encoded, _, _ = state.partition(".")
    try:
        payload = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
        org, user, expires = payload.split(".")
    except ValueError as exc:
        raise Forbidden("the HubSpot connection request is not valid", code="bad_state") from exc
    expected = sign_state(secret, org, user, int(expires) - STATE_TTL_S)
    if not hmac.compare_digest(expected, state) or int(expires) < time.time():
        raise Forbidden("the HubSpot connection request expired; start again", code="bad_state")
    if (org, user) != (organization_id, user_id):
        raise Forbidden("this HubSpot connection was started by someone else", code="bad_state")


def authorize_url(setup: Setup, organization_id: str, user_id: str) -> str:
    state = sign_state(setup.secret, organization_id, user_id)
    settings = setup.hubspot.settings
    redirect = setup.redirect_uri
    return setup.hubspot.app.authorize_url(settings.app_base_url, redirect, list(SCOPES), state)


async def complete_oauth(setup: Setup, organization_id: str, code: str) -> HubSpotConnection:
    """The callback: exchange the code, detect the portal, store the tokens sealed; a scope
    HubSpot did not grant is named on the connection, with what to do."""
    tokens = await setup.hubspot.app.exchange_code(code, setup.redirect_uri)
    info = await setup.hubspot.app.access_token_info(tokens.access_token)
    lacking = missing(info.scopes)
    async with setup.sessions() as session:
        connection = await conn.connection_for(session, organization_id)
        connection.mode = "oauth"
        connection.portal_id = str(info.hub_id)
        conn.store_grant(setup.vault, connection, OAuthGrant.issued(tokens))
        if lacking:
            conn.mark_missing(connection, lacking)
        else:
            conn.mark(connection, conn.ACTIVE if connection.channel_account_id else conn.SETUP)
        await commit(session)
    return connection


async def connect_private_app(setup: Setup, organization_id: str, token: str) -> HubSpotConnection:
    """Ticket-only mode with a Service Key (or a legacy private-app `pat-…` token): verified
    with HubSpot before it is saved; a refusal carries HubSpot's reason. HubSpot documents no
    fixed form for Service Keys, so only what cannot be a key is refused here."""
    token = token.strip()
    if not TOKEN_SHAPE.fullmatch(token):
        raise InvalidInput(
            "paste the Service Key (or a private-app token) exactly as HubSpot shows it"
        )
    try:
        details = await setup.hubspot.client("private", StaticToken(token)).account_details()
    except Unauthorized as refused:
        raise InvalidInput(f"HubSpot refused the token: {refused.message}") from refused
    async with setup.sessions() as session:
        connection = await conn.connection_for(session, organization_id)
        connection.mode = "private_app"
        connection.portal_id = str(details.portal_id)
        connection.channel_id = connection.channel_account_id = None
        conn.store_private_token(setup.vault, connection, token)
        conn.mark(connection, conn.SETUP)
        await commit(session)
    return connection


@dataclass(frozen=True)
class Choices:
    inboxes: list[Inbox]
    owners: list[Owner]
    pipelines: list[Pipeline]


async def load_connection(setup: Setup, organization_id: str) -> HubSpotConnection:
    async with setup.sessions() as session:
        connection = await conn.find_connection(session, organization_id)
    if connection is None or not connection.access_token_enc:
        raise InvalidInput("HubSpot is not connected")
    return connection


async def choices(setup: Setup, organization_id: str) -> Choices:
    """The lists the admin picks from, read from HubSpot."""
    client = conn.portal_client(
        setup.hubspot, setup.sessions, setup.vault, await load_connection(setup, organization_id)
    )
    inboxes = await client.list_inboxes()
    return Choices(inboxes, await client.list_owners(), await client.list_pipelines("tickets"))


@dataclass(frozen=True)
class Chosen:
    inbox_id: str
    owner_id: str | None
    pipeline_id: str
    stage_id: str


async def choose(setup: Setup, organization_id: str, chosen: Chosen, name: str) -> str:
    """Save the admin's picks; in OAuth mode register the channel and its inbox account."""
    connection = await load_connection(setup, organization_id)
    client = conn.portal_client(setup.hubspot, setup.sessions, setup.vault, connection)
    if connection.mode == "oauth":
        webhook = channel_webhook_url(setup.public_base_url)
        channel_id = await ensure_channel(setup.sessions, setup.hubspot.app, webhook, setup.limits)
        await ensure_channel_account(
            setup.sessions, client, connection.id, channel_id, chosen.inbox_id, name
        )
        if setup.hubspot.settings.app_kind == "legacy":
            hooks = await ensure_legacy_webhooks(setup.hubspot.app, setup.public_base_url)
            if hooks.error:
                raise InvalidInput(f"HubSpot refused the app's webhook settings: {hooks.error}")
    async with setup.sessions() as session:
        row = await conn.connection_for(session, organization_id)
        row.inbox_id = chosen.inbox_id
        row.default_owner_id = chosen.owner_id or None
        row.pipeline_id, row.stage_id = chosen.pipeline_id, chosen.stage_id
        conn.mark(row, conn.ACTIVE)
        await commit(session)
        return row.status


async def test_connection(setup: Setup, organization_id: str) -> str:
    """Call HubSpot with the stored credentials and record what happened; returns the status."""
    connection = await load_connection(setup, organization_id)
    try:
        client = conn.portal_client(setup.hubspot, setup.sessions, setup.vault, connection)
        await client.account_details()
        if connection.mode == "oauth":
            info = await setup.hubspot.app.access_token_info(await client.tokens.access_token())
            if lacking := missing(info.scopes):
                advice = missing_scopes_advice(lacking)
                return await _record(setup, organization_id, conn.missing_status(lacking), advice)
    except MissingScopes as refused:
        advice = missing_scopes_advice(refused.scopes)
        status = conn.missing_status(refused.scopes)
        return await _record(setup, organization_id, status, advice)
    except ReconnectRequired as lost:
        return await _record(setup, organization_id, conn.RECONNECT, lost.message)
    except HubSpotError as failed:
        return await _record(setup, organization_id, conn.ERROR, failed.message)
    ready = connection.inbox_id and connection.pipeline_id
    return await _record(setup, organization_id, conn.ACTIVE if ready else conn.SETUP, None)


async def _record(setup: Setup, organization_id: str, status: str, error: str | None) -> str:
    async with setup.sessions() as session:
        conn.mark(await conn.connection_for(session, organization_id), status, error)
        await commit(session)
    return status


async def disconnect(session: AsyncSession, organization_id: str) -> None:
    """Forget the tokens; the channel account stays registered for a later reconnect."""
    connection = await conn.find_connection(session, organization_id)
    if connection is not None:
        conn.clear_tokens(connection)
