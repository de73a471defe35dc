"""`relaydesk demo`: the Demo organization connected in OAuth mode to the local sandbox portal,
through the same setup steps an admin takes (consent page included, approved over HTTP)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx

from ...settings import HubSpotSettings
from . import flows as hs
from .connections import ACTIVE, SETUP, find_connection
from .project import APP_FILE, WEBHOOKS_FILE, write_project

# The sandbox's demo app (hubspot_sandbox.config.SandboxConfig defaults): not secrets.
SANDBOX_APP = {
    "client_id": "sandbox-client-id",
    "client_secret": "sandbox-client-secret",
    "app_id": 2438486,
    "developer_api_key": "sandbox-developer-key",
}


def sandbox_settings(sandbox_url: str) -> HubSpotSettings:
    return HubSpotSettings(base_url=sandbox_url, app_base_url=sandbox_url, **SANDBOX_APP)


async def approve(authorize_url: str) -> str:
    """Approve the consent page as the sandbox's first rep would; returns the code."""
    query = {k: v[0] for k, v in parse_qs(urlsplit(authorize_url).query).items()}
    form = {k: query[k] for k in ("client_id", "redirect_uri", "state")}
    async with httpx.AsyncClient(timeout=10) as browser:
        (await browser.get(authorize_url)).raise_for_status()
        answer = await browser.post(
            authorize_url.split("?")[0],
            data=form | {"scope": query["scope"].split(), "decision": "approve"},
        )
    return parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]


async def upload_project(setup: hs.Setup, folder: Path) -> None:
    """What an operator does with HubSpot's CLI, done against the sandbox: write this
    installation's project (`relaydesk hubspot-project`) and configure the app from its files."""
    write_project(setup.public_base_url, folder)
    files = {"app": folder / APP_FILE, "webhooks": folder / WEBHOOKS_FILE}
    body = {name: json.loads(path.read_text()) for name, path in files.items()}
    async with httpx.AsyncClient(base_url=setup.hubspot.settings.base_url, timeout=10) as sandbox:
        (await sandbox.post("/_sandbox/project", json=body)).raise_for_status()


async def connect_demo(setup: hs.Setup, organization_id: str, project_dir: Path) -> str:
    """Configure the sandbox's app from our project files, connect (or reconnect, after a
    sandbox restart) and pick the first inbox, owner, pipeline."""
    await upload_project(setup, project_dir)
    async with setup.sessions() as session:
        connection = await find_connection(session, organization_id)
    if (
        connection is None
        or not connection.access_token_enc
        or await hs.test_connection(setup, organization_id) not in (ACTIVE, SETUP)
    ):
        url = hs.authorize_url(setup, organization_id, "demo")
        await hs.complete_oauth(setup, organization_id, await approve(url))
    choices = await hs.choices(setup, organization_id)
    pipeline = choices.pipelines[0]
    chosen = hs.Chosen(
        choices.inboxes[0].id, choices.owners[0].id, pipeline.id, pipeline.stages[0].id
    )
    return await hs.choose(setup, organization_id, chosen, "Demo website")
