"""Erasing a visitor on request: `relaydesk erase-visitor` and the admin's Privacy page remove
every message, file, profile field, job payload and CSAT comment of theirs, count them, and leave
an audit entry without the content. Nothing of the visitor stays in the database dump or the data
folder; other visitors keep everything. Before, nothing could be erased."""

from __future__ import annotations

import asyncio
import io
import os
import sys
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk.models import (
    Attachment,
    AuditEntry,
    Conversation,
    Message,
    OutboxJob,
    Visitor,
)

from .admin_support import make_user, signed_in
from .database_dump import dump_text, files_containing, raw_sqlite
from .orgs import Org, make_org
from .support import RunningServer, WidgetClient, wait_for


@dataclass
class Traces:
    """What identifies one visitor, to be searched for after the erasure."""

    email: str
    name: str
    words: str  # in a message and inside a file
    comment: str

    @classmethod
    def new(cls) -> Traces:
        tag = uuid.uuid4().hex[:10]
        return cls(
            f"erase-{tag}@example.com",
            f"Zelda Quux{tag}",
            f"my parcel code is PX{tag}",
            f"quick answer {tag}",
        )

    @property
    def needles(self) -> list[str]:
        return [self.email, self.name, self.words, self.comment]


async def leave_traces(http: httpx.AsyncClient, widget_key: str, traces: Traces) -> WidgetClient:
    """A visitor who gives a name and email, sends a file, rates one chat and hands off another
    (whose HubSpot job waits: the organization has no HubSpot)."""
    visitor = WidgetClient(http, widget_key)
    await visitor.start()
    profile = {"name": traces.name, "email": traces.email}
    answer = await http.post("/api/widget/v1/profile", json=profile, headers=visitor.auth)
    assert answer.status_code == 200, answer.text
    file = {"file": ("notes.txt", io.BytesIO(traces.words.encode()), "text/plain")}
    uploaded = await http.post("/api/widget/v1/uploads", files=file, headers=visitor.auth)
    assert uploaded.status_code == 201, uploaded.text
    sent = await visitor.send(traces.words, attachment_ids=[uploaded.json()["id"]])
    assert sent.status_code == 201, sent.text
    await visitor.wait_for_reply()
    path = f"/api/widget/v1/conversations/{visitor.conversation_id}"
    assert (await http.post(f"{path}/close", headers=visitor.auth)).status_code == 200
    rating = {"score": 4, "comment": traces.comment}
    assert (await http.post(f"{path}/csat", json=rating, headers=visitor.auth)).status_code == 200
    assert (await visitor.send(f"{traces.words}, still lost")).status_code == 201
    await visitor.wait_for_reply()
    handed = await http.post("/api/widget/v1/handoff", headers=visitor.auth)
    assert handed.status_code == 200, handed.text
    return visitor


async def counted(sessions: async_sessionmaker[AsyncSession], org_id: str, email: str) -> dict:
    """What the erasure should report, counted from the rows."""
    async with sessions() as session:
        visitors = list(
            await session.scalars(
                select(Visitor).where(
                    Visitor.organization_id == org_id,
                    or_(Visitor.email == email, Visitor.verified_email == email),
                )
            )
        )
        ids = [v.id for v in visitors]
        conversations = list(
            await session.scalars(select(Conversation).where(Conversation.visitor_id.in_(ids)))
        )
        cids = [c.id for c in conversations]
        messages = await session.scalar(
            select(func.count()).select_from(Message).where(Message.conversation_id.in_(cids))
        )
        files = await session.scalar(
            select(func.count()).select_from(Attachment).where(Attachment.visitor_id.in_(ids))
        )
        jobs = await session.scalar(
            select(func.count()).select_from(OutboxJob).where(OutboxJob.ordering_key.in_(cids))
        )
    fields = sum(
        sum(1 for f in (v.name, v.email, v.verified_email, v.external_id, v.locale) if f)
        for v in visitors
    )
    return {
        "visitors": len(ids),
        "conversations": len(cids),
        "messages": messages,
        "files": files,
        "profile_fields": fields,
        "job_payloads": jobs,
        "csat_comments": sum(1 for c in conversations if c.csat_comment),
    }


async def assert_no_trace(server: RunningServer, traces: Traces, kept: Traces) -> None:
    dump = await dump_text(server.settings.database_url)
    assert [n for n in traces.needles if n in dump] == []
    if server.settings.database_url.startswith("sqlite"):  # not even in a free page
        with tempfile.TemporaryDirectory() as folder:
            raw = await raw_sqlite(server.settings.database_url, Path(folder) / "copy.db")
        assert [n for n in traces.needles if n.encode() in raw] == []
        assert kept.email.encode() in raw
    assert all(n in dump for n in kept.needles)  # the search does find what is there
    uploads = server.settings.upload_dir
    assert files_containing(uploads, traces.needles) == []
    assert files_containing(uploads, [kept.words])


async def run_cli(server: RunningServer, *args: str, status: int = 0) -> str:
    settings = server.settings
    env = os.environ | {
        "RELAYDESK_DATABASE_URL": settings.database_url,
        "RELAYDESK_SECRET_KEY": settings.secret_key.get_secret_value(),
        "RELAYDESK_DATA_DIR": str(settings.data_dir),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "relaydesk.cli", *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await process.communicate()
    assert process.returncode == status, err.decode()
    return out.decode() if status == 0 else err.decode()


async def test_erase_visitor_by_email_from_the_command_line(
    server: RunningServer, db: async_sessionmaker[AsyncSession], org: Org, client: httpx.AsyncClient
) -> None:
    traces, kept = Traces.new(), Traces.new()
    await leave_traces(client, org.widget_key, traces)
    await leave_traces(client, org.widget_key, kept)
    second_browser = WidgetClient(client, org.widget_key)  # the same person, another device
    await second_browser.start()
    profile = {"email": traces.email.upper()}
    await client.post("/api/widget/v1/profile", json=profile, headers=second_browser.auth)
    expected = await counted(db, org.id, traces.email)
    assert expected["visitors"] == 2 and expected["files"] == 1 and expected["job_payloads"] > 0

    out = await run_cli(server, "erase-visitor", "--org", org.id, "--email", traces.email.upper())

    printed = {
        line.split(":")[0].strip().replace(" ", "_"): int(line.split(":")[1])
        for line in out.splitlines()
        if line.startswith("  ")
    }
    assert printed == expected, out
    assert "HubSpot records were not deleted" in out
    await assert_no_trace(server, traces, kept)
    async with db() as session:
        entries = list(
            await session.scalars(select(AuditEntry).where(AuditEntry.organization_id == org.id))
        )
    assert len(entries) == 2 and all(e.actor.startswith("cli ") for e in entries)
    assert sum(e.details["messages"] for e in entries) == expected["messages"]


async def test_erase_visitor_from_the_admin(
    server: RunningServer, db: async_sessionmaker[AsyncSession], org: Org, client: httpx.AsyncClient
) -> None:
    traces, kept = Traces.new(), Traces.new()
    visitor = await leave_traces(client, org.widget_key, traces)
    await leave_traces(client, org.widget_key, kept)
    expected = await counted(db, org.id, traces.email)
    stranger = await signed_in(server.base_url, await make_user(db, (await make_org(db)).id))
    elsewhere = await stranger.post("/admin/privacy/erase", {"email": traces.email})
    await stranger.close()
    assert "nothing was erased" in elsewhere.text  # another organization's admin finds nobody
    assert await counted(db, org.id, traces.email) == expected
    owner = await make_user(db, org.id, "owner")
    admin = await signed_in(server.base_url, owner)
    try:
        transcript = await admin.get(f"/admin/conversations/{visitor.conversation_id}")
        assert 'id="erase-visitor"' in transcript.text  # the same action, from the transcript
        page = await admin.get("/admin/privacy")
        assert "never deletes anything in HubSpot" in page.text
        assert "gdpr-compliant-delete-in-hubspot" in page.text
        both = await admin.post("/admin/privacy/erase", {"email": traces.email, "visitor_id": "x"})
        assert both.status_code == 422
        done = await admin.post("/admin/privacy/erase", {"email": traces.email})
        assert done.status_code == 200, done.text
        for name, count in expected.items():
            if name != "visitors":
                assert f'data-count="{name}">{count} ' in done.text, name
        assert f"admin {owner}" in done.text  # the audit log names who erased
    finally:
        await admin.close()

    async def files_gone() -> bool:
        return not files_containing(server.settings.upload_dir, traces.needles)

    await wait_for(files_gone)
    await assert_no_trace(server, traces, kept)


async def test_the_command_names_what_it_cannot_find(sqlite_server: RunningServer) -> None:
    unknown = await run_cli(
        sqlite_server, "erase-visitor", "--org", "no such org", "--email", "a@example.com",
        status=1,
    )  # fmt: skip
    assert "no organization 'no such org'" in unknown
