"""What a brain that answers at once is handed, on both databases: on PostgreSQL it is read by
the statement that writes the message (`assistant/read_with_message.py`), on SQLite by the
statements after it, and either way it is the conversation as stored, the message included,
the latest 20 turns, and the organization's own policy."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk.assistant.brain import BrainContext, BrainReply
from relaydesk.assistant.configuration import save_policy
from relaydesk.assistant.embedded import EmbeddedBrain
from relaydesk.assistant.policy import AI_ONLY, HandoffPolicy
from relaydesk.assistant.reply_sql import HISTORY_TURNS
from relaydesk.db import commit, create_engine, session_factory
from relaydesk.models import Message

from .orgs import make_org
from .support import RunningServer, WidgetClient, server_of_its_own

Sessions = async_sessionmaker[AsyncSession]
POLICY = HandoffPolicy(level=AI_ONLY, on_frustration=False, topics=("refunds",), team_language="de")


class Recording(EmbeddedBrain):
    """The embedded brain (it answers at once), keeping what it was handed."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[BrainContext] = []

    async def reply(self, context: BrainContext) -> BrainReply:
        self.seen.append(context)
        return await super().reply(context)


@pytest.fixture(scope="module")
def brain() -> Recording:
    return Recording()


@pytest.fixture(scope="module")
def running(
    backend: str, brain: Recording, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    directory = tmp_path_factory.mktemp(f"read-with-message-{backend}")
    with server_of_its_own(
        backend, directory, "relaydesk_read_with_message", brain=brain
    ) as server:
        yield server


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def sessions(running: RunningServer) -> AsyncIterator[Sessions]:
    engine = create_engine(running.settings.database_url)
    yield session_factory(engine)
    await engine.dispose()


async def test_the_brain_gets_the_stored_conversation_its_latest_turns_and_the_policy(
    running: RunningServer, brain: Recording, sessions: Sessions
) -> None:
    org = await make_org(sessions)
    async with sessions() as session:
        await save_policy(session, org.id, POLICY)
        await commit(session)
    async with httpx.AsyncClient(base_url=running.base_url, timeout=10) as http:
        visitor = WidgetClient(http, org.widget_key)
        await visitor.start()
        brain.seen.clear()
        for n in range(12):  # a new conversation, then its own: 24 turns in the end
            assert (await visitor.send(f"question number {n}")).status_code == 201
    assert len(brain.seen) == 12
    first, last = brain.seen[0], brain.seen[-1]
    assert [(t.role, t.text) for t in first.transcript] == [("visitor", "question number 0")]
    async with sessions() as session:
        stored = list(
            await session.scalars(
                select(Message)
                .where(Message.conversation_id == visitor.conversation_id)
                .order_by(Message.seq)
            )
        )
    assert len(stored) == 24
    asked = stored[:-1]  # the last answer came after the brain was asked
    expected = [(m.role, m.text, bool(m.sources or m.component)) for m in asked]
    seen = [(t.role, t.text, t.answered) for t in last.transcript]
    assert seen == expected[-HISTORY_TURNS:]
    assert seen[-1] == ("visitor", "question number 11", False)
    assert all(c.organization_id == org.id and c.policy == POLICY for c in brain.seen)
