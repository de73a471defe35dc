"""Every admin route, found by walking the app's routes: roles, organization isolation, CSRF,
and visitor text shown inert. A new route is covered without touching these tests."""

from __future__ import annotations

import base64
import re
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk.files import LocalFileStore
from relaydesk.models import (
    AiAction,
    ApiKey,
    Conversation,
    HandoffSettings,
    KnowledgeDocument,
    Membership,
    Organization,
    OutboxJob,
)

from .admin_support import AdminClient, signed_in
from .admin_world import SCRIPT, World, build_world
from .support import RunningServer

# A 1x1 PNG: the widget's avatar upload takes images only.
PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQ"
    "AAAABJRU5ErkJggg=="
)

# These act on the signed-in person rather than on an organization's data.
SELF_SERVICE = {
    "/admin/login", "/admin/logout", "/admin/switch", "/admin/account/password",
    "/admin/login/forgot", "/admin/login/password",
}  # fmt: skip
FORM = {
    "theme_color": "#000000",
    "greeting": "Taken over",
    "position": "left",
    "allowed_origins": "https://evil.example",
    "name": "stolen",
    "email": "intruder@example.test",
    "role": "owner",
    "title": "Planted",
    "language": "de",
    "s.send": "Planted",
    "body": "Planted article",
    "level": "0",
    "topics": "everything",
    "url_template": "https://evil.example/{x}",
}
UPLOAD = {
    "files": ("planted.md", b"# Planted\n\nfrom another organization", "text/markdown"),
    "avatar": ("planted.png", base64.b64decode(PNG), "image/png"),
}


def admin_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every admin route, as the app resolves its included routers."""
    routes = [r for r in iter_route_contexts(app.routes) if (r.path or "").startswith("/admin")]
    found = sorted((m, r.path or "") for r in routes for m in r.methods or () if m != "HEAD")
    assert len(found) > 15, found
    return found


def files(server: RunningServer) -> LocalFileStore:
    return LocalFileStore(server.settings.upload_dir)


def fill(path: str, world: World) -> str:
    ids = {
        "conversation_id": world.conversation_id,
        "document_id": world.document_id,
        "key_id": world.key_id,
        "job_id": str(world.job_id),
        "user_id": world.user_id,
        "action_id": world.action_id,
        "attachment_id": world.attachment_id,
    }
    names = re.findall(r"{(\w+)}", path)
    missing = [n for n in names if n not in ids]
    assert not missing, f"{path}: give this test an object for {missing}"
    return path.format(**ids)


async def call(admin: AdminClient, method: str, url: str, csrf: bool = True) -> httpx.Response:
    if method == "GET":
        return await admin.get(url)
    data = {**FORM, **({"csrf_token": admin.csrf} if csrf else {})}
    return await admin.http.post(url, data=data, files=UPLOAD)


async def snapshot(sessions: async_sessionmaker[AsyncSession], world: World) -> dict[str, Any]:
    org_id = world.org.id
    async with sessions() as session:
        org = await session.get(Organization, org_id)
        conversation = await session.get(Conversation, world.conversation_id)
        assert org is not None and conversation is not None

        async def rows(query: Any) -> list[Any]:
            return sorted(tuple(r) for r in await session.execute(query))

        return {
            "org": (org.theme_color, org.greeting, org.position, org.allowed_origins,
                    org.identity_secret_enc, org.kb_version, org.widget_title, org.strings,
                    org.avatar_key),
            "conversation": (conversation.state, conversation.csat_score),
            "documents": await rows(select(KnowledgeDocument.id).where(
                KnowledgeDocument.organization_id == org_id)),
            "keys": await rows(select(ApiKey.id, ApiKey.revoked_at).where(
                ApiKey.organization_id == org_id)),
            "members": await rows(select(Membership.user_id, Membership.role).where(
                Membership.organization_id == org_id)),
            "jobs": await rows(select(OutboxJob.id, OutboxJob.state, OutboxJob.attempts).where(
                OutboxJob.ordering_key == world.conversation_id)),
            "actions": await rows(select(AiAction.id, AiAction.name, AiAction.url_template,
                AiAction.headers_enc, AiAction.enabled).where(AiAction.organization_id == org_id)),
            "handoff": await rows(select(HandoffSettings.level, HandoffSettings.on_request).where(
                HandoffSettings.organization_id == org_id)),
        }  # fmt: skip


async def test_a_user_of_one_organization_cannot_read_or_change_another(
    server: RunningServer, db: async_sessionmaker[AsyncSession]
) -> None:
    a = await build_world(db, "marker-of-a")
    b = await build_world(db, "marker-of-b", files(server))
    admin = await signed_in(server.base_url, a.owner)
    before = await snapshot(db, b)
    for method, path in admin_routes(server.app):
        if path in SELF_SERVICE:
            continue
        if "{" in path:
            answer = await call(admin, method, fill(path, b))
            assert answer.status_code in (403, 404), (method, path, answer.status_code)
        else:
            answer = await call(admin, method, path)
            assert answer.status_code in (200, 303), (method, path, answer.text[:300])
            assert "marker-of-b" not in answer.text and b.org.widget_key not in answer.text
    switch = await admin.post("/admin/switch", {"organization_id": b.org.id})
    assert switch.status_code == 403
    assert await snapshot(db, b) == before
    await admin.close()


async def test_members_read_conversations_but_change_nothing(
    server: RunningServer, db: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(db, "marker-of-member-org", files(server))
    member = await signed_in(server.base_url, world.member)
    before = await snapshot(db, world)
    for method, path in admin_routes(server.app):
        if path in SELF_SERVICE:
            continue
        answer = await call(member, method, fill(path, world))
        if method == "POST":
            assert answer.status_code == 403, (path, answer.status_code)
        else:
            assert answer.status_code in (200, 303, 403), (path, answer.status_code)
            assert world.org.widget_key not in answer.text  # no settings, no credentials
    assert await snapshot(db, world) == before
    page = await member.get(f"/admin/conversations/{world.conversation_id}")
    assert page.status_code == 200 and "marker-of-member-org" in page.text
    await member.close()


async def test_every_form_needs_its_csrf_token(
    server: RunningServer, db: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(db, "marker-of-csrf-org")
    owner = await signed_in(server.base_url, world.owner)
    before = await snapshot(db, world)
    posts = [p for m, p in admin_routes(server.app) if m == "POST"]
    for path in posts:
        answer = await call(owner, "POST", fill(path, world), csrf=False)
        assert answer.status_code == 403, (path, answer.status_code)
    assert await snapshot(db, world) == before
    assert (await owner.get("/admin/widget")).status_code == 200  # still signed in
    await owner.close()


JAVASCRIPT_LINK = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.I)


async def test_visitor_text_is_inert_on_every_page(
    server: RunningServer, db: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(db, "marker-of-xss-org", files(server))
    owner = await signed_in(server.base_url, world.owner)
    shown_on = []
    for method, path in admin_routes(server.app):
        if method != "GET":
            continue
        page = await owner.get(fill(path, world))
        assert page.status_code in (200, 303), (path, page.status_code)
        if path == "/admin/attachments/{attachment_id}":  # a file, never shown as a page
            assert page.headers["content-security-policy"] == "sandbox"
            assert page.headers["content-disposition"].startswith("attachment;")
            continue
        assert SCRIPT not in page.text and "<img src=x" not in page.text, path
        assert not JAVASCRIPT_LINK.search(page.text), path
        assert "header-secret" not in page.text, path  # action headers are write-only
        assert "script-src 'self'" in page.headers.get("content-security-policy", ""), path
        if "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page.text:
            shown_on.append(path)
    expected = {"/admin/conversations", "/admin/conversations/{conversation_id}", "/admin/csat"}
    assert expected | {"/admin/jobs"} <= set(shown_on), shown_on
    await owner.close()
