"""Retention per organization: the daily job deletes conversations past their time (AI-only
ones sooner) with their files, job payloads and webhook deliveries, in batches, and never one a
person has or one still syncing with HubSpot; the admin shows what a run would delete. Before,
nothing was ever deleted."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk import events
from relaydesk.db import commit
from relaydesk.files import LocalFileStore
from relaydesk.models import (
    Attachment,
    AuditEntry,
    Conversation,
    Handoff,
    Message,
    Organization,
    OutboxJob,
    Visitor,
    WebhookDelivery,
    new_id,
    utcnow,
)
from relaydesk.outbox import Wakeup
from relaydesk.retention_sweep import RetentionSweep

from .admin_support import make_user, signed_in
from .orgs import make_org
from .support import RunningServer, wait_for


@dataclass
class Seeded:
    conversation_id: str
    visitor_id: str
    storage_key: str | None
    thread_id: int


async def seed(
    sessions: async_sessionmaker[AsyncSession],
    files: LocalFileStore,
    org_id: str,
    *,
    age_days: float,
    state: str = "closed",
    handed_off: bool = False,
    job_state: str | None = None,
    job_key: str = "{id}",
    with_file: bool = False,
    visitor_seen_days: float = 0,
) -> Seeded:
    """A conversation whose last message is `age_days` old, as the app leaves one."""
    at = utcnow() - timedelta(days=age_days)
    async with sessions() as session:
        visitor = Visitor(
            organization_id=org_id, last_seen_at=utcnow() - timedelta(days=visitor_seen_days)
        )
        session.add(visitor)
        await session.flush()
        conversation = Conversation(
            organization_id=org_id, visitor_id=visitor.id, state=state, created_at=at,
            updated_at=at, last_seq=2, hubspot_thread_id=str(uuid.uuid4().int % 10**9),
        )  # fmt: skip
        session.add(conversation)
        await session.flush()
        for seq, role in ((1, "visitor"), (2, "ai")):
            session.add(
                Message(
                    id=f"m{seq}{conversation.id[:30]}", conversation_id=conversation.id, seq=seq,
                    role=role, text=f"words of {conversation.id}", created_at=at,
                )
            )  # fmt: skip
        await session.flush()
        key = None
        if with_file:
            attachment_id = new_id()
            key = f"{org_id}/{attachment_id}"
            await files.put(key, b"a file")
            session.add(
                Attachment(
                    id=attachment_id, organization_id=org_id, visitor_id=visitor.id,
                    message_id=f"m1{conversation.id[:30]}", name="a.txt",
                    content_type="text/plain", size=6, sha256="0" * 64, storage_key=key,
                )
            )  # fmt: skip
        if handed_off:
            session.add(Handoff(conversation_id=conversation.id, reasons=["frustration"]))
            session.add(
                WebhookDelivery(
                    external_id=f"app:test:{new_id()}", source="app",
                    event_type="conversation.newMessage", state="done",
                    payload={"objectId": int(conversation.hubspot_thread_id or 0)},
                )
            )  # fmt: skip
        if job_state is not None:
            session.add(
                OutboxJob(
                    kind=events.HUBSPOT_CLOSE_THREAD, payload={"conversation_id": conversation.id},
                    ordering_key=job_key.format(id=conversation.id), dedupe_key=new_id(),
                    state=job_state, run_after=utcnow() + timedelta(days=1),
                )
            )  # fmt: skip
        await commit(session)
    return Seeded(conversation.id, visitor.id, key, int(conversation.hubspot_thread_id or 0))


async def test_expired_conversations_go_with_their_files_and_jobs_open_and_syncing_stay(
    server: RunningServer, db: async_sessionmaker[AsyncSession]
) -> None:
    org = await make_org(db, sample_kb=False)
    other = await make_org(db, sample_kb=False)  # keeps everything: no retention set
    files = LocalFileStore(server.settings.upload_dir)

    async def make(org_id: str = org.id, **kwargs: object) -> Seeded:
        return await seed(db, files, org_id, **kwargs)  # type: ignore[arg-type]

    gone = [
        await make(age_days=10, with_file=True),  # AI-only, past its 7 days
        await make(age_days=10, state="ai"),  # AI-only, idle past its time: over
        await make(
            age_days=40, handed_off=True, with_file=True, job_state="done", visitor_seen_days=45
        ),  # fmt: skip
    ]
    kept = [
        await make(age_days=3, with_file=True),  # AI-only, young
        await make(age_days=20, handed_off=True),  # handed off, younger than 30 days
        await make(age_days=60, state="human", handed_off=True),  # a person has it
        await make(age_days=60, handed_off=True, job_state="pending"),  # still syncing
        await make(age_days=10, job_state="failed", job_key="hubspot:status:{id}"),  # syncing
        await make(other.id, age_days=400, with_file=True),
    ]
    owner = await make_user(db, org.id)
    admin = await signed_in(server.base_url, owner)
    try:
        refused = await admin.post("/admin/privacy/retention", {"days": "5", "ai_only_days": "7"})
        assert refused.status_code == 422
        saved = await admin.post("/admin/privacy/retention", {"days": "30", "ai_only_days": "7"})
        assert saved.status_code == 303
        page = (await admin.get("/admin/privacy")).text
        assert "Its next run" in page
        assert '<strong data-count="conversations">3</strong>' in page
        assert 'data-count="ai_only">2<' in page and 'data-count="files">2<' in page
    finally:
        await admin.close()

    await RetentionSweep(db, Wakeup()).sweep({})  # the daily job

    async with db() as session:
        left = set(await session.scalars(select(Conversation.id)))
        visitors = set(await session.scalars(select(Visitor.id)))
        jobs = list(await session.scalars(select(OutboxJob.payload)))
        deliveries = [
            p.get("objectId") for p in await session.scalars(select(WebhookDelivery.payload))
        ]
        messages = set(await session.scalars(select(Message.conversation_id)))
        audit = list(
            await session.scalars(select(AuditEntry).where(AuditEntry.organization_id == org.id))
        )
    assert not left & {g.conversation_id for g in gone}
    assert {k.conversation_id for k in kept} <= left
    assert not messages & {g.conversation_id for g in gone}
    assert not [p for p in jobs if p.get("conversation_id") == gone[2].conversation_id]
    assert [p for p in jobs if p.get("conversation_id") == kept[3].conversation_id]
    assert gone[2].visitor_id not in visitors and gone[0].visitor_id in visitors  # seen lately
    assert gone[2].thread_id not in deliveries and kept[1].thread_id in deliveries
    assert [(a.actor, a.details["conversations"], a.details["files"]) for a in audit] == [
        ("retention", 3, 2)
    ]
    uploads = server.settings.upload_dir

    async def files_gone() -> bool:  # the server's worker runs the files.delete job
        return not any((uploads / str(g.storage_key)).exists() for g in gone if g.storage_key)

    await wait_for(files_gone)
    assert all((uploads / str(k.storage_key)).exists() for k in kept if k.storage_key)
    async with db() as session:
        organization = await session.get(Organization, other.id)
        assert organization is not None and organization.retention_days is None
