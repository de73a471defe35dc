"""The admin pages for the AI: handoff settings and the AI action editor, over HTTP."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk.assistant.action_editing import actions_of
from relaydesk.assistant.configuration import load_actions, load_policy
from relaydesk.assistant.policy import BALANCED, HandoffPolicy
from relaydesk.vault import Vault

from .admin_support import signed_in
from .admin_world import build_world
from .support import SECRET, RunningServer, WidgetClient

ACTION = {
    "name": "track_parcel",
    "description": "Where a parcel is",
    "method": "get",
    "url_template": "https://carrier.example.test/parcels/{parcel}",
    "parameters": '{"type": "object", "properties": {"parcel": {"type": "string"}}}',
    "headers": "X-Api-Key: typed-secret-1",
    "component": "card",
    "text_template": "Parcel {parcel}: {status}",
    "triggers": "track parcel {parcel}\nwhere is parcel {parcel}",
}


async def test_handoff_settings_are_saved_and_members_only_read_them(
    server: RunningServer, db: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(db, "handoff-page")
    owner = await signed_in(server.base_url, world.owner)
    page = await owner.get("/admin/handoff")
    assert 'value="1" checked' in page.text and "(default)" in page.text
    form = {"level": "2", "on_request": "1", "on_cannot_answer": "1",
            "topics": "refunds over 100 euros\n\n  legal questions  \n"}  # fmt: skip
    assert (await owner.post("/admin/handoff", form)).status_code == 303
    async with db() as session:
        policy = await load_policy(session, world.org.id)
    assert policy == HandoffPolicy(
        BALANCED, True, False, False, True, ("refunds over 100 euros", "legal questions")
    )

    member = await signed_in(server.base_url, world.member)
    page = await member.get("/admin/handoff")
    assert page.status_code == 200 and "legal questions" in page.text
    assert "<fieldset disabled>" in page.text.replace(" >", ">")
    assert (await member.post("/admin/handoff", {"level": "0"})).status_code == 403
    await owner.close()
    await member.close()


async def test_the_handoff_page_shows_what_each_topic_would_catch(
    server: RunningServer, db: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(db, "topic-preview")
    async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as http:
        visitor = WidgetClient(http, world.org.widget_key)
        await visitor.start()
        await visitor.send("My attorney will be in touch about this")
    owner = await signed_in(server.base_url, world.owner)
    form = {"level": "1", "topics": "legal questions\nclose my account", "team_language": "de"}
    assert (await owner.post("/admin/handoff", form)).status_code == 303
    async with db() as session:
        policy = await load_policy(session, world.org.id)
    assert policy.team_language == "de"

    page = (await owner.get("/admin/handoff")).text
    legal, closing = page.split("<h3>")[1:3]
    assert legal.startswith("legal questions") and "My lawyer will contact you." in legal
    assert "My attorney will be in touch about this" in legal  # a visitor of this organization
    assert closing.startswith("close my account") and "Ich möchte mein Konto kündigen." in closing
    assert "My attorney" not in closing and 'value="de" selected' in page

    typed = {**form, "topics": "refunds over 100 euros\nquestions"}
    preview = await owner.post("/admin/handoff/preview", typed)
    assert preview.status_code == 200 and "(not saved yet)" in preview.text
    assert "Je voudrais un remboursement de 120 euros." in preview.text
    assert "no word to match by" in preview.text  # "questions" names no subject
    async with db() as session:
        assert (await load_policy(session, world.org.id)).topics == policy.topics  # not saved

    refused = await owner.post("/admin/handoff", {**form, "team_language": "xx"})
    assert refused.status_code == 422 and "the team language is one of" in refused.text
    member = await signed_in(server.base_url, world.member)
    assert (await member.post("/admin/handoff/preview", typed)).status_code == 403
    await owner.close()
    await member.close()


async def test_an_action_is_created_edited_disabled_and_deleted(
    server: RunningServer, db: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(db, "action-editor")
    owner = await signed_in(server.base_url, world.owner)
    assert (await owner.post("/admin/actions", ACTION)).status_code == 303
    listing = await owner.get("/admin/actions")
    assert "track_parcel" in listing.text and "typed-secret" not in listing.text
    vault = Vault(SECRET)
    async with db() as session:
        action = next(
            a for a in await actions_of(session, world.org.id) if a.name == ACTION["name"]
        )
        spec = next(
            s for s in await load_actions(session, vault, world.org.id) if s.name == action.name
        )
    assert spec.method == "GET" and spec.headers == {"X-Api-Key": "typed-secret-1"}
    assert spec.triggers == ("track parcel {parcel}", "where is parcel {parcel}")
    assert spec.parameters["properties"] == {"parcel": {"type": "string"}}

    editor = await owner.get(f"/admin/actions/{action.id}")
    assert "Headers are set" in editor.text and "typed-secret" not in editor.text
    renamed = {**ACTION, "name": "parcel_status", "headers": "", "component": "parcel"}
    assert (await owner.post(f"/admin/actions/{action.id}", renamed)).status_code == 303
    async with db() as session:
        spec = next(
            s for s in await load_actions(session, vault, world.org.id) if s.component == "parcel"
        )
    assert spec.name == "parcel_status" and spec.headers == {"X-Api-Key": "typed-secret-1"}

    assert (await owner.post(f"/admin/actions/{action.id}/disable")).status_code == 303
    async with db() as session:
        assert "parcel_status" not in [
            s.name for s in await load_actions(session, vault, world.org.id)
        ]
    assert "disabled" in (await owner.get("/admin/actions")).text
    assert (await owner.post(f"/admin/actions/{action.id}/delete")).status_code == 303
    assert (await owner.get(f"/admin/actions/{action.id}")).status_code == 404
    await owner.close()


async def test_the_editor_explains_what_is_wrong_and_keeps_the_form(
    server: RunningServer, db: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(db, "action-errors")
    owner = await signed_in(server.base_url, world.owner)
    broken = {**ACTION, "parameters": '{"type": "object",}'}
    page = await owner.post("/admin/actions", broken)
    assert page.status_code == 422
    assert "Parameters are not valid JSON" in page.text and "line 1, column 19" in page.text
    assert "carrier.example.test/parcels/{parcel}" in page.text  # the form is kept...
    assert "typed-secret" not in page.text  # ...but typed headers are not sent back
    page = await owner.post("/admin/actions", {**ACTION, "parameters": "[1, 2]"})
    assert "must be a JSON object" in page.text
    page = await owner.post("/admin/actions", {**ACTION, "url_template": "ftp://x"})
    assert "http://" in page.text and page.status_code == 422
    page = await owner.post("/admin/actions", {**ACTION, "name": "order_status"})
    assert "exists already" in page.text  # the world's action is not overwritten
    async with db() as session:
        names = [a.name for a in await actions_of(session, world.org.id)]
    assert names == ["order_status"]
    await owner.close()
