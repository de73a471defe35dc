"""A relaydesk process (runtime and worker) connected to a sandbox portal, for the handoff tests:
its own database per backend, conversations written as the handoff verb leaves them."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hubspot_sandbox import RunningSandbox
from hubspot_sandbox.validation import load_body_validator
from relaydesk import events, outbox
from relaydesk.conversations import post_visitor_message
from relaydesk.db import commit
from relaydesk.hubspot.api.auth import OAuthGrant
from relaydesk.hubspot.connect import flows as setup
from relaydesk.hubspot.connect.connections import connection_for, store_grant
from relaydesk.models import (
    Attachment,
    Conversation,
    Handoff,
    HubSpotChannel,
    Message,
    OutboxJob,
    Visitor,
    utcnow,
)
from relaydesk.organizations import create_organization
from relaydesk.runtime import Runtime
from relaydesk.runtime.job_table import job_table
from relaydesk.settings import HubSpotSettings, Settings
from relaydesk.vault import Vault
from relaydesk.worker import Worker
from tests.sandbox.sandbox_flows import REDIRECT_URI, authorize

from ...support import SECRET

PUBLIC_URL = "http://relaydesk.test"
INBOX, OWNER, PIPELINE, STAGE = "481939", "52001234", "0", "1"


def world_settings(database_url: str, data_dir: Path, sandbox: RunningSandbox) -> Settings:
    config = sandbox.config
    settings = Settings(
        database_url=database_url,
        secret_key=SECRET,
        data_dir=data_dir,
        public_base_url=PUBLIC_URL,
        hubspot=HubSpotSettings(
            client_id=config.client_id,
            client_secret=config.client_secret,
            app_id=config.app_id,
            developer_api_key=config.developer_api_key,
            base_url=sandbox.base_url,
            app_base_url=sandbox.base_url,
            rate_limit_per_10s=1000,
            timeout_s=5.0,
        ),
    )
    settings.worker.lease_s = 10.0
    settings.worker.poll_interval_s = 0.05  # a retry that came due starts within 50 ms
    settings.worker.max_attempts = 30
    settings.worker.max_backoff_s = 2.0  # 30 % of calls failing must not park jobs for minutes
    return settings


async def reset(sandbox: RunningSandbox, **faults: Any) -> None:
    async with httpx.AsyncClient(base_url=sandbox.base_url) as control:
        (await control.post("/_sandbox/reset")).raise_for_status()
        if faults:
            (await control.post("/_sandbox/faults", json=faults)).raise_for_status()


async def faults(sandbox: RunningSandbox, **settings: Any) -> None:
    async with httpx.AsyncClient(base_url=sandbox.base_url) as control:
        (await control.post("/_sandbox/faults", json=settings)).raise_for_status()


async def sandbox_state(sandbox: RunningSandbox) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=sandbox.base_url, timeout=30) as control:
        answer = await control.get("/_sandbox/state")
        answer.raise_for_status()
        state: dict[str, Any] = answer.json()
        return state


async def sandbox_requests(sandbox: RunningSandbox) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=sandbox.base_url, timeout=30) as control:
        answer = await control.get("/_sandbox/requests")
        answer.raise_for_status()
        body = answer.json()
        return list(body["requests"] if isinstance(body, dict) else body)


def schema_problems(sandbox: RunningSandbox, requests: list[dict[str, Any]]) -> list[str]:
    """Each JSON body checked again against its operation in HubSpot's OpenAPI documents."""
    validator = load_body_validator(sandbox.config.openapi_dir)
    problems = []
    for request in requests:
        if isinstance(request.get("body"), dict | list):
            try:
                validator.check(request["method"], request["path"], request["body"])
            except Exception as refused:
                problems.append(f"{request['method']} {request['path']}: {refused}")
        if request["status"] == 400:
            problems.append(f"{request['method']} {request['path']} was answered 400")
    return problems


async def connect(
    runtime: Runtime, sandbox: RunningSandbox, organization_id: str, mode: str = "oauth"
) -> None:
    """Connect the organization to the sandbox portal as an admin would, and pick the inbox,
    owner, pipeline and stage. The sandbox was reset, so our stored channel id is stale."""
    async with runtime.sessions() as session:
        await session.execute(delete(HubSpotChannel))
        await commit(session)
    flow = setup.Setup(runtime.hubspot, runtime.sessions, runtime.vault, runtime.secret, PUBLIC_URL)
    if mode == "oauth":
        async with httpx.AsyncClient(base_url=sandbox.base_url) as browser:
            code = await authorize(browser, sandbox.config)
        grant = OAuthGrant.issued(await runtime.hubspot.app.exchange_code(code, REDIRECT_URI))
        async with runtime.sessions() as session:
            connection = await connection_for(session, organization_id)
            connection.mode, connection.portal_id = "oauth", str(sandbox.config.portal_id)
            store_grant(runtime.vault, connection, grant)
            await commit(session)
    else:
        await setup.connect_private_app(flow, organization_id, sandbox.config.private_app_token)
    await setup.choose(
        flow, organization_id, setup.Chosen(INBOX, OWNER, PIPELINE, STAGE), "Website chat"
    )


async def new_organization(runtime: Runtime) -> str:
    async with runtime.sessions() as session:
        organization = await create_organization(
            session, Vault(SECRET), f"Org {uuid.uuid4().hex[:6]}"
        )
        await commit(session)
        return organization.id


@dataclass
class Person:
    name: str | None = None
    email: str | None = None
    verified: bool = False


async def handed_off_conversation(
    runtime: Runtime,
    organization_id: str,
    person: Person,
    *,
    messages: int = 12,
    files: int = 2,
    label: str = "",
    language: str | None = None,
    visitor_id: str | None = None,
) -> str:
    """A conversation as the handoff verb leaves it: pending_human, a Handoff row, the job
    (of the visitor `visitor_id`, when given, else of a visitor for `person`)."""
    async with runtime.sessions() as session:
        known = await session.get(Visitor, visitor_id) if visitor_id else None
        visitor = known or await person_row(session, organization_id, person)
        conversation = Conversation(
            organization_id=organization_id,
            visitor_id=visitor.id,
            state="pending_human",
            language=language,
        )
        session.add(conversation)
        await session.flush()
        start = utcnow() - timedelta(minutes=messages)
        for seq in range(1, messages + 1):
            role = "visitor" if seq % 2 else "ai"
            message = Message(
                conversation_id=conversation.id,
                seq=seq,
                role=role,
                text=f"{label}message {seq} from the {role}",
                author_name=person.name if role == "visitor" else "Assistant",
                created_at=start + timedelta(minutes=seq, seconds=seq),
                component=(
                    {"name": "card", "data": {"title": "Order 42"}, "text": "Order 42: shipped"}
                    if seq == 4
                    else None
                ),
            )
            session.add(message)
            await session.flush()
            if role == "visitor" and seq // 2 < files:
                await add_file(runtime, session, organization_id, visitor.id, message.id, seq)
        conversation.last_seq = messages
        session.add(
            Handoff(
                conversation_id=conversation.id,
                reasons=["user_requested_human_assistance", "frustration"],
                summary="Order 42 arrived damaged; the visitor wants a replacement.",
                sentiment="negative",
                sentiment_score=-0.7,
                language="en",
                requested_by="visitor",
            )
        )
        await outbox.enqueue(
            session,
            runtime.wakeup,
            events.HUBSPOT_HANDOFF,
            {"conversation_id": conversation.id},
            ordering_key=conversation.id,
            dedupe_key=f"{events.HUBSPOT_HANDOFF}:{conversation.id}",
        )
        await commit(session)
        return conversation.id


async def person_row(session: AsyncSession, organization_id: str, person: Person) -> Visitor:
    if person.verified:
        known = await session.scalar(
            select(Visitor).where(
                Visitor.organization_id == organization_id, Visitor.verified_email == person.email
            )
        )
        if known is not None:
            return known
    visitor = Visitor(
        organization_id=organization_id,
        name=person.name,
        email=person.email,
        verified_email=person.email if person.verified else None,
        custom_data={},
    )
    session.add(visitor)
    await session.flush()
    return visitor


async def add_file(
    runtime: Runtime,
    session: AsyncSession,
    organization_id: str,
    visitor_id: str,
    message_id: str,
    seq: int,
) -> None:
    data = f"photo {seq} of the damage".encode() * 20
    key = f"test/{uuid.uuid4().hex}"
    await runtime.files.put(key, data)
    session.add(
        Attachment(
            organization_id=organization_id,
            visitor_id=visitor_id,
            message_id=message_id,
            name=f"damage-{seq}.pdf",
            content_type="application/pdf",
            size=len(data),
            sha256="0" * 64,
            storage_key=key,
        )
    )


async def attach(
    runtime: Runtime, conversation_id: str, seq: int, files: list[tuple[str, bytes, str]]
) -> None:
    """`files` (name, bytes, type) on the conversation's message `seq`, in that order."""
    async with runtime.sessions() as session:
        message = await session.scalar(
            select(Message).where(Message.conversation_id == conversation_id, Message.seq == seq)
        )
        conversation = await session.get(Conversation, conversation_id)
        assert message is not None and conversation is not None
        start = utcnow()
        for n, (name, data, content_type) in enumerate(files):
            key = f"test/{uuid.uuid4().hex}"
            await runtime.files.put(key, data)
            session.add(
                Attachment(organization_id=conversation.organization_id,
                           visitor_id=conversation.visitor_id, message_id=message.id, name=name,
                           content_type=content_type, size=len(data), sha256="0" * 64,
                           storage_key=key, created_at=start + timedelta(milliseconds=n))
            )  # fmt: skip
        await commit(session)


async def unfinished(sessions: async_sessionmaker[AsyncSession], kinds: tuple[str, ...]) -> int:
    async with sessions() as session:
        count = await session.scalar(
            select(func.count(OutboxJob.id)).where(
                OutboxJob.kind.in_(kinds), OutboxJob.state.in_(("pending", "running"))
            )
        )
        return int(count or 0)


SYNC_KINDS = (events.HUBSPOT_HANDOFF, events.HUBSPOT_PUBLISH, events.HUBSPOT_CLOSE_THREAD)


async def drain(runtime: Runtime, timeout: float = 60.0) -> None:
    """Run the worker's loop, as `relaydesk worker` does but without its recurring duties, until
    no HubSpot job is pending (jobs told to wait are waited for). The loop starts a job as soon
    as a slot is free, so one slow or retried job holds up only its own conversation."""
    worker = Worker(
        runtime.sessions, runtime.wakeup, job_table(runtime).handlers, runtime.settings.worker
    )
    loop = asyncio.create_task(worker.run())
    deadline = time.monotonic() + timeout
    try:
        while await unfinished(runtime.sessions, SYNC_KINDS):
            if loop.done():
                loop.result()  # the loop ended: its exception, not a timeout
            if time.monotonic() > deadline:
                raise AssertionError("HubSpot jobs still pending at the deadline")
            await asyncio.sleep(0.05)
    finally:
        worker.stop()
        await loop


async def failed_jobs(sessions: async_sessionmaker[AsyncSession]) -> list[str]:
    async with sessions() as session:
        rows = await session.scalars(select(OutboxJob).where(OutboxJob.state == "failed"))
        return [f"{j.kind}: {j.last_error}" for j in rows]


def comparable(state: dict[str, Any], labels: dict[str, str]) -> dict[str, Any]:
    """The sandbox's contents without ids and times; conversation ids replaced by labels."""

    def plain(text: str) -> str:
        for conversation_id, label in labels.items():
            text = text.replace(conversation_id, label)
        return text

    contacts = {c["id"]: c["properties"].get("email") for c in state["contacts"]}
    threads = sorted(
        (
            plain(t["integrationThreadId"]),
            contacts.get(t.get("associatedContactId")),
            [(m["text"], m["direction"], len(m["attachments"])) for m in t["messages"]],
            [plain(c["text"]) for c in t["comments"]],
        )
        for t in state["threads"]
    )
    tickets = sorted(
        (
            plain(t["properties"]["relaydesk_conversation_id"]),
            t["properties"]["subject"],
            t["properties"]["relaydesk_handoff_tag"],
            t["properties"]["hs_pipeline_stage"],
            sorted(contacts[c["id"]] or "" for c in t["associations"]["contacts"]),
            len(t["associations"]["threads"]),
        )
        for t in state["tickets"]
    )
    attached = sum(len(m["attachments"]) for t in state["threads"] for m in t["messages"])
    return {
        "contacts": sorted(str(e) for e in contacts.values()),
        "threads": threads,
        "tickets": tickets,
        "notes": len(state["notes"]),
        "attached_files": attached,
    }


async def retries_due(runtime: Runtime) -> None:
    """Every pending job may run now (a retry's wait is over)."""
    async with runtime.sessions() as session:
        await session.execute(
            update(OutboxJob).where(OutboxJob.state == "pending").values(run_after=utcnow())
        )
        await session.commit()


async def write_after_handoff(runtime: Runtime, conversation_id: str, *texts: str) -> None:
    """The visitor writes `texts`; the first comes with a receipt (a PDF)."""
    data = b"%PDF-1.4\n% receipt\n"
    key = f"test/{uuid.uuid4().hex}"
    await runtime.files.put(key, data)
    async with runtime.sessions() as session:
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        visitor = await session.get(Visitor, conversation.visitor_id)
        assert visitor is not None
        upload = Attachment(organization_id=visitor.organization_id, visitor_id=visitor.id,
                            name="receipt.pdf", content_type="application/pdf", size=len(data),
                            sha256="0" * 64, storage_key=key)  # fmt: skip
        session.add(upload)
        await session.flush()
        for n, text in enumerate(texts):
            await post_visitor_message(
                session,
                runtime.effects,
                visitor,
                client_id=f"after-{n}",
                text=text,
                attachment_ids=[upload.id] if n == 0 else (),
            )
        await commit(session)
