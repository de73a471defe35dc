"""Faults the sandbox injects on request: HubSpot's rate limits, errors, outages."""

from __future__ import annotations

import httpx


async def test_rate_limit_answers_429_with_hubspots_body_and_headers(
    client: httpx.AsyncClient, api: httpx.AsyncClient
) -> None:
    assert (
        await client.post("/_sandbox/faults", json={"rate_limit_per_10s": 3})
    ).status_code == 200
    answers = [await api.get("/crm/v3/owners") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[0].headers["X-HubSpot-RateLimit-Max"] == "3"
    assert answers[2].headers["X-HubSpot-RateLimit-Remaining"] == "0"
    limited = answers[3]
    assert limited.headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
    assert 1 <= int(limited.headers["Retry-After"]) <= 10
    body = limited.json()
    assert body["status"] == "error" and body["errorType"] == "RATE_LIMIT"
    assert body["policyName"] == "TEN_SECONDLY_ROLLING"
    assert body["message"] == "You have reached your ten_secondly_rolling limit."


async def test_the_window_rolls_after_ten_seconds(
    client: httpx.AsyncClient, api: httpx.AsyncClient
) -> None:
    await client.post("/_sandbox/faults", json={"rate_limit_per_10s": 1})
    assert (await api.get("/crm/v3/owners")).status_code == 200
    assert (await api.get("/crm/v3/owners")).status_code == 429
    await client.post("/_sandbox/clock/advance", json={"seconds": 10})
    assert (await api.get("/crm/v3/owners")).status_code == 200


async def test_error_rate_and_outage(client: httpx.AsyncClient, api: httpx.AsyncClient) -> None:
    await client.post("/_sandbox/faults", json={"error_rate": 1.0, "error_status": 502})
    failed = await api.get("/crm/v3/owners")
    assert failed.status_code == 502 and failed.json()["status"] == "error"
    await client.post("/_sandbox/faults", json={"error_rate": 0.0, "down_for_s": 30})
    assert (await api.get("/crm/v3/owners")).status_code == 503
    await client.post("/_sandbox/clock/advance", json={"seconds": 31})
    assert (await api.get("/crm/v3/owners")).status_code == 200


async def test_faults_never_touch_the_control_api(client: httpx.AsyncClient) -> None:
    await client.post("/_sandbox/faults", json={"error_rate": 1.0, "rate_limit_per_10s": 1})
    for _ in range(3):
        assert (await client.get("/_sandbox/state")).status_code == 200


async def test_search_has_its_own_secondly_limit(
    client: httpx.AsyncClient, api: httpx.AsyncClient
) -> None:
    await client.post("/_sandbox/faults", json={"search_rate_limit_per_s": 2})
    search = {
        "filterGroups": [
            {"filters": [{"propertyName": "email", "operator": "EQ", "value": "x@example.com"}]}
        ]
    }
    answers = [await api.post("/crm/v3/objects/contacts/search", json=search) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].json()["policyName"] == "SECONDLY"
    assert (await api.get("/crm/v3/owners")).status_code == 200
