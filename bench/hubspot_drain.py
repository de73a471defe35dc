"""HubSpot drain: 500 calls at 100 requests / 10 s through the shared per-portal bucket,
against the sandbox's rolling-window limit. Floor: 500 / (100 / 10 s) = 50 s. Also the client's
CPU per call (this thread's; the sandbox serves from a thread of its own)."""

from __future__ import annotations

import asyncio
import time

import httpx

from hubspot_sandbox import SandboxConfig, start_sandbox
from relaydesk.hubspot.api.auth import OAuthGrant, StaticToken
from relaydesk.hubspot.api.errors import RateLimited
from relaydesk.hubspot.api.integration import HubSpot
from relaydesk.settings import HubSpotSettings

REDIRECT = "http://127.0.0.1:9/callback"


async def install(base_url: str, hubspot: HubSpot) -> OAuthGrant:
    url = hubspot.app.authorize_url(base_url, REDIRECT, ["oauth", "conversations.read"], "bench")
    async with httpx.AsyncClient() as browser:
        form = {"client_id": hubspot.settings.client_id, "redirect_uri": REDIRECT,
                "state": "bench", "scope": ["oauth"], "decision": "approve"}  # fmt: skip
        assert (await browser.get(url)).status_code == 200
        answer = await browser.post(f"{base_url}/oauth/authorize", data=form)
    code = httpx.URL(answer.headers["location"]).params["code"]
    return OAuthGrant.issued(await hubspot.app.exchange_code(code, REDIRECT))


async def drain(calls: int, limit: int) -> None:
    sandbox = await start_sandbox(SandboxConfig(rate_limit_per_10s=limit))
    config = sandbox.config
    settings = HubSpotSettings(
        client_id=config.client_id, client_secret=config.client_secret, app_id=config.app_id,
        base_url=sandbox.base_url, rate_limit_per_10s=limit,
    )  # fmt: skip
    hubspot = HubSpot.build(settings)
    try:
        grant = await install(sandbox.base_url, hubspot)
        portal = hubspot.client(str(config.portal_id), StaticToken(grant.access_token))
        started, cpu = time.monotonic(), time.thread_time()
        answers = await asyncio.gather(
            *(portal.account_details() for _ in range(calls)), return_exceptions=True
        )
        elapsed = time.monotonic() - started
        cpu_ms = (time.thread_time() - cpu) / calls * 1000
        async with httpx.AsyncClient(base_url=sandbox.base_url) as control:
            seen = (await control.get("/_sandbox/requests")).json()["requests"]
    finally:
        await hubspot.close()
        await sandbox.stop()
    floor = calls / (limit / 10)
    surfaced = sum(isinstance(a, RateLimited) for a in answers)
    failed = sum(isinstance(a, BaseException) for a in answers)
    answered_429 = sum(r["status"] == 429 for r in seen)
    print(f"hubspot drain: {calls} calls at {limit}/10s in {elapsed:.1f} s "
          f"(floor {floor:.0f} s, {100 * (elapsed / floor - 1):+.1f}%); "
          f"429 surfaced to callers: {surfaced}, 429 answered by the sandbox: "
          f"{answered_429}, other failures: {failed - surfaced}; "
          f"client CPU {cpu_ms:.2f} ms per call")  # fmt: skip


def run(calls: int = 500, limit: int = 100) -> None:
    asyncio.run(drain(calls, limit))
