"""Fixtures for relaydesk's HubSpot side: a sandbox portal, the process's HubSpot wired to it,
and a portal client holding a real OAuth grant from the sandbox's consent flow."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import pytest_asyncio

from hubspot_sandbox import RunningSandbox, SandboxConfig, start_sandbox_sync
from relaydesk.hubspot.api.app_client import HubSpotApp
from relaydesk.hubspot.api.auth import OAuthGrant, StaticToken
from relaydesk.hubspot.api.client import HubSpotClient
from relaydesk.hubspot.api.integration import HubSpot
from tests.sandbox.sandbox_flows import REDIRECT_URI, authorize
from tests.support import FAST_RETRY

from .flows import hubspot_settings


@pytest.fixture(scope="session")
def hubspot_sandbox() -> Iterator[RunningSandbox]:
    config = SandboxConfig(
        search_index_delay_s=0.2,
        webhook_retry_delays_s=(0.05,),
        rate_limit_per_10s=None,
        search_rate_limit_per_s=None,
    )
    running = start_sandbox_sync(config)
    yield running
    running.stop_sync()


@pytest_asyncio.fixture(loop_scope="session")
async def sandbox(hubspot_sandbox: RunningSandbox) -> RunningSandbox:
    """The session's sandbox, reset to its seed data and with no faults."""
    async with httpx.AsyncClient(base_url=hubspot_sandbox.base_url) as control:
        (await control.post("/_sandbox/reset")).raise_for_status()
    return hubspot_sandbox


@pytest_asyncio.fixture(loop_scope="session")
async def hubspot(sandbox: RunningSandbox) -> AsyncIterator[HubSpot]:
    built = HubSpot.build(hubspot_settings(sandbox, timeout_s=2.0), retry=FAST_RETRY)
    yield built
    await built.close()


@pytest.fixture
def app(hubspot: HubSpot) -> HubSpotApp:
    return hubspot.app


@pytest_asyncio.fixture(loop_scope="session")
async def grant(sandbox: RunningSandbox, app: HubSpotApp) -> OAuthGrant:
    """A portal installed through the consent page, as an admin's browser would."""
    async with httpx.AsyncClient(base_url=sandbox.base_url) as browser:
        code = await authorize(browser, sandbox.config)
    return OAuthGrant.issued(await app.exchange_code(code, REDIRECT_URI))


@pytest.fixture
def portal(hubspot: HubSpot, sandbox: RunningSandbox, grant: OAuthGrant) -> HubSpotClient:
    return hubspot.client(str(sandbox.config.portal_id), StaticToken(grant.access_token))
