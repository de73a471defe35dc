"""Steps the HubSpot tests share: an admin approving the sandbox's consent page."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import httpx


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
