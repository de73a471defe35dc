"""Steps the sandbox tests share: the OAuth dance as a browser does it, waiting on conditions."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx

from hubspot_sandbox import SandboxConfig

SCOPES = [
    "oauth",
    "conversations.read",
    "conversations.write",
    "conversations.custom_channels.read",
    "conversations.custom_channels.write",
    "crm.objects.contacts.read",
    "crm.objects.contacts.write",
    "tickets",
    "files",
]
REDIRECT_URI = "http://127.0.0.1:9/hubspot/callback"


async def authorize(client: httpx.AsyncClient, config: SandboxConfig, state: str = "s1") -> str:
    """Walks the consent page like a browser and returns the authorization code."""
    query = {
        "client_id": config.client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": " ".join(SCOPES),
        "state": state,
    }
    page = await client.get("/oauth/authorize", params=query)
    assert page.status_code == 200 and "Connect app" in page.text
    form = {k: v for k, v in query.items() if k != "scope"} | {"decision": "approve"}
    body = "&".join(f"{k}={v}" for k, v in form.items()) + "".join(f"&scope={s}" for s in SCOPES)
    answer = await client.post(
        "/oauth/authorize",
        content=body,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 302
    location = urlparse(answer.headers["location"])
    params = parse_qs(location.query)
    assert params["state"] == [state]
    return params["code"][0]


async def exchange(
    client: httpx.AsyncClient, config: SandboxConfig, **fields: str
) -> httpx.Response:
    form = {"client_id": config.client_id, "client_secret": config.client_secret} | fields
    return await client.post("/oauth/v1/token", data=form)


async def wait_for(condition: Callable[[], Any], timeout_s: float = 5.0) -> Any:
    """Polls `condition` until it returns something truthy or the deadline passes."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        await asyncio.sleep(0.01)
    raise AssertionError(f"condition not met within {timeout_s}s")
