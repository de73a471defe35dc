"""Attachment URLs expire and are bound to their viewer: the widget's are signed for the visitor
who owns the file, with an expiry; the admin console's need a signed-in member of the file's
organization. They used to work forever, for anyone who had one."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from relaydesk.db import create_engine, session_factory

from .admin_support import make_user, signed_in
from .databases import migrated_sqlite
from .orgs import Org, make_org
from .support import (
    RunningServer,
    WidgetClient,
    free_port,
    server_settings,
    start_server,
    wait_for,
)

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)
TTL_S = 2


@pytest.fixture(scope="module")
def short_links(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server whose attachment URLs work for two seconds."""
    directory = tmp_path_factory.mktemp("links")
    url = migrated_sqlite(directory / "relaydesk.db")
    port = free_port()
    settings = server_settings(url, directory, port, attachment_url_ttl_s=TTL_S)
    running = start_server(settings, port)
    yield running
    running.stop()


async def sent_file(http: httpx.AsyncClient, widget_key: str) -> tuple[WidgetClient, str]:
    """A visitor sends a screenshot; returns them and the file's URL in the message."""
    visitor = WidgetClient(http, widget_key)
    await visitor.start()
    files = {"file": ("screen.png", io.BytesIO(PNG), "image/png")}
    uploaded = await http.post("/api/widget/v1/uploads", files=files, headers=visitor.auth)
    assert uploaded.status_code == 201, uploaded.text
    sent = await visitor.send("it looks like this", attachment_ids=[uploaded.json()["id"]])
    assert sent.status_code == 201, sent.text
    return visitor, str(sent.json()["attachments"][0]["url"])


async def test_a_widget_url_expires_and_the_history_gives_a_fresh_one(
    short_links: RunningServer,
) -> None:
    engine = create_engine(short_links.settings.database_url)
    org = await make_org(session_factory(engine))
    await engine.dispose()
    async with httpx.AsyncClient(base_url=short_links.base_url, timeout=10) as http:
        visitor, url = await sent_file(http, org.widget_key)
        expires = int(parse_qs(urlsplit(url).query)["exp"][0])
        assert TTL_S <= expires - time.time() <= TTL_S + 1
        opened = await http.get(url)
        assert opened.status_code == 200 and opened.content == PNG
        assert opened.headers["cache-control"].startswith("private, max-age=")

        async def expired() -> httpx.Response | None:
            answer = await http.get(url)
            return answer if answer.status_code != 200 else None

        refused = await wait_for(expired, timeout=TTL_S + 3, interval=0.2)
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "link_expired"

        [message] = [m for m in await visitor.history() if m["attachments"]]
        fresh = message["attachments"][0]["url"]
        assert fresh != url and (await http.get(fresh)).content == PNG


async def test_a_widget_url_cannot_be_stretched_or_moved(
    client: httpx.AsyncClient, server: RunningServer
) -> None:
    org = await make_org_for(server)
    visitor, url = await sent_file(client, org.widget_key)
    query = parse_qs(urlsplit(url).query)
    path, sig, expires = urlsplit(url).path, query["sig"][0], int(query["exp"][0])
    assert server.settings.attachment_url_ttl_s == 3600  # the documented default
    assert (await client.get(url)).status_code == 200
    later = await client.get(path, params={"exp": expires + 86400 * 365, "sig": sig})
    assert later.status_code == 404
    unsigned = await client.get(path, params={"sig": sig})  # the old, never-expiring form
    assert unsigned.status_code == 422
    # Another visitor's file with this one's signature is no file at all.
    _, theirs = await sent_file(client, org.widget_key)
    other_path = urlsplit(theirs).path
    moved = await client.get(other_path, params={"exp": expires, "sig": sig})
    assert moved.status_code == 404
    odd = await client.get(path, params={"exp": expires, "sig": "é" * 32})
    assert odd.status_code == 404


async def make_org_for(server: RunningServer) -> Org:
    engine = create_engine(server.settings.database_url)
    try:
        return await make_org(session_factory(engine))
    finally:
        await engine.dispose()


async def test_the_admin_console_link_needs_a_signed_in_member_of_the_organization(
    client: httpx.AsyncClient, server: RunningServer
) -> None:
    org, elsewhere = await make_org_for(server), await make_org_for(server)
    engine = create_engine(server.settings.database_url)
    member = await make_user(session_factory(engine), org.id, "member")
    stranger = await make_user(session_factory(engine), elsewhere.id, "owner")
    await engine.dispose()
    visitor, _ = await sent_file(client, org.widget_key)

    admin = await signed_in(server.base_url, member)
    page = await admin.get(f"/admin/conversations/{visitor.conversation_id}")
    [link] = [line for line in page.text.splitlines() if "/admin/attachments/" in line]
    href = link.split('href="', 1)[1].split('"', 1)[0]
    assert "sig=" not in href
    opened = await admin.get(href)
    assert opened.status_code == 200 and opened.content == PNG
    assert opened.headers["cache-control"] == "private, no-store"
    await admin.close()

    anonymous = await client.get(href)  # no session: to the login page
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/admin/login"
    other = await signed_in(server.base_url, stranger)
    assert (await other.get(href)).status_code == 404
    await other.close()
