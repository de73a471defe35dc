"""Connecting an organization: OAuth through the consent page, the admin's picks, the channel
registered once however often (and however concurrently) setup runs, private-app tokens."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hubspot_sandbox import RunningSandbox
from relaydesk.errors import Forbidden, InvalidInput
from relaydesk.hubspot.api.integration import HubSpot
from relaydesk.hubspot.connect import flows as hs
from relaydesk.hubspot.connect.connections import find_connection
from relaydesk.models import HubSpotChannel, HubSpotConnection
from relaydesk.vault import Vault
from tests.orgs import make_org
from tests.support import SECRET

from .flows import approve_consent


@pytest_asyncio.fixture(loop_scope="session")
async def setup(
    sandbox: RunningSandbox, hubspot: HubSpot, db: async_sessionmaker[AsyncSession]
) -> hs.Setup:
    async with db() as session:  # the sandbox forgot its channels when it was reset
        await session.execute(delete(HubSpotChannel))
        await session.commit()
    return hs.Setup(hubspot, db, Vault(SECRET), SECRET, "http://127.0.0.1:9")


async def state(sandbox: RunningSandbox) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=sandbox.base_url) as http:
        found: dict[str, Any] = (await http.get("/_sandbox/state")).json()
        return found


async def connected(setup: hs.Setup) -> str:
    """A fresh organization connected in OAuth mode through the consent page."""
    org = await make_org(setup.sessions, sample_kb=False)
    callback = await approve_consent(hs.authorize_url(setup, org.id, "user-1"))
    hs.check_state(setup.secret, callback["state"], org.id, "user-1")
    connection = await hs.complete_oauth(setup, org.id, callback["code"])
    assert connection.status == "setup_required" and connection.portal_id == "243842089"
    return org.id


async def row(setup: hs.Setup, org_id: str) -> HubSpotConnection:
    async with setup.sessions() as session:
        found = await find_connection(session, org_id)
        assert found is not None
        return found


async def picks(setup: hs.Setup, org_id: str) -> hs.Chosen:
    choices = await hs.choices(setup, org_id)
    pipeline = choices.pipelines[0]
    return hs.Chosen(
        choices.inboxes[0].id, choices.owners[0].id, pipeline.id, pipeline.stages[0].id
    )


async def test_oauth_connect_stores_tokens_sealed(setup: hs.Setup) -> None:
    org_id = await connected(setup)
    stored = await row(setup, org_id)
    assert stored.access_token_enc and stored.refresh_token_enc
    assert not stored.refresh_token_enc.startswith("na1-")
    assert setup.vault.open(stored.refresh_token_enc).startswith("na1-")


async def test_channel_registration_twice_and_concurrently_leaves_one_of_each(
    setup: hs.Setup, sandbox: RunningSandbox
) -> None:
    org_id = await connected(setup)
    chosen = await picks(setup, org_id)
    statuses = await asyncio.gather(
        *(hs.choose(setup, org_id, chosen, "Website") for _ in range(4))
    )
    assert statuses == ["active"] * 4
    assert await hs.choose(setup, org_id, chosen, "Website") == "active"
    seen = await state(sandbox)
    assert len(seen["channels"]) == 1
    assert len(seen["channelAccounts"]) == 1
    stored = await row(setup, org_id)
    assert stored.channel_account_id == seen["channelAccounts"][0]["id"]
    assert stored.inbox_id == chosen.inbox_id


async def test_a_second_organization_shares_the_channel(
    setup: hs.Setup, sandbox: RunningSandbox
) -> None:
    first, second = await connected(setup), await connected(setup)
    await asyncio.gather(
        hs.choose(setup, first, await picks(setup, first), "First"),
        hs.choose(setup, second, await picks(setup, second), "Second"),
    )
    seen = await state(sandbox)
    assert len(seen["channels"]) == 1
    assert len(seen["channelAccounts"]) == 2


async def test_revoked_refresh_token_means_reconnect_required(
    setup: hs.Setup, sandbox: RunningSandbox
) -> None:
    org_id = await connected(setup)
    assert await hs.test_connection(setup, org_id) == "setup_required"
    async with httpx.AsyncClient(base_url=sandbox.base_url) as http:
        await http.post("/_sandbox/tokens/revoke", json={})
    assert await hs.test_connection(setup, org_id) == "reconnect_required"
    stored = await row(setup, org_id)
    assert stored.status == "reconnect_required" and stored.last_error


async def test_private_app_token_is_verified_on_save(
    setup: hs.Setup, sandbox: RunningSandbox
) -> None:
    org = await make_org(setup.sessions, sample_kb=False)
    with pytest.raises(InvalidInput, match="HubSpot refused the token: Authentication credentials"):
        await hs.connect_private_app(setup, org.id, "pat-na1-11111111-2222-3333-4444-555555555555")
    connection = await hs.connect_private_app(setup, org.id, sandbox.config.private_app_token)
    assert connection.mode == "private_app" and connection.portal_id == "243842089"
    assert await hs.choose(setup, org.id, await picks(setup, org.id), "Website") == "active"
    assert (await state(sandbox))["channelAccounts"] == []  # private apps cannot use channels


async def test_disconnect_forgets_the_tokens(setup: hs.Setup) -> None:
    org_id = await connected(setup)
    async with setup.sessions() as session:
        await hs.disconnect(session, org_id)
        await session.commit()
    stored = await row(setup, org_id)
    assert stored.status == "disconnected"
    assert stored.access_token_enc is None and stored.refresh_token_enc is None


def test_state_is_bound_to_organization_and_person() -> None:
    state_ = hs.sign_state(SECRET, "org-1", "user-1")
    hs.check_state(SECRET, state_, "org-1", "user-1")
    for org, user in [("org-2", "user-1"), ("org-1", "user-2")]:
        with pytest.raises(Forbidden):
            hs.check_state(SECRET, state_, org, user)
    with pytest.raises(Forbidden):
        hs.check_state("another-secret", state_, "org-1", "user-1")
    with pytest.raises(Forbidden):
        hs.check_state(SECRET, hs.sign_state(SECRET, "org-1", "user-1", now=0), "org-1", "user-1")
    with pytest.raises(Forbidden):
        hs.check_state(SECRET, "garbage", "org-1", "user-1")
