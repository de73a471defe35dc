"""The worker's follow-up scans on both databases, through a real server and SMTP server: a
rep's reply nobody read goes out by email once, not when read or after an unsubscribe, in the
conversation's language for every language the AI answers in; a handoff nobody picked up is
told so once."""

from __future__ import annotations

import re
import tomllib
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk import events
from relaydesk.assistant.wording import SENTENCES_DIR as AI_SENTENCES_DIR
from relaydesk.away_wording import SENTENCES_DIR as AWAY_SENTENCES_DIR
from relaydesk.away_wording import word
from relaydesk.db import commit, create_engine, session_factory
from relaydesk.models import (
    Conversation,
    Handoff,
    Message,
    Organization,
    OutboxJob,
    Visitor,
    utcnow,
)
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
    sessions: async_sessionmaker[AsyncSession],
    org: Org,
    *,
    read: bool = False,
    language: str = "en",
    **visitor: object,
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
            language=language, read_seq=2 if read else 0,
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


def away_file(language: str) -> dict[str, Any]:
    """A language's own away sentences, read from its file (never English's in its place)."""
    return tomllib.loads((AWAY_SENTENCES_DIR / f"{language}.toml").read_text("utf-8"))


async def test_every_language_the_ai_answers_in_gets_the_email_in_its_own_words(
    scanning: RunningServer,
    smtp_server: SmtpServer,
    mail_sessions: async_sessionmaker[AsyncSession],
) -> None:
    languages = sorted(path.stem for path in AI_SENTENCES_DIR.glob("*.toml"))
    assert len(languages) == 30
    assert [x for x in languages if not (AWAY_SENTENCES_DIR / f"{x}.toml").is_file()] == []
    org = await make_org(mail_sessions, sample_kb=False)
    async with mail_sessions() as session:
        organization = await session.get(Organization, org.id)
    assert organization is not None
    team = organization.widget_title or organization.name
    addresses = {
        language: (await conversation_with_reply(mail_sessions, org, language=language))[1]
        for language in languages
    }
    english, texts = away_file("en"), dict[str, str]()
    for language, address in addresses.items():
        [mail] = await smtp_server.wait_for_messages(1, timeout=30, to=address)
        own, text, html = away_file(language), body(mail, "plain"), body(mail, "html")
        texts[language] = text
        assert mail["Subject"] == own["mail_subject"].format(name=team), language
        assert text.startswith(own["mail_intro"].format(name="Rita") + "\n"), language
        assert f"{own['mail_reopen']}: " in text and f"{own['mail_so_far']}\n" in text, language
        assert f"{own['mail_you']}: Where is my parcel?" in text, language
        assert f"{own['mail_unsubscribe']}: " in text, language
        direction = "rtl" if language in ("ar", "he") else "ltr"
        assert f'<html lang="{language}" dir="{direction}">' in html, language
        if language != "en":
            assert mail["Subject"] != english["mail_subject"].format(name=team), language
            assert english["mail_so_far"] not in text, language
    # The unsubscribe page speaks the mail's language, right to left for Arabic.
    arabic = away_file("ar")
    link = re.search(re.escape(arabic["mail_unsubscribe"]) + r": (\S+)", texts["ar"])
    assert link is not None
    async with httpx.AsyncClient(timeout=10) as http:
        page = await http.get(link.group(1))
    assert page.status_code == 200 and '<html lang="ar" dir="rtl">' in page.text
    assert arabic["unsubscribe_confirm"].format(name=team) in page.text


def body(mail: EmailMessage, kind: str) -> str:
    part = mail.get_body(preferencelist=(kind,))
    assert part is not None
    return str(part.get_content())


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
