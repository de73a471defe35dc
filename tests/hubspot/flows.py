"""Steps the HubSpot tests share: settings for a sandbox, an admin approving its consent page,
the requests it recorded."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import httpx

from hubspot_sandbox import RunningSandbox
from relaydesk.settings import HubSpotSettings


async def approve_consent(authorize_url: str) -> dict[str, str]:
    """Open the consent page at `authorize_url`, approve it, return the callback's query."""
    query = {k: v[0] for k, v in parse_qs(urlparse(authorize_url).query).items()}
    async with httpx.AsyncClient(timeout=10) as browser:
        page = await browser.get(authorize_url)
        assert page.status_code == 200 and "Connect app" in page.text
        form = [(k, query[k]) for k in ("client_id", "redirect_uri", "state")]
        form += [("scope", s) for s in query["scope"].split()] + [("decision", "approve")]
        answer = await browser.post(authorize_url.split("?")[0], data=dict(form) | {
            "scope": query["scope"].split()})  # fmt: skip
    assert answer.status_code == 302, answer.text
    return {k: v[0] for k, v in parse_qs(urlparse(answer.headers["location"]).query).items()}


def hubspot_settings(sandbox: RunningSandbox, **overrides: object) -> HubSpotSettings:
    config = sandbox.config
    return HubSpotSettings(
        client_id=config.client_id,
        client_secret=config.client_secret,
        app_id=config.app_id,
        developer_api_key=config.developer_api_key,
        base_url=sandbox.base_url,
        app_base_url=sandbox.base_url,
        **overrides,
    )


async def recorded(sandbox: RunningSandbox) -> list[dict[str, object]]:
    async with httpx.AsyncClient(base_url=sandbox.base_url) as control:
        answer = (await control.get("/_sandbox/requests")).json()
    requests: list[dict[str, object]] = answer["requests"]
    return requests
