"""Starting sandboxes: each app holds its own portal, and stops cleanly."""

from __future__ import annotations

import httpx

from hubspot_sandbox import RunningSandbox, SandboxConfig, start_sandbox


async def test_a_second_sandbox_has_its_own_state(sandbox: RunningSandbox) -> None:
    other = await start_sandbox(SandboxConfig(portal_id=42, openapi_dir=None))
    try:
        assert other.base_url != sandbox.base_url
        headers = {"Authorization": f"Bearer {other.config.private_app_token}"}
        async with httpx.AsyncClient(base_url=other.base_url, headers=headers) as client:
            created = await client.post(
                "/crm/v3/objects/contacts", json={"properties": {"email": "solo@example.com"}}
            )
            assert created.status_code == 201
            assert (await client.get("/account-info/v3/details")).json()["portalId"] == 42
        async with httpx.AsyncClient(base_url=sandbox.base_url) as client:
            assert (await client.get("/_sandbox/state")).json()["contacts"] == []
    finally:
        await other.stop()
    assert not other.thread.is_alive()


async def test_without_openapi_documents_the_sandbox_still_validates() -> None:
    bare = await start_sandbox(SandboxConfig(openapi_dir=None))
    try:
        headers = {"Authorization": f"Bearer {bare.config.private_app_token}"}
        async with httpx.AsyncClient(base_url=bare.base_url, headers=headers) as client:
            note = await client.post(
                "/crm/v3/objects/notes", json={"properties": {"hs_note_body": "no timestamp"}}
            )
            assert note.status_code == 400 and note.json()["category"] == "VALIDATION_ERROR"
            owners = await client.get("/crm/v3/owners")
            assert owners.status_code == 200
    finally:
        await bare.stop()
