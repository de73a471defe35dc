"""Each admin page does its job: widget settings, knowledge, API keys, team, jobs, conversations."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk.models import Conversation, KnowledgeDocument, Organization, OutboxJob

from .admin_support import csrf_of, make_user, signed_in
from .admin_world import build_world
from .support import RunningServer


async def _org(db: async_sessionmaker[AsyncSession], org_id: str) -> Organization:
    async with db() as session:
        organization = await session.get(Organization, org_id)
        assert organization is not None
        return organization


async def test_widget_settings_are_saved_and_checked(
    server: RunningServer, db: async_sessionmaker[AsyncSession], client: httpx.AsyncClient
) -> None:
    world = await build_world(db, "widget-settings")
    owner = await signed_in(server.base_url, world.owner)
    form = {
        "theme_color": "#AA3300",
        "greeting": "Welcome to the shop",
        "position": "left",
        "allowed_origins": "https://shop.example.com/\nhttps://www.example.com",
    }
    assert (await owner.post("/admin/widget", form)).status_code == 303
    org = await _org(db, world.org.id)
    assert (org.theme_color, org.greeting, org.position) == ("#aa3300", form["greeting"], "left")
    assert org.allowed_origins == ["https://shop.example.com", "https://www.example.com"]
    config = await client.get("/api/widget/v1/config", params={"widget_key": world.org.widget_key})
    assert config.json()["theme_color"] == "#aa3300"

    bad = await owner.post("/admin/widget", {**form, "theme_color": "red; x: url(y)"})
    assert bad.status_code == 422 and "theme colour" in bad.text
    origin = await owner.post("/admin/widget", {**form, "allowed_origins": "javascript:alert(1)"})
    assert origin.status_code == 422

    page = await owner.get("/admin/widget")
    assert f'data-widget-key="{world.org.widget_key}"' in page.text.replace("&#34;", '"')
    assert "algorithm=&#34;HS256&#34;" in page.text or 'algorithm="HS256"' in page.text
    old_secret = org.identity_secret_enc
    assert (await owner.post("/admin/widget/rotate-secret")).status_code == 303
    assert (await _org(db, world.org.id)).identity_secret_enc != old_secret
    await owner.close()


async def test_knowledge_upload_paste_delete_and_reindex_move_the_index_version(
    server: RunningServer, db: async_sessionmaker[AsyncSession], client: httpx.AsyncClient
) -> None:
    world = await build_world(db, "knowledge")
    owner = await signed_in(server.base_url, world.owner)
    version = (await _org(db, world.org.id)).kb_version
    files = [
        ("files", ("shipping.md", b"# Shipping\n\nWe ship in 2 days.", "text/markdown")),
        ("files", ("faq.html", b"<title>FAQ</title><p>Ask us</p>", "text/html")),
    ]
    upload = await owner.http.post(
        "/admin/knowledge/upload", data={"csrf_token": owner.csrf}, files=files
    )
    assert upload.status_code == 303, upload.text
    wrong = [("files", ("tool.exe", b"MZ", "application/octet-stream"))]
    refused = await owner.http.post(
        "/admin/knowledge/upload", data={"csrf_token": owner.csrf}, files=wrong
    )
    assert refused.status_code == 415
    pasted = await owner.post("/admin/knowledge/article", {"title": "Gift cards", "body": "Yes."})
    assert pasted.status_code == 303
    async with db() as session:
        docs = {
            d.title: d.id
            for d in await session.scalars(
                select(KnowledgeDocument).where(KnowledgeDocument.organization_id == world.org.id)
            )
        }
    assert {"Shipping", "FAQ", "Gift cards"} <= set(docs)
    assert (await _org(db, world.org.id)).kb_version == version + 3
    assert (await owner.post(f"/admin/knowledge/{docs['FAQ']}/delete")).status_code == 303
    assert (await owner.post("/admin/knowledge/reindex")).status_code == 303
    assert (await _org(db, world.org.id)).kb_version == version + 5
    page = await owner.get("/admin/knowledge")
    assert "Shipping" in page.text and "FAQ" not in page.text
    await owner.close()


async def test_api_keys_are_shown_once_work_and_can_be_revoked(
    server: RunningServer, db: async_sessionmaker[AsyncSession], client: httpx.AsyncClient
) -> None:
    world = await build_world(db, "api-keys")
    owner = await signed_in(server.base_url, world.owner)
    created = await owner.post("/admin/api-keys", {"name": "backend"})
    assert created.status_code == 200
    key = created.text.split('<pre id="new-key">', 1)[1].split("</pre>", 1)[0]
    assert key.startswith("rdk_")
    assert key not in (await owner.get("/admin/api-keys")).text
    identity = {"email": "ada@example.com"}
    auth = {"authorization": f"Bearer {key}"}
    ok = await client.post("/api/v1/identity-tokens", json=identity, headers=auth)
    assert ok.status_code == 201
    listing = (await owner.get("/admin/api-keys")).text
    key_id = listing.split("/admin/api-keys/", 1)[1].split("/revoke", 1)[0]
    assert (await owner.post(f"/admin/api-keys/{key_id}/revoke")).status_code == 303
    # the newest key is listed first: the one just created
    gone = await client.post("/api/v1/identity-tokens", json=identity, headers=auth)
    assert gone.status_code == 401
    await owner.close()


async def test_owners_add_people_who_sign_in_with_a_one_time_password(
    server: RunningServer, db: async_sessionmaker[AsyncSession], client: httpx.AsyncClient
) -> None:
    world = await build_world(db, "team")
    owner = await signed_in(server.base_url, world.owner)
    email = f"new-{world.org.id[:6]}@example.test"
    added = await owner.post("/admin/team", {"email": email, "role": "member"})
    assert added.status_code == 200
    password = added.text.split('<pre id="one-time-password">', 1)[1].split("</pre>", 1)[0]
    again = await owner.post("/admin/team", {"email": email, "role": "admin"})
    assert again.status_code == 422 and "already a member" in again.text

    newcomer = httpx.AsyncClient(base_url=server.base_url)
    form = await newcomer.get("/admin/login")
    data = {"email": email, "password": password, "csrf_token": csrf_of(form.text)}
    assert (await newcomer.post("/admin/login", data=data)).status_code == 303
    assert (await newcomer.get("/admin/conversations")).status_code == 200
    assert (await newcomer.get("/admin/widget")).status_code == 403  # a member
    await newcomer.aclose()

    admin_email = await make_user(db, world.org.id, "admin")
    admin = await signed_in(server.base_url, admin_email)
    refused = await admin.post("/admin/team", {"email": "boss@example.test", "role": "owner"})
    assert refused.status_code == 403  # admins cannot make owners
    for client_ in (owner, admin):
        await client_.close()


async def test_failed_jobs_are_listed_with_their_error_and_retried(
    server: RunningServer, db: async_sessionmaker[AsyncSession], client: httpx.AsyncClient
) -> None:
    world = await build_world(db, "jobs")
    owner = await signed_in(server.base_url, world.owner)
    page = await owner.get("/admin/jobs")
    assert "HubSpot said 500 jobs" in page.text and f"#{world.job_id}" in page.text
    assert (await owner.post(f"/admin/jobs/{world.job_id}/retry")).status_code == 303
    async with db() as session:
        job = await session.get(OutboxJob, world.job_id)
        assert job is not None and job.state != "failed" and job.attempts <= 1
    await owner.close()


async def test_conversations_are_filtered_and_shown_in_full(
    server: RunningServer, db: async_sessionmaker[AsyncSession], client: httpx.AsyncClient
) -> None:
    world = await build_world(db, "filters")
    owner = await signed_in(server.base_url, world.owner)
    link = f"/admin/conversations/{world.conversation_id}"
    queries = {
        "q=filters": True,
        "q=nothing-like-this": False,
        "handed_off=yes": True,
        "handed_off=no": False,
        "state=ai": True,
        "state=closed": False,
        "since=2000-01-01&until=2999-01-01": True,
        "until=2000-01-01": False,
    }
    for query, present in queries.items():
        page = await owner.get(f"/admin/conversations?{query}")
        assert page.status_code == 200
        assert (link in page.text) is present, query
    page = await owner.get(link)
    assert "summary filters" in page.text and "the visitor is frustrated" in page.text
    assert "HubSpot ticket" not in page.text  # not synced yet: the spot shows nothing
    async with db() as session:
        conversation = await session.get(Conversation, world.conversation_id)
        assert conversation is not None
        conversation.hubspot_ticket_id, conversation.hubspot_thread_id = "77", "301"
        await session.commit()
    page = await owner.get(link)
    assert "HubSpot ticket 77" in page.text and "HubSpot conversation 301" in page.text
    await owner.close()


async def test_an_error_on_an_admin_page_is_a_page_for_the_browser_and_json_otherwise(
    server: RunningServer, db: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(db, "error-pages")
    owner = await signed_in(server.base_url, world.owner)
    member = await signed_in(server.base_url, world.member)
    browser = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}

    missing = await owner.get("/admin/actions/no-such-action", headers=browser)
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    assert '<h1 id="error-heading">Not found</h1>' in missing.text
    assert 'href="/admin/conversations"' in missing.text
    assert "frame-ancestors 'none'" in missing.headers["content-security-policy"]
    refused = await member.post("/admin/handoff", {"level": "0"}, headers=browser)
    assert refused.status_code == 403 and "Not allowed" in refused.text

    as_json = await owner.get("/admin/actions/no-such-action")  # a script, not a browser
    assert as_json.status_code == 404 and as_json.json()["error"]["code"] == "not_found"
    api = await owner.get("/api/widget/v1/config?widget_key=nope", headers=browser)
    assert api.status_code == 404 and api.json()["error"]["code"] == "unknown_widget_key"
    signed_out = await httpx.AsyncClient(base_url=server.base_url).get(
        "/admin/conversations", headers=browser
    )
    assert signed_out.status_code == 303 and signed_out.headers["location"] == "/admin/login"
    await owner.close()
    await member.close()
