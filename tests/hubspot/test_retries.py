"""Retries against the sandbox's faults: 429 waits for Retry-After, 5xx and timeouts back off,
400 and 409 are raised at once; the shared bucket keeps a burst of calls under the limit."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from hubspot_sandbox import RunningSandbox
from relaydesk.hubspot.api import paths as ops
from relaydesk.hubspot.api.auth import OAuthGrant, StaticToken
from relaydesk.hubspot.api.client import HubSpotClient
from relaydesk.hubspot.api.errors import BadRequest, Conflict, Unavailable
from relaydesk.hubspot.api.integration import HubSpot
from relaydesk.hubspot.api.ratelimit import Bucket, MemoryPortalLimiter
from relaydesk.hubspot.api.transport import RetryPolicy
from tests.support import wait_for

from .flows import hubspot_settings, recorded

PATIENT = RetryPolicy(attempts=200, base_s=0.02, cap_s=0.05)


async def control(sandbox: RunningSandbox, path: str, body: dict[str, Any]) -> None:
    async with httpx.AsyncClient(base_url=sandbox.base_url) as http:
        (await http.post(path, json=body)).raise_for_status()


@pytest_asyncio.fixture(loop_scope="session")
async def faulty(sandbox: RunningSandbox) -> AsyncIterator[RunningSandbox]:
    yield sandbox
    await control(sandbox, "/_sandbox/faults", {"latency_ms": 0, "down_for_s": 0,
                                                "rate_limit_per_10s": None})  # fmt: skip


def client_of(
    sandbox: RunningSandbox, grant: OAuthGrant, **settings: Any
) -> tuple[HubSpot, HubSpotClient]:
    retry = settings.pop("retry", PATIENT)
    hubspot = HubSpot.build(hubspot_settings(sandbox, **settings), retry=retry)
    return hubspot, hubspot.client(str(sandbox.config.portal_id), StaticToken(grant.access_token))


async def statuses(sandbox: RunningSandbox, path: str) -> list[int]:
    return [int(str(r["status"])) for r in await recorded(sandbox) if r["path"] == path]


async def test_server_errors_are_retried_until_hubspot_is_back(
    faulty: RunningSandbox, grant: OAuthGrant
) -> None:
    hubspot, portal = client_of(faulty, grant)
    await control(faulty, "/_sandbox/faults", {"down_for_s": 60})
    call = asyncio.create_task(portal.list_inboxes())
    await wait_for(lambda: _seen(faulty, 503, 2), timeout=10)
    await control(faulty, "/_sandbox/clock/advance", {"seconds": 61})
    assert await asyncio.wait_for(call, 10)
    assert (await statuses(faulty, portal.paths(ops.INBOXES)))[-1] == 200
    await hubspot.close()


async def _seen(sandbox: RunningSandbox, status: int, count: int) -> bool:
    return (await statuses(sandbox, ops.Paths()(ops.INBOXES))).count(status) >= count


async def test_timeouts_are_retried_then_reported(
    faulty: RunningSandbox, grant: OAuthGrant
) -> None:
    hubspot, portal = client_of(faulty, grant, timeout_s=0.2, retry=RetryPolicy(3, 0.01, 0.02))
    await control(faulty, "/_sandbox/faults", {"latency_ms": 600})
    with pytest.raises(Unavailable):
        await portal.list_owners()
    await wait_for(lambda: _count(faulty, portal.paths(ops.OWNERS), 3), timeout=10)
    await hubspot.close()


async def _count(sandbox: RunningSandbox, path: str, count: int) -> bool:
    return len(await statuses(sandbox, path)) == count


async def test_rate_limited_calls_wait_for_retry_after(
    faulty: RunningSandbox, grant: OAuthGrant
) -> None:
    # Another process spends the portal's limit; this one has not seen HubSpot's count.
    elsewhere, other = client_of(faulty, grant, rate_limit_per_10s=10_000)
    hubspot, portal = client_of(faulty, grant, rate_limit_per_10s=10_000)
    await control(faulty, "/_sandbox/faults", {"rate_limit_per_10s": 2})
    await other.list_pipelines()
    await other.list_pipelines()
    await elsewhere.close()
    # Most of the window has passed: HubSpot's Retry-After is one second.
    await control(faulty, "/_sandbox/clock/advance", {"seconds": 9.5})
    started = time.monotonic()
    assert await portal.list_pipelines()
    assert time.monotonic() - started >= 0.9
    tickets = portal.paths(ops.PIPELINES, objectType="tickets")
    assert await statuses(faulty, tickets) == [200, 200, 429, 200]
    await hubspot.close()


async def test_bad_requests_and_conflicts_are_not_retried(
    sandbox: RunningSandbox, portal: HubSpotClient
) -> None:
    with pytest.raises(BadRequest, match="hs_timestamp"):
        await portal.create_object("notes", {"hs_note_body": "no timestamp"})
    await portal.create_object("contacts", {"email": "twice@example.com"})
    with pytest.raises(Conflict):
        await portal.create_object("contacts", {"email": "twice@example.com"})
    assert await statuses(sandbox, portal.paths(ops.OBJECTS, objectType="notes")) == [400]
    contacts = portal.paths(ops.OBJECTS, objectType="contacts")
    assert await statuses(sandbox, contacts) == [201, 409]


async def test_a_burst_drains_at_the_limit_without_429(
    faulty: RunningSandbox, grant: OAuthGrant
) -> None:
    limit, calls = 100, 40
    hubspot, portal = client_of(faulty, grant, rate_limit_per_10s=limit)
    await control(faulty, "/_sandbox/faults", {"rate_limit_per_10s": limit})
    started = time.monotonic()
    await asyncio.gather(*(portal.account_details() for _ in range(calls)))
    elapsed = time.monotonic() - started
    bucket = Bucket(limit)
    floor = (calls - bucket.burst) / bucket.rate
    assert floor * 0.95 <= elapsed <= floor * 1.5 + 1
    assert 429 not in await statuses(faulty, portal.paths(ops.ACCOUNT_DETAILS))
    await hubspot.close()


async def test_hubspots_own_count_slows_the_bucket_before_a_429(
    faulty: RunningSandbox, grant: OAuthGrant
) -> None:
    """HubSpot allows 6 here while relaydesk thinks 1,000: its X-HubSpot-RateLimit-Remaining
    headers empty the shared bucket, so the next request waits out the window, not a 429."""
    hubspot, portal = client_of(faulty, grant, rate_limit_per_10s=1000)
    await control(faulty, "/_sandbox/faults", {"rate_limit_per_10s": 6})
    for _ in range(6):
        await portal.list_inboxes()
    assert 429 not in await statuses(faulty, portal.paths(ops.INBOXES))
    limiter = hubspot.limiter
    assert isinstance(limiter, MemoryPortalLimiter)
    assert limiter.reserve(str(faulty.config.portal_id)) > 9.0  # the window, not 1/100 s
    await hubspot.close()
