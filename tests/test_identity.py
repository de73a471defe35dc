"""Anonymous, unverified and verified visitors; identity tokens issued by us or by the company."""

from __future__ import annotations

import time

import httpx
import jwt

from .orgs import Org
from .support import WidgetClient


async def issue(client: httpx.AsyncClient, org: Org, email: str, **claims: object) -> str:
    answer = await client.post(
        "/api/v1/identity-tokens",
        json={"email": email, **claims},
        headers={"authorization": f"Bearer {org.api_key}"},
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["expires_at"] > time.time()
    token: str = answer.json()["identity_token"]
    return token


async def test_verified_visitor_sees_history_from_a_second_browser(
    client: httpx.AsyncClient, org: Org
) -> None:
    laptop = WidgetClient(client, org.widget_key)
    session = await laptop.start(await issue(client, org, "Ada@Example.com", name="Ada"))
    assert session["visitor"]["verified"] is True
    assert session["visitor"]["email"] == "ada@example.com"
    await laptop.send("Where is my parcel?")

    phone = WidgetClient(client, org.widget_key)  # a second browser: no stored visitor token
    session = await phone.start(await issue(client, org, "ada@example.com"))
    assert session["visitor"]["id"] == (await laptop.start())["visitor"]["id"]
    assert session["conversation"]["id"] == laptop.conversation_id
    assert (await phone.history())[0]["text"] == "Where is my parcel?"


async def test_token_signed_by_the_company_backend_is_accepted(
    client: httpx.AsyncClient, org: Org
) -> None:
    token = jwt.encode(
        {"email": "grace@example.com", "name": "Grace", "exp": int(time.time()) + 300},
        org.identity_secret,
        algorithm="HS256",
    )
    session = await WidgetClient(client, org.widget_key).start(token)
    assert session["visitor"] == {**session["visitor"], "verified": True, "name": "Grace"}


async def test_unverified_profile_does_not_share_history(
    client: httpx.AsyncClient, org: Org
) -> None:
    first = WidgetClient(client, org.widget_key)
    await first.start()
    profile = await client.post(
        "/api/widget/v1/profile",
        json={"name": "Lin", "email": "lin@example.com"},
        headers=first.auth,
    )
    assert profile.json()["visitor"] == {
        **profile.json()["visitor"],
        "verified": False,
        "email": "lin@example.com",
    }
    await first.send("My private question")

    second = WidgetClient(client, org.widget_key)
    await second.start()
    await client.post(
        "/api/widget/v1/profile",
        json={"name": "Lin", "email": "lin@example.com"},
        headers=second.auth,
    )
    session = await second.start()
    assert session["conversation"] is None
    assert session["visitor"]["id"] != (await first.start())["visitor"]["id"]


async def test_forged_and_expired_identity_tokens_are_refused(
    client: httpx.AsyncClient, org: Org
) -> None:
    forged = jwt.encode(
        {"email": "eve@example.com", "exp": int(time.time()) + 300},
        "not-the-secret-of-this-organization-at-all",
        algorithm="HS256",
    )
    expired = jwt.encode(
        {"email": "eve@example.com", "exp": int(time.time()) - 120},
        org.identity_secret,
        algorithm="HS256",
    )
    too_long = jwt.encode(
        {"email": "eve@example.com", "exp": int(time.time()) + 30 * 86400},
        org.identity_secret,
        algorithm="HS256",
    )
    for token in (forged, expired, too_long, "not-a-jwt"):
        answer = await client.post(
            "/api/widget/v1/sessions", json={"widget_key": org.widget_key, "identity_token": token}
        )
        assert answer.status_code == 401, answer.text
        assert answer.json()["error"]["code"] == "invalid_identity_token"


async def test_identity_token_endpoint_needs_a_valid_api_key(
    client: httpx.AsyncClient, org: Org
) -> None:
    for headers in ({}, {"authorization": "Bearer rdk_wrong"}):
        answer = await client.post(
            "/api/v1/identity-tokens", json={"email": "a@example.com"}, headers=headers
        )
        assert answer.status_code == 401


async def test_visitor_token_of_another_visitor_cannot_be_forged(
    client: httpx.AsyncClient, org: Org
) -> None:
    forged = jwt.encode(
        {"sub": "x", "org": org.id, "aud": "relaydesk:visitor", "exp": int(time.time()) + 60},
        "a-guess-at-the-instance-secret-key-0123456789",
        algorithm="HS256",
    )
    answer = await client.post(
        "/api/widget/v1/messages",
        json={"client_id": "c", "text": "hi"},
        headers={"authorization": f"Bearer {forged}"},
    )
    assert answer.status_code == 401


async def test_claims_a_session_could_not_store_are_refused_when_the_token_is_asked_for(
    client: httpx.AsyncClient, org: Org
) -> None:
    # As JSON sends them: a NUL, and half of a surrogate pair.
    for claims in (rb'"name": "Ada\u0000"', rb'"custom_data": {"plan": "pro\ud800"}'):
        answer = await client.post(
            "/api/v1/identity-tokens",
            content=b'{"email": "ada@example.com", ' + claims + b"}",
            headers={"authorization": f"Bearer {org.api_key}", "content-type": "application/json"},
        )
        assert answer.status_code == 422, answer.text
