"""OAuth against the sandbox: consent → code → tokens → refresh → expiry."""

from __future__ import annotations

from typing import Any

import httpx

from hubspot_sandbox import RunningSandbox
from tests.sandbox.sandbox_flows import REDIRECT_URI, authorize, exchange


async def test_code_exchange_gives_a_30_minute_token_that_works(
    client: httpx.AsyncClient, sandbox: RunningSandbox, tokens: dict[str, Any]
) -> None:
    assert tokens["token_type"] == "bearer" and tokens["expires_in"] == 1800
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    details = await client.get("/account-info/v3/details", headers=headers)
    assert details.status_code == 200
    assert details.json()["portalId"] == sandbox.config.portal_id
    info = (await client.get(f"/oauth/v1/access-tokens/{tokens['access_token']}")).json()
    assert info["hub_id"] == sandbox.config.portal_id and info["app_id"] == sandbox.config.app_id
    assert "conversations.custom_channels.write" in info["scopes"]
    assert 1790 <= info["expires_in"] <= 1800


async def test_a_code_is_single_use_and_bound_to_its_redirect_uri(
    client: httpx.AsyncClient, sandbox: RunningSandbox
) -> None:
    code = await authorize(client, sandbox.config)
    wrong = await exchange(
        client,
        sandbox.config,
        grant_type="authorization_code",
        code=code,
        redirect_uri="http://127.0.0.1:9/elsewhere",
    )
    assert wrong.status_code == 400 and wrong.json()["status"] == "BAD_REDIRECT_URI"
    first = await exchange(
        client,
        sandbox.config,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT_URI,
    )
    assert first.status_code == 200
    again = await exchange(
        client,
        sandbox.config,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT_URI,
    )
    assert again.status_code == 400 and again.json()["status"] == "BAD_AUTH_CODE"


async def test_wrong_client_secret_is_refused(
    client: httpx.AsyncClient, sandbox: RunningSandbox
) -> None:
    code = await authorize(client, sandbox.config)
    answer = await client.post(
        "/oauth/v1/token",
        data={
            "grant_type": "authorization_code",
            "client_id": sandbox.config.client_id,
            "client_secret": "wrong",
            "code": code,
            "redirect_uri": REDIRECT_URI,
        },
    )
    assert answer.status_code == 400 and answer.json()["status"] == "BAD_CLIENT_SECRET"


async def test_expired_token_is_rejected_and_refresh_issues_a_new_one(
    client: httpx.AsyncClient, sandbox: RunningSandbox, tokens: dict[str, Any]
) -> None:
    (await client.post("/_sandbox/clock/advance", json={"seconds": 1801})).raise_for_status()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    expired = await client.get("/crm/v3/owners", headers=headers)
    assert expired.status_code == 401
    assert expired.json()["category"] == "EXPIRED_AUTHENTICATION"
    assert expired.json()["status"] == "error" and expired.json()["correlationId"]

    refreshed = await exchange(
        client, sandbox.config, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    assert refreshed.status_code == 200
    fresh = refreshed.json()
    assert fresh["access_token"] != tokens["access_token"]
    assert fresh["refresh_token"] == tokens["refresh_token"] and fresh["expires_in"] == 1800
    owners = await client.get(
        "/crm/v3/owners", headers={"Authorization": f"Bearer {fresh['access_token']}"}
    )
    assert owners.status_code == 200 and len(owners.json()["results"]) >= 2


async def test_revoked_refresh_token_cannot_refresh(
    client: httpx.AsyncClient, sandbox: RunningSandbox, tokens: dict[str, Any]
) -> None:
    revoke = await client.delete(f"/oauth/v1/refresh-tokens/{tokens['refresh_token']}")
    assert revoke.status_code == 204
    answer = await exchange(
        client, sandbox.config, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    assert answer.status_code == 400 and answer.json()["status"] == "BAD_REFRESH_TOKEN"


async def test_missing_or_unknown_token_gets_hubspots_401(client: httpx.AsyncClient) -> None:
    for headers in ({}, {"Authorization": "Bearer not-a-token"}):
        answer = await client.get("/crm/v3/owners", headers=headers)
        assert answer.status_code == 401
        assert answer.json()["category"] == "INVALID_AUTHENTICATION"


async def test_private_app_token_works_for_crm_but_not_custom_channels(
    client: httpx.AsyncClient, sandbox: RunningSandbox
) -> None:
    headers = {"Authorization": f"Bearer {sandbox.config.private_app_token}"}
    assert (await client.get("/crm/v3/owners", headers=headers)).status_code == 200
    refused = await client.get(
        "/conversations/v3/custom-channels/1/channel-accounts", headers=headers
    )
    assert refused.status_code == 403 and refused.json()["category"] == "MISSING_SCOPES"
