"""One HubSpot app, two portals, two organizations: each connects through the OAuth consent to
its own portal, the app's one webhook URL (declared in the project relaydesk writes) receives
both portals' events, and every rep reply, assignment and close reaches only its own visitor."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import func, select

from hubspot_sandbox import RunningSandbox, SandboxConfig, start_sandbox_sync
from hubspot_sandbox.signatures import sign_v3
from relaydesk.hubspot.api.scopes import SCOPES
from relaydesk.hubspot.connect import flows as setup
from relaydesk.hubspot.connect.demo_connection import sandbox_settings, upload_project
from relaydesk.hubspot.connect.project import APP_FILE, WEBHOOKS_FILE, write_project
from relaydesk.models import Conversation, OutboxJob
from relaydesk.runtime import Runtime
from relaydesk.settings import ApiVersion

from ...databases import migrated_databases
from ...orgs import Org, make_org
from ...services import unavailable
from ...support import (
    RunningServer,
    WidgetClient,
    free_port,
    server_settings,
    start_server,
    wait_for,
)
from ..versions import assert_version
from .world import schema_problems


@pytest.fixture(scope="module")
def portal_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    with migrated_databases(tmp_path_factory.mktemp("portals-db"), "relaydesk_portals") as urls:
        yield urls


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world_backend(request: pytest.FixtureRequest, portal_databases: dict[str, str]) -> str:
    if request.param not in portal_databases:
        unavailable("PostgreSQL is not reachable on this machine")
    return str(request.param)


@pytest.fixture(scope="module", params=["2026-09", "v3"])
def api_version(request: pytest.FixtureRequest) -> ApiVersion:
    """HubSpot's current API by date, and the v3 paths portals on older setups still use."""
    version: ApiVersion = request.param
    return version


@dataclass
class Installation:
    sandbox: RunningSandbox
    server: RunningServer
    runtime: Runtime


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def installation(
    world_backend: str,
    api_version: ApiVersion,
    portal_databases: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Installation]:
    """A sandbox whose app is the project relaydesk wrote, and relaydesk serving beside it."""
    sandbox = start_sandbox_sync(
        SandboxConfig(
            search_index_delay_s=0.1,
            rate_limit_per_10s=None,
            search_rate_limit_per_s=None,
            webhook_retry_delays_s=(0.2, 0.5, 1.0),
        )
    )
    data_dir: Path = tmp_path_factory.mktemp(f"portals-{world_backend}-{api_version}")
    port = free_port()
    settings = server_settings(
        portal_databases[world_backend], data_dir, port, hubspot=sandbox_settings(sandbox.base_url)
    )
    settings.hubspot.api_version = api_version
    server = start_server(settings, port)
    runtime = Runtime.build(settings)
    await upload_project(flow(runtime, server), data_dir / "hubspot-project")
    try:
        yield Installation(sandbox, server, runtime)
    finally:
        await runtime.close()
        server.stop()
        sandbox.stop_sync()


def flow(runtime: Runtime, server: RunningServer) -> setup.Setup:
    base = server.settings.public_base_url
    return setup.Setup(runtime.hubspot, runtime.sessions, runtime.vault, runtime.secret, base)


async def connect_to_portal(world: Installation, org: Org, portal_id: int) -> None:
    """The admin's connect: consent for `portal_id` (scripted), then the first picks."""
    steps = flow(world.runtime, world.server)
    url = setup.authorize_url(steps, org.id, "admin") + f"&portalId={portal_id}&approve=1"
    async with httpx.AsyncClient() as browser:
        consent = await browser.get(url)
    assert consent.status_code == 302, consent.text
    code = parse_qs(urlsplit(consent.headers["location"]).query)["code"][0]
    connection = await setup.complete_oauth(steps, org.id, code)
    assert connection.portal_id == str(portal_id) and connection.status == "setup_required"
    choices = await setup.choices(steps, org.id)
    pipeline = choices.pipelines[0]
    picks = setup.Chosen(choices.inboxes[0].id, choices.owners[0].id, pipeline.id,
                         pipeline.stages[0].id)  # fmt: skip
    assert await setup.choose(steps, org.id, picks, "Website") == "active"


@dataclass
class Visitor:
    widget: WidgetClient
    thread_id: str
    portal_id: int


async def handed_off(
    world: Installation, http: httpx.AsyncClient, org: Org, portal: int
) -> Visitor:
    widget = WidgetClient(http, org.widget_key)
    await widget.start()
    assert (await widget.send("I want to talk to a human")).status_code == 201

    async def thread() -> str | None:
        async with world.runtime.sessions() as session:
            found = await session.get(Conversation, widget.conversation_id)
            return found.hubspot_thread_id if found else None

    return Visitor(widget, await wait_for(thread, 20), portal)


async def control(world: Installation, path: str, **body: Any) -> Any:
    async with httpx.AsyncClient(base_url=world.sandbox.base_url, timeout=10) as sandbox:
        answer = await sandbox.post(path, json=body)
    assert answer.status_code < 300, answer.text
    return answer.json()


async def texts(visitor: Visitor, role: str) -> list[str]:
    return [m["text"] for m in await visitor.widget.history() if m["role"] == role]


async def state_of(visitor: Visitor) -> str:
    answer = await visitor.widget.http.get(
        f"/api/widget/v1/conversations/{visitor.widget.conversation_id}/messages",
        headers=visitor.widget.auth,
    )
    state: str = answer.json()["conversation"]["state"]
    return state


async def test_replies_assignments_and_closes_reach_only_their_own_visitor(
    installation: Installation,
) -> None:
    world = installation
    first_portal = world.sandbox.config.portal_id
    second_portal = (await control(world, "/_sandbox/portals", name="Second company"))["portalId"]
    org_a, org_b = await make_org(world.runtime.sessions), await make_org(world.runtime.sessions)
    await connect_to_portal(world, org_a, first_portal)
    await connect_to_portal(world, org_b, second_portal)
    async with httpx.AsyncClient(base_url=world.server.base_url, timeout=10) as http:
        a = await handed_off(world, http, org_a, first_portal)
        b = await handed_off(world, http, org_b, second_portal)
        in_b = await world_state(world, second_portal)
        assert [t["id"] for t in in_b["threads"]] == [b.thread_id]

        await control(world, f"/_sandbox/threads/{a.thread_id}/reply", text="Hello A, Sam here")
        await control(world, f"/_sandbox/threads/{b.thread_id}/reply", text="Hello B, Sam here")
        assert await wait_for(lambda: texts(a, "agent")) == ["Hello A, Sam here"]
        assert await wait_for(lambda: texts(b, "agent")) == ["Hello B, Sam here"]

        await control(
            world, f"/_sandbox/threads/{b.thread_id}/assign", agent="alex.chen@sandbox.example"
        )
        joined = await wait_for(lambda: joins(b))
        assert joined == ["Alex Chen joined the conversation"] and await joins(a) == []

        await forge_close(world, http, first_portal, b.thread_id)  # portal A naming B's thread
        await control(world, f"/_sandbox/threads/{a.thread_id}/close")
        await wait_for(lambda: closed(a))
        assert await state_of(b) == "human" and await texts(a, "agent") == ["Hello A, Sam here"]
        await control(world, f"/_sandbox/threads/{b.thread_id}/close")
        await wait_for(lambda: closed(b))
        await control(world, f"/_sandbox/threads/{b.thread_id}/reopen")
        assert await wait_for(lambda: reopened(b)) and await state_of(a) == "closed"
    await every_event_went_to_the_one_url(world)
    await every_request_speaks_the_version(world)


async def reopened(visitor: Visitor) -> bool:
    return await state_of(visitor) == "human"


async def every_request_speaks_the_version(world: Installation) -> None:
    """Connect, handoffs, replies, delivery status, closes and a reopen: each request in the
    configured version's paths, and each body what that version's document describes."""
    async with httpx.AsyncClient(base_url=world.sandbox.base_url) as sandbox:
        sent = (await sandbox.get("/_sandbox/requests")).json()["requests"]
    calls = [r for r in sent if not str(r["path"]).startswith("/oauth/authorize")]
    assert [r for r in calls if r["status"] >= 400 and r["status"] not in (404, 409)] == []
    version = world.server.settings.hubspot.api_version
    assert_version(version, calls)
    if version != "v3":
        assert [r["path"] for r in calls if "/v4/" in r["path"]] == []
    assert schema_problems(world.sandbox, calls) == []


async def world_state(world: Installation, portal_id: int) -> Any:
    async with httpx.AsyncClient(base_url=world.sandbox.base_url) as sandbox:
        return (await sandbox.get("/_sandbox/state", params={"portalId": portal_id})).json()


async def joins(visitor: Visitor) -> list[str]:
    return [t for t in await texts(visitor, "system") if t.endswith("joined the conversation")]


async def closed(visitor: Visitor) -> bool:
    return await state_of(visitor) == "closed"


async def forge_close(
    world: Installation, http: httpx.AsyncClient, portal_id: int, thread_id: str
) -> None:
    """Signed correctly, but for a portal that does not hold the thread: it changes nothing."""
    event = {
        "eventId": int(time.time() * 1000),
        "subscriptionId": 1,
        "portalId": portal_id,
        "appId": world.sandbox.config.app_id,
        "occurredAt": int(time.time() * 1000),
        "subscriptionType": "conversation.propertyChange",
        "attemptNumber": 0,
        "objectId": int(thread_id),
        "propertyName": "status",
        "propertyValue": "CLOSED",
        "changeSource": "API",
    }
    body = json.dumps([event]).encode()
    url = f"{world.server.settings.public_base_url}/hubspot/webhooks"
    now = int(time.time() * 1000)
    signature = sign_v3(world.sandbox.config.client_secret, "POST", url, body, now)
    headers = {
        "content-type": "application/json",
        "X-HubSpot-Signature-v3": signature,
        "X-HubSpot-Request-Timestamp": str(now),
    }
    answer = await http.post("/hubspot/webhooks", content=body, headers=headers)
    assert answer.status_code == 200 and answer.json()["received"] == 1


async def every_event_went_to_the_one_url(world: Installation) -> None:
    async with httpx.AsyncClient(base_url=world.sandbox.base_url) as sandbox:
        deliveries = (await sandbox.get("/_sandbox/webhooks")).json()["deliveries"]
    app_urls = {d["url"] for d in deliveries if d["kind"] == "app"}
    assert app_urls == {f"{world.server.settings.public_base_url}/hubspot/webhooks"}
    portals = {e["portalId"] for d in deliveries if d["kind"] == "app" for e in d["payload"]}
    assert len(portals) == 2


async def test_an_app_without_any_one_scope_shows_that_scope(installation: Installation) -> None:
    world = installation
    folder = Path(world.server.settings.data_dir) / "scope-projects"
    steps = flow(world.runtime, world.server)
    try:
        for scope in SCOPES:
            await project_with(world, folder, [s for s in SCOPES if s != scope])
            org = await make_org(world.runtime.sessions, sample_kb=False)
            url = setup.authorize_url(steps, org.id, "admin") + "&approve=1"
            async with httpx.AsyncClient() as browser:
                consent = await browser.get(url)
            code = parse_qs(urlsplit(consent.headers["location"]).query)["code"][0]
            connection = await setup.complete_oauth(steps, org.id, code)
            assert connection.status == "missing_scopes", scope
            assert f"did not grant {scope}." in (connection.last_error or ""), scope
    finally:
        await upload_project(steps, folder)


async def project_with(world: Installation, folder: Path, scopes: list[str]) -> None:
    write_project(world.server.settings.public_base_url, folder)
    app = json.loads((folder / APP_FILE).read_text())
    app["config"]["auth"]["requiredScopes"] = scopes
    webhooks = json.loads((folder / WEBHOOKS_FILE).read_text())
    await control(world, "/_sandbox/project", app=app, webhooks=webhooks)


async def test_a_portal_below_the_tier_custom_channels_need_is_named_as_such(
    installation: Installation,
) -> None:
    world = installation
    starter = await control(world, "/_sandbox/portals", name="Small shop", tier="starter")
    org = await make_org(world.runtime.sessions, sample_kb=False)
    steps = flow(world.runtime, world.server)
    url = setup.authorize_url(steps, org.id, "admin") + f"&portalId={starter['portalId']}&approve=1"
    async with httpx.AsyncClient() as browser:
        consent = await browser.get(url)
    code = parse_qs(urlsplit(consent.headers["location"]).query)["code"][0]
    connection = await setup.complete_oauth(steps, org.id, code)
    assert connection.status == "tier_required"
    assert "Service Hub Professional" in (connection.last_error or "")
    assert "conversations.custom_channels.write" in (connection.last_error or "")


async def test_a_handoff_before_the_first_message_blocks_nothing(
    installation: Installation,
) -> None:
    """The widget's "talk to a person" before a word: what the visitor is told opens the
    thread, their first message follows it there, and the rep's reply comes back."""
    world = installation
    org = await make_org(world.runtime.sessions, sample_kb=False)
    await connect_to_portal(world, org, world.sandbox.config.portal_id)
    async with httpx.AsyncClient(base_url=world.server.base_url, timeout=10) as http:
        widget = WidgetClient(http, org.widget_key)
        await widget.start()
        asked = await http.post("/api/widget/v1/handoff", headers=widget.auth)
        assert asked.status_code == 200, asked.text
        widget.conversation_id = asked.json()["id"]

        async def thread() -> str | None:
            async with world.runtime.sessions() as session:
                found = await session.get(Conversation, widget.conversation_id)
                return found.hubspot_thread_id if found else None

        visitor = Visitor(widget, await wait_for(thread, 20), world.sandbox.config.portal_id)
        assert (await widget.send("My parcel never arrived")).status_code == 201

        async def published() -> list[str] | None:
            state = await world_state(world, visitor.portal_id)
            [found] = [t for t in state["threads"] if t["id"] == visitor.thread_id]
            texts = [m["text"] for m in found["messages"]]
            return texts if "My parcel never arrived" in texts else None

        texts = await wait_for(published, 20)
        assert texts[-1] == "My parcel never arrived" and len(texts) >= 2
        await control(world, f"/_sandbox/threads/{visitor.thread_id}/reply", text="On it!")
        assert await wait_for(lambda: texts_of(visitor, "agent")) == ["On it!"]
    async with world.runtime.sessions() as session:
        failed = await session.scalar(
            select(func.count()).select_from(OutboxJob).where(OutboxJob.state == "failed")
        )
    assert failed == 0


async def texts_of(visitor: Visitor, role: str) -> list[str]:
    return await texts(visitor, role)
