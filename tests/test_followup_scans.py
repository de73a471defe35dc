"""The worker's follow-up scans on both databases, through a real server and SMTP server: a
rep's reply nobody read goes out by email once, not when read or after an unsubscribe; a
handoff nobody picked up is told so once."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk import events
from relaydesk.away_wording import word
from relaydesk.db import commit, create_engine, session_factory
from relaydesk.models import Conversation, Handoff, Message, OutboxJob, Visitor, utcnow
from relaydesk.settings import FollowUpSettings

from .databases import migrated_databases
from .orgs import Org, make_org
from .scans import scan_ran_after
from .services import unavailable
from .smtp import SmtpServer
from .support import RunningServer, free_port, server_settings, start_server, wait_for

FAST = FollowUpSettings(
    no_rep_after_s=1.0, unread_mail_after_s=1.0, mail_batch_window_s=600.0, scan_every_s=0.2
)


@pytest.fixture(scope="session")
def followup_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Databases of these tests alone: no other server's worker runs their scans."""
    with migrated_databases(tmp_path_factory.mktemp("followup"), "relaydesk_followup") as urls:
        yield urls


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def followup_url(request: pytest.FixtureRequest, followup_databases: dict[str, str]) -> str:
    if request.param not in followup_databases:
        unavailable("PostgreSQL is not reachable on this machine")
    return followup_databases[request.param]


@pytest.fixture(scope="session")
def mail_sessions(followup_url: str) -> async_sessionmaker[AsyncSession]:
    return session_factory(create_engine(followup_url, pool_size=2, max_overflow=2))


@pytest_asyncio.fixture(loop_scope="session")
async def scanning(
    followup_url: str, smtp_server: SmtpServer, tmp_path: Path
) -> AsyncIterator[RunningServer]:
    port = free_port()
    settings = server_settings(
        followup_url, tmp_path, port, smtp=smtp_server.settings(), followup=FAST
    )
    running = start_server(settings, port)
    yield running
    running.stop()


async def conversation_with_reply(
    sessions: async_sessionmaker[AsyncSession], org: Org, *, read: bool = False, **visitor: object
) -> tuple[str, str]:
    """A handed-off conversation whose rep replied a minute ago; returns (conversation id,
    the visitor's email)."""
    email = f"v-{uuid.uuid4().hex[:8]}@example.com"
    earlier = utcnow() - timedelta(minutes=1)
    async with sessions() as session:
        person = Visitor(organization_id=org.id, email=email, **visitor)
        session.add(person)
        await session.flush()
        conversation = Conversation(
            organization_id=org.id, visitor_id=person.id, state="human", last_seq=2,
            language="en", read_seq=2 if read else 0,
        )  # fmt: skip
        session.add(conversation)
        await session.flush()
        session.add_all([
            Message(conversation_id=conversation.id, seq=1, role="visitor",
                    text="Where is my parcel?", created_at=earlier),
            Message(conversation_id=conversation.id, seq=2, role="agent", author_name="Rita",
                    text="It left today.", created_at=earlier),
        ])  # fmt: skip
        await commit(session)
    return conversation.id, email


async def test_an_unread_reply_is_emailed_once_and_a_read_or_unsubscribed_one_never(
    scanning: RunningServer,
    smtp_server: SmtpServer,
    mail_sessions: async_sessionmaker[AsyncSession],
) -> None:
    org = await make_org(mail_sessions, sample_kb=False)
    unread, to_mail = await conversation_with_reply(mail_sessions, org)
    _, was_read = await conversation_with_reply(mail_sessions, org, read=True)
    _, opted_out = await conversation_with_reply(mail_sessions, org, unsubscribed_at=utcnow())

    [mail] = await smtp_server.wait_for_messages(1, to=to_mail)
    text = mail.get_body(preferencelist=("plain",))
    assert text is not None and "Rita replied to your conversation:" in text.get_content()
    assert "> It left today." in text.get_content()
    await scan_ran_after(mail_sessions, events.UNREAD_SCAN, utcnow())
    async with mail_sessions() as session:
        conversation = await session.get(Conversation, unread)
        jobs = await session.scalar(
            select(func.count()).where(OutboxJob.dedupe_key.like(f"mail:unread:{unread}:%"))
        )
    assert conversation is not None and conversation.mailed_seq == 2 and jobs == 1
    assert len(smtp_server.to(to_mail)) == 1
    assert smtp_server.to(was_read) == [] and smtp_server.to(opted_out) == []


async def test_a_handoff_nobody_picks_up_is_told_so_once(
    scanning: RunningServer, mail_sessions: async_sessionmaker[AsyncSession]
) -> None:
    org = await make_org(mail_sessions, sample_kb=False)
    async with mail_sessions() as session:
        visitor = Visitor(organization_id=org.id)
        session.add(visitor)
        await session.flush()
        waiting = Conversation(
            organization_id=org.id, visitor_id=visitor.id, state="pending_human", language="de"
        )
        taken = Conversation(
            organization_id=org.id, visitor_id=visitor.id, state="pending_human",
            assignee="Rita",
        )  # fmt: skip
        session.add_all([waiting, taken])
        await session.flush()
        earlier = utcnow() - timedelta(seconds=5)
        for conversation in (waiting, taken):
            session.add(Handoff(conversation_id=conversation.id, created_at=earlier))
        await commit(session)

    async def told() -> list[str] | None:
        async with mail_sessions() as session:
            texts = list(
                await session.scalars(
                    select(Message.text).where(
                        Message.conversation_id == waiting.id, Message.role == "system"
                    )
                )
            )
        return texts or None

    assert await wait_for(told) == [word("no_rep", "de")]
    await scan_ran_after(mail_sessions, events.NO_REP_SCAN, utcnow())
    assert await told() == [word("no_rep", "de")]
    async with mail_sessions() as session:
        quiet = await session.scalar(
            select(func.count()).where(Message.conversation_id == taken.id)
        )
    assert quiet == 0
