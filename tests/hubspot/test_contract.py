"""Every client method against the sandbox, once per API version; each request it sent is checked
against the schema of its operation in HubSpot's official OpenAPI documents of that version (when
../shared/hubspot-openapi exists)."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from hubspot_sandbox import RunningSandbox
from hubspot_sandbox.config import default_openapi_dir
from hubspot_sandbox.validation import PATH_ALIASES, load_operations, template_pattern
from relaydesk.hubspot.api.app_client import HubSpotApp
from relaydesk.hubspot.api.auth import OAuthGrant
from relaydesk.hubspot.api.client import HubSpotClient
from relaydesk.hubspot.api.errors import Conflict
from relaydesk.hubspot.api.integration import HubSpot
from relaydesk.hubspot.connect.channel import CAPABILITIES
from relaydesk.settings import ApiVersion

from ..services import unavailable
from ..support import FAST_RETRY
from .flows import hubspot_settings, recorded
from .versions import assert_version, kept


@pytest.fixture(params=["2026-09", "v3"])
def api_version(request: pytest.FixtureRequest) -> ApiVersion:
    version: ApiVersion = request.param
    return version


@pytest_asyncio.fixture(loop_scope="session")
async def hubspot(sandbox: RunningSandbox, api_version: ApiVersion) -> AsyncIterator[HubSpot]:
    """The process's HubSpot configured for `api_version` (`app`, `grant` and `portal` use it)."""
    settings = hubspot_settings(sandbox, timeout_s=2.0, api_version=api_version)
    built = HubSpot.build(settings, retry=FAST_RETRY)
    yield built
    await built.close()


async def exercise_app(app: HubSpotApp, grant: OAuthGrant) -> str:
    info = await app.access_token_info(grant.access_token)
    assert info.hub_id and info.app_id == app.credentials.app_id
    refreshed = await app.refresh(grant.refresh_token)
    assert refreshed.expires_in == 1800
    body = {"name": "relaydesk chat", "webhookUrl": "https://x.test/hubspot/channel"}
    channel = await app.create_channel(body | {"capabilities": CAPABILITIES})
    assert channel.id in [c.id for c in await app.list_channels()]
    assert (await app.get_channel(channel.id)).webhook_url == body["webhookUrl"]
    patched = await app.update_channel(channel.id, {"channelDescription": "relaydesk"})
    assert patched.id == channel.id
    await app.put_webhook_settings("https://x.test/hubspot/webhooks/t0k3n")
    assert (await app.get_webhook_settings()).target_url.endswith("t0k3n")
    return channel.id


async def exercise_setup(portal: HubSpotClient) -> tuple[str, str]:
    assert (await portal.account_details()).portal_id
    inbox = (await portal.list_inboxes())[0]
    owner = (await portal.list_owners())[0]
    assert (await portal.list_pipelines())[0].stages
    assert (await portal.get_property("tickets", "hs_pipeline")).name == "hs_pipeline"
    prop = {"name": "relaydesk_tags", "label": "relaydesk tags", "groupName": "ticketinformation",
            "type": "enumeration", "fieldType": "checkbox",
            "options": [{"label": "handed off", "value": "relaydesk_handedoff",
                         "hidden": False, "displayOrder": 0}]}  # fmt: skip
    await portal.create_property("tickets", prop)
    with pytest.raises(Conflict):
        await portal.create_property("tickets", prop)
    return inbox.id, owner.id


async def exercise_channel(portal: HubSpotClient, channel_id: str, inbox_id: str) -> str:
    account = await portal.create_channel_account(
        channel_id,
        {"name": "Website", "inboxId": inbox_id, "authorized": True,
         "deliveryIdentifier": {"type": "CHANNEL_SPECIFIC_OPAQUE_ID", "value": "relaydesk-c"}},
    )  # fmt: skip
    assert [a.id for a in await portal.list_channel_accounts(channel_id, "relaydesk-c")] == [
        account.id
    ]
    message = await portal.publish_message(
        channel_id,
        {
            "channelAccountId": account.id,
            "integrationThreadId": "conv-1",
            "integrationIdempotencyId": "msg-1",
            "messageDirection": "INCOMING",
            "text": "My order never arrived",
            "timestamp": datetime.now(UTC).isoformat(),
            "senders": [{"name": "Jane", "deliveryIdentifier":
                         {"type": "HS_EMAIL_ADDRESS", "value": "jane@example.com"}}],
            "recipients": [{"deliveryIdentifier":
                            {"type": "CHANNEL_SPECIFIC_OPAQUE_ID", "value": "relaydesk-c"}}],
            "attachments": [],
        },
    )  # fmt: skip
    assert message.conversations_thread_id
    status = await portal.update_message_status(channel_id, message.id, "SENT")
    assert status.status == {"statusType": "SENT"}
    return message.conversations_thread_id


async def exercise_thread(portal: HubSpotClient, thread_id: str) -> str:
    assert (await portal.get_thread(thread_id)).status == "OPEN"
    file = await portal.upload_file("label.txt", b"hello file", "text/plain")
    comment = await portal.add_comment(thread_id, "AI hand-off: refund", "<b>AI</b>", [file.id])
    messages = await portal.list_thread_messages(thread_id)
    assert comment.id in [m.id for m in messages]
    assert (await portal.get_thread_message(thread_id, comment.id)).type == "COMMENT"
    first = messages[0]
    if first.created_by:
        assert (await portal.get_actor(first.created_by)).id == first.created_by
    assert (await portal.update_thread(thread_id, "CLOSED")).status == "CLOSED"
    assert (await portal.signed_url(file.id)).startswith("http")
    assert await portal.download_file(file.id) == b"hello file"
    return file.id


async def exercise_crm(portal: HubSpotClient, owner_id: str, file_id: str) -> None:
    email = f"c{uuid.uuid4().hex[:8]}@example.com"
    contact = await portal.create_object("contacts", {"email": email, "firstname": "Cy"})
    with pytest.raises(Conflict) as duplicate:
        await portal.create_object("contacts", {"email": email})
    assert duplicate.value.existing_id == contact.id
    assert (await portal.get_contact_by_email(email, ["email"])).id == contact.id
    await portal.search_contacts_by_email(email)  # eventually consistent: may be empty
    upserted = await portal.upsert_contacts_by_email([{"email": email, "lastname": "Doe"}])
    assert [c.id for c in upserted] == [contact.id]
    to_contact = [{"to": {"id": contact.id}, "types": [
        {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 16}]}]  # fmt: skip
    ticket = await portal.create_object(
        "tickets",
        {"subject": "Chat hand-off", "hs_pipeline": "0", "hs_pipeline_stage": "1",
         "hubspot_owner_id": owner_id},
        to_contact,
    )  # fmt: skip
    await portal.update_object("tickets", ticket.id, {"hs_ticket_priority": "HIGH"})
    note = await portal.create_object(
        "notes",
        {"hs_timestamp": datetime.now(UTC).isoformat(), "hs_note_body": "AI escalation",
         "hs_attachment_ids": file_id},
    )  # fmt: skip
    await portal.associate_default("notes", note.id, "tickets", ticket.id)


async def exercise_file_search(portal: HubSpotClient, file_id: str) -> None:
    """The file index lags uploads (0.2 s in this sandbox): found by a part of its name."""
    for _ in range(50):
        if file_id in [f.id for f in await portal.search_files("label")]:
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the uploaded file never showed in the file search")
    assert await portal.search_files("no-such-name") == []


async def test_every_client_method_against_the_sandbox(
    sandbox: RunningSandbox,
    app: HubSpotApp,
    portal: HubSpotClient,
    grant: OAuthGrant,
    api_version: ApiVersion,
    tmp_path: Path,
) -> None:
    channel_id = await exercise_app(app, grant)
    inbox_id, owner_id = await exercise_setup(portal)
    thread_id = await exercise_channel(portal, channel_id, inbox_id)
    file_id = await exercise_thread(portal, thread_id)
    await exercise_crm(portal, owner_id, file_id)
    await exercise_file_search(portal, file_id)

    sent = [r for r in await recorded(sandbox) if not str(r["path"]).startswith("/oauth/authorize")]
    assert len(sent) >= 30
    unexpected = [r for r in sent if int(str(r["status"])) >= 400 and int(str(r["status"])) != 409]
    assert not unexpected, unexpected
    assert_version(api_version, sent)
    assert [r for r in sent if "hapikey" in str(r["query"]) and "custom-channels" in str(r["path"])]
    folder = default_openapi_dir()
    if not folder.is_dir():
        unavailable(f"{folder} is absent: requests were not checked against HubSpot's schemas")
    assert_documented(documents_of(folder, api_version, tmp_path), sent, api_version)


def documents_of(folder: Path, version: ApiVersion, tmp_path: Path) -> Path:
    """A folder holding only `version`'s documents: the dated ones, else the semantic ones."""
    dated = re.compile(r"\.\d{4}-\d{2}\.json$")
    chosen = tmp_path / f"documents-{version}"
    chosen.mkdir()
    for file in folder.glob("*.json"):
        if (f".{version}.json" in file.name) if version != "v3" else not dated.search(file.name):
            (chosen / file.name).symlink_to(file.resolve())
    assert any(chosen.iterdir()), f"no {version} document in {folder}"
    return chosen


def documented_paths(folder: Path) -> list[tuple[str, re.Pattern[str]]]:
    found = []
    for file in folder.glob("*.json"):
        for template, item in json.loads(file.read_text()).get("paths", {}).items():
            found += [(m.upper(), template_pattern(template)) for m in item if m != "parameters"]
    return found


def assert_documented(folder: Path, sent: list[dict[str, Any]], version: ApiVersion) -> None:
    """Each request names an operation of `folder`'s documents and its JSON body fits it; in a
    dated run a row `paths.py` keeps on an older path is checked against the older documents."""
    older = documents_of(default_openapi_dir(), "v3", folder.parent) if version != "v3" else folder
    known = {f: documented_paths(f) for f in (folder, older)}
    undocumented = set()
    for request in sent:
        method, path = str(request["method"]), str(request["path"])
        path = PATH_ALIASES.get(path, path)
        judge = older if kept(path) else folder
        if not any(m == method and p.fullmatch(path) for m, p in known[judge]):
            undocumented.add((method, path))
        body = request["body"]
        operations = load_operations(str(judge.resolve()))
        op = next((o for o in operations if o.method == method and o.pattern.fullmatch(path)), None)
        if op is not None and isinstance(body, dict | list) and "contentType" not in body:
            problems = op.validator.validate(op.schema, body)
            assert not problems, f"{method} {path}: {problems}"
    assert not undocumented, undocumented
