"""Settings → Integrations → HubSpot in real Chromium, against a sandbox portal: OAuth through the
consent page, reconnect required after the grant is revoked, private-app tokens verified."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hubspot_sandbox import RunningSandbox, SandboxConfig, start_sandbox_sync
from relaydesk.db import create_engine, session_factory
from relaydesk.hubspot.api.scopes import SCOPES
from relaydesk.hubspot.connect.connections import find_connection
from relaydesk.hubspot.connect.demo_connection import sandbox_settings
from relaydesk.hubspot.connect.project import APP_FILE, WEBHOOKS_FILE, write_project
from relaydesk.models import HubSpotConnection

from ..admin_support import PASSWORD, make_user
from ..databases import migrated_sqlite
from ..orgs import make_org
from ..support import RunningServer, free_port, server_settings, start_server

WRONG_TOKEN = "pat-na1-11111111-2222-3333-4444-555555555555"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    config = SandboxConfig(
        search_index_delay_s=0.1, rate_limit_per_10s=None, search_rate_limit_per_s=None
    )
    running = start_sandbox_sync(config)
    yield running
    running.stop_sync()


@pytest.fixture(scope="module")
def server(
    sandbox: RunningSandbox, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    """relaydesk on a database of its own (channel rows match this sandbox), HubSpot = sandbox."""
    data_dir: Path = tmp_path_factory.mktemp("hubspot-admin")
    url = migrated_sqlite(data_dir / "relaydesk.db")
    port = free_port()
    settings = server_settings(url, data_dir, port, hubspot=sandbox_settings(sandbox.base_url))
    running = start_server(settings, port)
    yield running
    running.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def sessions(server: RunningServer) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(server.settings.database_url)
    yield session_factory(engine)
    await engine.dispose()


async def open_hubspot_page(
    page: Page, server: RunningServer, sessions: async_sessionmaker[AsyncSession], role: str
) -> str:
    """A new organization's owner or admin, signed in, on the HubSpot page; returns the org id."""
    org = await make_org(sessions, sample_kb=False)
    email = await make_user(sessions, org.id, role)
    await page.goto(f"{server.base_url}/admin/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_role("link", name="Integrations").click()
    await expect(page.locator("h1")).to_have_text("Integrations · HubSpot")
    await expect(page.locator("#hubspot-status")).to_have_text("Not connected")
    return org.id


async def connection_of(
    sessions: async_sessionmaker[AsyncSession], org_id: str
) -> HubSpotConnection:
    async with sessions() as session:
        found = await find_connection(session, org_id)
    assert found is not None
    return found


async def test_oauth_connect_pick_active_then_reconnect_required(
    page: Page, server: RunningServer, sandbox: RunningSandbox,
    sessions: async_sessionmaker[AsyncSession],
) -> None:  # fmt: skip
    org_id = await open_hubspot_page(page, server, sessions, "admin")

    await page.get_by_role("link", name="Connect with HubSpot").click()
    await expect(page.locator("h1")).to_contain_text("Connect an app to a HubSpot portal")
    await page.get_by_role("button", name="Connect app").click()
    await expect(page.get_by_role("status")).to_contain_text("Pick the inbox")
    await expect(page.locator("#hubspot-status")).to_have_text("Setup required")
    inbox = page.get_by_label("Inbox")
    await inbox.select_option(index=0)
    await page.get_by_role("button", name="Save", exact=True).click()

    await expect(page.locator("#hubspot-status")).to_have_text("Active")
    await expect(page.locator("#hubspot-portal")).to_have_text(str(sandbox.config.portal_id))
    # One app webhook URL for every organization, declared in the project relaydesk writes.
    await expect(page.locator("#webhook-url")).to_have_value(f"{server.base_url}/hubspot/webhooks")
    await expect(page.locator("#hubspot-app-kind")).to_contain_text("project app")
    await expect(page.locator("#webhook-subscriptions")).to_contain_text("webhooks-hsmeta.json")

    # How handoffs look in HubSpot: the AI's name and the ticket tag.
    await page.get_by_label("The AI's name in the transcript").fill("Ava from Acme")
    await page.get_by_label("Ticket tag value").fill("from_chat")
    await page.get_by_role("button", name="Save name and tag").click()
    await expect(page.get_by_role("status")).to_contain_text("Saved.")
    await expect(page.locator("#look-now")).to_contain_text("relaydesk_handoff_tag = from_chat")
    await expect(page.locator("#look-now")).to_contain_text("sent as Ava from Acme")
    await page.get_by_label("Ticket tag property").fill("Not A Name")
    await page.get_by_label("Ticket tag property").evaluate("e => e.removeAttribute('pattern')")
    await page.get_by_role("button", name="Save name and tag").click()
    await expect(page.get_by_role("alert")).to_contain_text("lowercase letters")
    saved = await connection_of(sessions, org_id)
    assert (saved.ai_sender_name, saved.ticket_tag_property) == ("Ava from Acme", None)
    async with httpx.AsyncClient(base_url=sandbox.base_url) as control:
        seen = (await control.get("/_sandbox/state")).json()
        assert len(seen["channels"]) == 1 and len(seen["channelAccounts"]) == 1
        (await control.post("/_sandbox/tokens/revoke", json={})).raise_for_status()
    await page.get_by_role("button", name="Test connection").click()
    await expect(page.locator("#hubspot-status")).to_have_text("Reconnect required")
    await expect(page.locator("#hubspot-reason")).not_to_be_empty()
    assert (await connection_of(sessions, org_id)).status == "reconnect_required"


async def test_private_app_token_is_verified_and_disconnect_forgets_it(
    page: Page, server: RunningServer, sandbox: RunningSandbox,
    sessions: async_sessionmaker[AsyncSession],
) -> None:  # fmt: skip
    org_id = await open_hubspot_page(page, server, sessions, "owner")
    await expect(page.locator("main")).to_contain_text("cannot carry rep replies back")
    token = page.get_by_label("Service Key or private-app token")

    await token.fill(WRONG_TOKEN)
    await page.get_by_role("button", name="Save token").click()
    await expect(page.get_by_role("alert")).to_contain_text(
        "HubSpot refused the token: Authentication credentials"
    )
    await expect(page.locator("#hubspot-status")).to_have_text("Not connected")

    await token.fill(sandbox.config.private_app_token)
    await page.get_by_role("button", name="Save token").click()
    await expect(page.get_by_role("status")).to_contain_text("HubSpot accepted the token")
    await page.get_by_label("Default owner").select_option(index=1)
    await page.get_by_role("button", name="Save", exact=True).click()
    await expect(page.locator("#hubspot-status")).to_have_text("Active")
    ticket_only = "Service Key or private-app token (ticket-only)"
    await expect(page.locator("main")).to_contain_text(ticket_only)
    connected = await connection_of(sessions, org_id)
    assert connected.mode == "private_app" and connected.default_owner_id

    page.on("dialog", lambda dialog: dialog.accept())
    await page.get_by_role("button", name="Disconnect").click()
    await expect(page.locator("#hubspot-status")).to_have_text("Not connected")
    forgotten = await connection_of(sessions, org_id)
    assert forgotten.access_token_enc is None and forgotten.refresh_token_enc is None


async def test_a_scope_the_app_lacks_is_named_on_the_page(
    page: Page, server: RunningServer, sandbox: RunningSandbox,
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path,
) -> None:  # fmt: skip
    without_owners = [s for s in SCOPES if s != "crm.objects.owners.read"]
    await configure_app(sandbox, server, tmp_path, without_owners)
    try:
        org_id = await open_hubspot_page(page, server, sessions, "owner")
        await page.get_by_role("link", name="Connect with HubSpot").click()
        await page.get_by_role("button", name="Connect app").click()
        await expect(page.locator("#hubspot-status")).to_have_text("Missing scopes")
        await expect(page.locator("#hubspot-reason")).to_contain_text("crm.objects.owners.read")
        await expect(page.locator("#hubspot-reason")).to_contain_text("requiredScopes")
        assert (await connection_of(sessions, org_id)).status == "missing_scopes"
    finally:
        await configure_app(sandbox, server, tmp_path, list(SCOPES))


async def configure_app(
    sandbox: RunningSandbox, server: RunningServer, folder: Path, scopes: list[str]
) -> None:
    """The sandbox's app as the project relaydesk writes, with `scopes` as its scopes."""
    write_project(server.base_url, folder)
    app = json.loads((folder / APP_FILE).read_text())
    app["config"]["auth"]["requiredScopes"] = scopes
    webhooks = json.loads((folder / WEBHOOKS_FILE).read_text())
    async with httpx.AsyncClient(base_url=sandbox.base_url) as control:
        answer = await control.post("/_sandbox/project", json={"app": app, "webhooks": webhooks})
        assert answer.status_code == 200, answer.text
