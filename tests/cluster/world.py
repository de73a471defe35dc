"""What the cluster tests set up and count: organizations (one AI-only, one connected to the
sandbox portal), widgets through the balancer, and the tally of what each widget showed against
the HTTP history."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from relaydesk import events
from relaydesk.assistant.configuration import save_policy
from relaydesk.assistant.policy import HandoffPolicy
from relaydesk.db import commit
from relaydesk.hubspot.connect.demo_connection import connect_demo, sandbox_settings
from relaydesk.hubspot.connect.flows import Setup
from relaydesk.knowledge.documents import add_sample_documents
from relaydesk.models import Conversation, OutboxJob
from relaydesk.models.hubspot_sync import HubSpotSyncStep
from relaydesk.organizations import create_organization
from relaydesk.runtime import Runtime
from relaydesk.settings import Settings

from ..support import wait_for
from .cluster import SECRET, Cluster, Node
from .widget import Widget

QUESTIONS = (
    "What does the Team plan cost?",
    "Can I get a refund?",
    "How long does shipping take?",
    "How do I delete my account?",
    "Is there a discount for non-profits?",
    "Do you ship internationally?",
)


@dataclass
class World:
    cluster: Cluster
    runtime: Runtime  # in the test process, for rows: its hub is never started
    http: httpx.AsyncClient  # through the balancer
    sandbox: httpx.AsyncClient
    ai_only_key: str
    hubspot_key: str

    async def widgets(self, count: int, widget_key: str | None = None) -> list[Widget]:
        """Visitors with their sockets open through the balancer."""
        made = [Widget(self.http, self.cluster.ws_url, widget_key or self.ai_only_key)]
        made += [
            Widget(self.http, self.cluster.ws_url, made[0].widget_key) for _ in range(count - 1)
        ]
        await asyncio.gather(*(w.start() for w in made))
        await asyncio.gather(*(w.connect() for w in made))
        return made

    def direct(self, node: Node) -> httpx.AsyncClient:
        """HTTP to one node, past the balancer."""
        return httpx.AsyncClient(base_url=node.url, timeout=15)

    async def job_states(self, kind: str, conversation_id: str) -> list[str]:
        async with self.runtime.sessions() as session:
            rows = await session.scalars(
                select(OutboxJob.state).where(
                    OutboxJob.kind == kind, OutboxJob.ordering_key == conversation_id
                )
            )
            return list(rows)

    async def sync_steps(self, conversation_id: str) -> dict[str, str]:
        """The handoff's steps as the sync left them: step → started | done | failed."""
        async with self.runtime.sessions() as session:
            rows = await session.execute(
                select(HubSpotSyncStep.step, HubSpotSyncStep.state).where(
                    HubSpotSyncStep.conversation_id == conversation_id
                )
            )
            return {step: state for step, state in rows}

    async def thread_of(self, conversation_id: str) -> str | None:
        async with self.runtime.sessions() as session:
            conversation = await session.get(Conversation, conversation_id)
            return conversation.hubspot_thread_id if conversation else None

    async def handed_off(self, conversation_id: str) -> bool:
        states = await self.job_states(events.HUBSPOT_HANDOFF, conversation_id)
        return states == ["done"] and await self.thread_of(conversation_id) is not None

    async def sandbox_state(self) -> dict[str, Any]:
        answer = await self.sandbox.get("/_sandbox/state")
        answer.raise_for_status()
        state: dict[str, Any] = answer.json()
        return state

    async def status_reports(self, hubspot_message_id: str) -> list[str]:
        """The delivery statuses relaydesk sent HubSpot for one rep message."""
        requests = (await self.sandbox.get("/_sandbox/requests")).json()["requests"]
        return [
            r["body"]["statusType"]
            for r in requests
            if r["method"] == "PATCH" and r["path"].endswith(f"/messages/{hubspot_message_id}")
        ]

    async def rep_reply(self, thread_id: str, text: str) -> dict[str, Any]:
        answer = await self.sandbox.post(
            f"/_sandbox/threads/{thread_id}/reply", json={"text": text}
        )
        answer.raise_for_status()
        reply: dict[str, Any] = answer.json()
        return reply


async def build_world(cluster: Cluster, data_dir: Path) -> World:
    settings = Settings(
        database_url=cluster.database_url,
        secret_key=SECRET,
        data_dir=data_dir,
        public_base_url=cluster.url,
        hubspot=sandbox_settings(cluster.sandbox_url),
    )
    runtime = Runtime.build(settings)
    ai_only = await _organization(runtime, "AI only", HandoffPolicy(level=0))
    connected = await _organization(runtime, "Connected", HandoffPolicy())
    setup = Setup(runtime.hubspot, runtime.sessions, runtime.vault, runtime.secret, cluster.url)
    await connect_demo(setup, connected[0], data_dir / "hubspot-project")
    return World(
        cluster,
        runtime,
        httpx.AsyncClient(base_url=cluster.url, timeout=15),
        httpx.AsyncClient(base_url=cluster.sandbox_url, timeout=15),
        ai_only[1],
        connected[1],
    )


async def _organization(runtime: Runtime, name: str, policy: HandoffPolicy) -> tuple[str, str]:
    async with runtime.sessions() as session:
        organization = await create_organization(
            session, runtime.vault, f"{name} {uuid.uuid4().hex[:6]}"
        )
        await add_sample_documents(session, organization)
        await save_policy(session, organization.id, policy)
        await commit(session)
    return organization.id, organization.widget_key


# -- counting


@dataclass
class Tally:
    messages: int  # in the HTTP histories, the truth
    missed: list[str]  # in a history, never shown by its widget
    duplicated: list[str]  # held twice by a history: a text sent once, or a second AI answer
    unanswered: int  # visitor messages the AI has not answered (yet)
    rep_replies: int  # agent messages in the histories

    def __str__(self) -> str:
        return (
            f"{self.messages} messages, {len(self.missed)} missed {self.missed[:5]}, "
            f"{len(self.duplicated)} duplicated {self.duplicated[:5]}, "
            f"{self.unanswered} unanswered, {self.rep_replies} rep replies"
        )


async def tally(widgets: list[Widget]) -> Tally:
    histories = await asyncio.gather(*(w.history() for w in widgets))
    counted = Tally(0, [], [], 0, 0)
    for widget, history in zip(widgets, histories, strict=True):
        counted.messages += len(history)
        counted.missed += [
            f"{m['seq']} {m['role']}: {m['text'][:40]}"
            for m in history
            if m["id"] not in widget.shown
        ]
        texts = Counter(m["text"] for m in history if m["role"] in ("visitor", "agent"))
        counted.duplicated += [text for text, count in texts.items() if count > 1]
        roles = Counter(m["role"] for m in history)
        counted.duplicated += ["a second AI answer"] * max(0, roles["ai"] - roles["visitor"])
        counted.unanswered += max(0, roles["visitor"] - roles["ai"])
        counted.rep_replies += roles["agent"]
    return counted


async def settled(
    widgets: list[Widget], *, answered: bool = True, rep_replies: int = 0, timeout: float = 30
) -> Tally:
    """Wait until every question has its answer (when `answered`), the histories hold
    `rep_replies` agent messages, and every widget shows its whole history; past the deadline,
    the tally says what is missing."""

    async def done() -> Tally | None:
        counted = await tally(widgets)
        complete = (
            not counted.missed
            and (counted.unanswered == 0 or not answered)
            and counted.rep_replies >= rep_replies
        )
        return counted if complete else None

    try:
        return await wait_for(done, timeout, interval=0.25)
    except AssertionError:
        return await tally(widgets)
