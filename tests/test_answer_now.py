"""A brain that waits on nothing answers in the visitor message's own transaction: one commit,
no `ai.reply` job, the message's frame then the answer's. An organization with an enabled
action, or a conversation with a job still waiting, goes through the job as before; a handoff
and a brain error inline leave the rows the job leaves."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
import pytest_asyncio
import websockets
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk import events, hot_sql
from relaydesk.assistant.actions import ActionSpec
from relaydesk.assistant.brain import BrainContext, BrainReply
from relaydesk.assistant.configuration import save_action
from relaydesk.assistant.embedded import EmbeddedBrain
from relaydesk.db import commit, create_engine, session_factory
from relaydesk.models import Conversation, Handoff, JobState, Message, OutboxJob, utcnow
from relaydesk.vault import Vault

from .orgs import make_org
from .support import SECRET, RunningServer, WidgetClient, server_of_its_own
from .support import wait_for as wait_until
from .test_realtime import next_frame

Sessions = async_sessionmaker[AsyncSession]
BREAKS = "kaboom"


class Fragile(EmbeddedBrain):
    """The embedded brain (it answers at once), which breaks on one word: a brain error."""

    async def reply(self, context: BrainContext) -> BrainReply:
        if BREAKS in context.question:
            raise RuntimeError("the brain broke")
        return await super().reply(context)


@pytest.fixture(scope="module")
def running(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The real app with the fragile brain, on a database of its own: the shared test server's
    worker must not answer these conversations' jobs."""
    directory = tmp_path_factory.mktemp(f"answer-now-{backend}")
    with server_of_its_own(backend, directory, "relaydesk_answer_now", brain=Fragile()) as server:
        yield server


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def sessions(running: RunningServer) -> AsyncIterator[Sessions]:
    engine = create_engine(running.settings.database_url)
    yield session_factory(engine)
    await engine.dispose()


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def http(running: RunningServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=running.base_url, timeout=10) as client:
        yield client


async def _visitor(http: httpx.AsyncClient, sessions: Sessions, *, action: bool) -> WidgetClient:
    """A visitor of a fresh organization; `action`: the organization has an enabled action
    (one no message here triggers)."""
    org = await make_org(sessions)
    if action:
        spec = ActionSpec(
            name="order_status",
            description="Where an order is",
            url_template="http://127.0.0.1:9/orders/{order_id}",
            parameters={"type": "object", "properties": {"order_id": {"type": "string"}}},
            triggers=("where is my parcel {order_id}",),
            allow_private_network=True,
        )
        async with sessions() as session:
            await save_action(session, Vault(SECRET), org.id, spec)
            await commit(session)
    visitor = WidgetClient(http, org.widget_key)
    await visitor.start()
    return visitor


async def _jobs(sessions: Sessions, conversation_id: str | None) -> list[OutboxJob]:
    async with sessions() as session:
        of_it = OutboxJob.ordering_key == conversation_id
        return list(await session.scalars(select(OutboxJob).where(of_it).order_by(OutboxJob.id)))


async def _answer(sessions: Sessions, message_id: str) -> Message | None:
    async with sessions() as session:
        return await session.scalar(select(Message).where(Message.reply_to_id == message_id))


async def _settled(sessions: Sessions, conversation_id: str | None) -> bool:
    """Every job of the conversation has run once (HubSpot's handoff waits for a connection)."""
    jobs = await _jobs(sessions, conversation_id)
    return bool(jobs) and all(job.attempts and job.state != JobState.RUNNING for job in jobs)


async def _outcome(sessions: Sessions, conversation_id: str | None) -> dict[str, Any]:
    """What the conversation's answer left: its messages, state, handoff and jobs (but the
    `ai.reply` job itself)."""
    async with sessions() as session:
        conversation = await session.get_one(Conversation, conversation_id)
        messages = await session.scalars(
            select(Message).where(Message.conversation_id == conversation_id).order_by(Message.seq)
        )
        handoff = await session.scalar(
            select(Handoff).where(Handoff.conversation_id == conversation_id)
        )
    jobs = await _jobs(sessions, conversation_id)
    return {
        "messages": [(m.seq, m.role, m.text, m.reply_to_id is not None) for m in messages],
        "conversation": (conversation.state, conversation.language, conversation.sentiment),
        "handoff": handoff and (handoff.reasons, handoff.requested_by, handoff.language),
        "summary": handoff and handoff.summary,
        "jobs": sorted(job.kind for job in jobs if job.kind != events.AI_REPLY),
    }


async def test_the_answer_is_written_with_the_message_in_one_commit_and_pushed_after_it(
    running: RunningServer, http: httpx.AsyncClient, sessions: Sessions
) -> None:
    visitor = await _visitor(http, sessions, action=False)
    url = f"{running.ws_url}/api/widget/v1/ws?token={visitor.token}"
    async with websockets.connect(url) as ws:
        await next_frame(ws, "hello")
        sent = await visitor.send("How long does shipping take?")
        # Read as soon as the message is acknowledged: its answer is there already.
        answer = await _answer(sessions, sent.json()["id"])
        pushed = [json.loads(await ws.recv()), json.loads(await ws.recv())]
    assert sent.status_code == 201
    assert sent.json()["role"] == "visitor" and sent.json()["seq"] == 1
    assert answer is not None and answer.seq == 2 and "3 to 5 business days" in answer.text
    assert await _jobs(sessions, visitor.conversation_id) == []
    assert [(f["type"], f["message"]["role"], f["message"]["seq"]) for f in pushed] == [
        ("message.created", "visitor", 1),
        ("message.created", "ai", 2),
    ]
    assert pushed[1]["message"]["id"] == answer.id


async def test_on_postgresql_a_message_and_its_answer_take_three_statements(
    backend: str, http: httpx.AsyncClient, sessions: Sessions
) -> None:
    """Each statement is a network round trip on PostgreSQL: the visitor's lock; the message
    read, slotted and written, in its open conversation or a new one, with what the brain needs
    and the conversation's turns read by the same statement; the answer's slot taken with the
    answer written. SQLite runs them in the server's process, one each."""
    visitor = await _visitor(http, sessions, action=False)
    counts = []
    for text in ("Hello", "How long does shipping take?"):  # a new conversation, then its own
        ran: list[str] = []
        hot_sql.listeners.append(ran.append)
        try:
            sent = await visitor.send(text)
        finally:
            hot_sql.listeners.remove(ran.append)
        assert await _answer(sessions, sent.json()["id"]) is not None
        # The server's worker, woken by the commit, may claim meanwhile (its claim is a `Hot`
        # statement too); an inline answer updates no job, so the message's are the others.
        counts.append(len([sql for sql in ran if not sql.startswith("UPDATE outbox_jobs")]))
    assert sent.json()["seq"] == 3
    assert counts == ([3, 3] if backend == "postgresql" else [8, 8])


async def test_an_organization_with_an_action_is_answered_by_the_job_with_the_same_reply(
    http: httpx.AsyncClient, sessions: Sessions
) -> None:
    inline = await _visitor(http, sessions, action=False)
    queued = await _visitor(http, sessions, action=True)
    sent = {}
    for visitor in (inline, queued):
        sent[visitor] = await visitor.send("How long does shipping take?")
        await visitor.wait_for_reply()
    assert sent[inline].json().keys() == sent[queued].json().keys()
    assert sent[inline].status_code == sent[queued].status_code == 201
    [job] = await _jobs(sessions, queued.conversation_id)
    assert job.kind == events.AI_REPLY and job.dedupe_key.endswith(sent[queued].json()["id"])
    assert job.state == JobState.DONE
    assert await _outcome(sessions, inline.conversation_id) == await _outcome(
        sessions, queued.conversation_id
    )


async def test_a_waiting_job_of_the_conversation_sends_the_answer_through_the_job_after_it(
    http: httpx.AsyncClient, sessions: Sessions
) -> None:
    visitor = await _visitor(http, sessions, action=False)
    await visitor.send("Hello")
    assert visitor.conversation_id is not None
    async with sessions() as session:  # a job of the conversation, due only in an hour
        earlier = OutboxJob(
            kind=events.HUBSPOT_PUBLISH,
            payload={"message_id": "none"},
            ordering_key=visitor.conversation_id,
            dedupe_key=f"earlier:{visitor.conversation_id}",
            run_after=utcnow() + timedelta(hours=1),
        )
        session.add(earlier)
        await commit(session)
    sent = await visitor.send("How long does shipping take?")
    assert sent.status_code == 201
    [_, job] = await _jobs(sessions, visitor.conversation_id)
    assert (job.kind, job.state) == (events.AI_REPLY, JobState.PENDING)
    assert await _answer(sessions, sent.json()["id"]) is None

    async with sessions() as session:  # the earlier job ends: the answer's job runs
        await session.execute(
            update(OutboxJob).where(OutboxJob.id == earlier.id).values(state=JobState.DONE)
        )
        await commit(session)
    answer = await wait_until(lambda: _answer(sessions, sent.json()["id"]))
    assert "3 to 5 business days" in answer.text


@pytest.mark.parametrize(
    "text", ["I want to talk to a human", f"Where is my order? {BREAKS}"], ids=["asked", "error"]
)
async def test_a_handoff_inline_leaves_what_the_job_leaves(
    http: httpx.AsyncClient, sessions: Sessions, text: str
) -> None:
    inline = await _visitor(http, sessions, action=False)
    queued = await _visitor(http, sessions, action=True)
    sent = {}
    for visitor in (inline, queued):
        sent[visitor] = await visitor.send(text)
    assert await _answer(sessions, sent[inline].json()["id"]) is not None
    assert await _jobs(sessions, inline.conversation_id) != []  # the handoff's own job
    assert events.AI_REPLY not in [j.kind for j in await _jobs(sessions, inline.conversation_id)]
    for conversation_id in (inline.conversation_id, queued.conversation_id):
        await wait_until(lambda: _settled(sessions, conversation_id))  # noqa: B023 (awaited here)

    outcome = await _outcome(sessions, inline.conversation_id)
    assert outcome == await _outcome(sessions, queued.conversation_id)
    reasons = ["ai_error"] if BREAKS in text else ["user_requested_human_assistance"]
    assert outcome["handoff"][0] == reasons
    assert outcome["conversation"][0] == "pending_human"
    assert outcome["jobs"] == [events.HUBSPOT_HANDOFF]
