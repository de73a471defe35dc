"""The visitor who left, in real Chromium against a sandbox portal and a real SMTP server: a
rep's reply nobody read is emailed once per batch, in the conversation's language, with a link
that reopens the conversation in a new browser and one that unsubscribes; a visitor who is
there reading gets no email."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from email.message import EmailMessage
from html import unescape

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, expect
from sqlalchemy import select

from relaydesk import events
from relaydesk.away_wording import word
from relaydesk.models import Conversation, Message, Organization, OutboxJob, Visitor, utcnow

from ..orgs import Org
from ..scans import scan_ran_after
from ..support import wait_for
from .desk import FOLLOW_UP, Desk, running_desk
from .site import Site
from .test_widget import W, ask, company_page


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    with running_desk(tmp_path_factory.mktemp("visitor-left")) as running:
        yield running


@pytest_asyncio.fixture(loop_scope="session")
async def org(desk: Desk, site: Site) -> AsyncIterator[Org]:
    yield await desk.connected_org(site)


async def hand_off_with_email(
    page: Page, desk: Desk, site: Site, org: Org, name: str, question: str
) -> tuple[str, str]:
    """A visitor leaves their email, asks for a person and waits for the sandbox thread;
    returns (conversation id, HubSpot thread id)."""
    email = f"visitor-{uuid.uuid4().hex[:8]}@example.com"
    await page.goto(site.publish(name, company_page(desk.server, org)))
    await page.locator(f"{W} .launcher").click()
    await expect(page.locator(f"{W} .status")).to_be_hidden()
    await page.locator(f"{W} .profile-open").click()
    await page.locator(f"{W} .profile-email").fill(email)
    await page.locator(f"{W} .profile-save").click()
    await expect(page.locator(f"{W} .profile-who")).to_contain_text(email)
    await ask(page, question)
    await expect(page.locator(f"{W} .panel")).to_have_attribute("data-state", "pending_human")
    conversation = await page.locator(f"{W} li.msg").first.get_attribute("data-conversation")
    assert conversation is not None

    async def thread() -> str | None:
        state = await desk.sandbox_state()
        found = [t["id"] for t in state["threads"] if t["integrationThreadId"] == conversation]
        return str(found[0]) if found else None

    return conversation, await wait_for(thread, timeout=20)


async def rep_replies(desk: Desk, thread_id: str, text: str) -> datetime:
    """The rep answers in the sandbox; returns when relaydesk stored the reply."""
    await desk.control(f"/_sandbox/threads/{thread_id}/reply", {"text": text})

    async def stored() -> datetime | None:
        async with desk.sessions() as session:
            found = await session.scalar(
                select(Message.id)
                .join(Conversation, Conversation.id == Message.conversation_id)
                .where(
                    Conversation.hubspot_thread_id == thread_id,
                    Message.role == "agent",
                    Message.text == text,
                )
            )
        return utcnow() if found else None

    return await wait_for(stored, timeout=15)


async def scanned_after(desk: Desk, moment: datetime) -> None:
    """Wait until an unread-reply scan queued after `moment` plus the delay has run: whatever
    it would mail for a reply stored before `moment` is queued by then."""
    due = moment + timedelta(seconds=FOLLOW_UP.unread_mail_after_s)
    await scan_ran_after(desk.sessions, events.UNREAD_SCAN, due)


async def mail_jobs_done(desk: Desk) -> bool:
    async with desk.sessions() as session:
        waiting = await session.scalar(
            select(OutboxJob.id).where(
                OutboxJob.kind == events.MAIL_SEND, OutboxJob.state != "done"
            )
        )
    return waiting is None


def body(message: EmailMessage, kind: str) -> str:
    part = message.get_body(preferencelist=(kind,))
    assert part is not None
    return str(part.get_content())


async def test_a_reply_the_visitor_missed_is_emailed_once_and_its_link_reopens_the_chat(
    browser: Browser, desk: Desk, site: Site, org: Org
) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    conversation, thread = await hand_off_with_email(
        page, desk, site, org, "left.html", "I want to talk to a human about my parcel"
    )
    async with desk.sessions() as session:
        stored = await session.get(Conversation, conversation)
        assert stored is not None
        visitor = await session.get(Visitor, stored.visitor_id)
    assert visitor is not None and visitor.email
    assert visitor.page_url == f"{site.base_url}/left.html"
    await context.close()  # the visitor closes the tab

    await rep_replies(desk, thread, "Your parcel left our warehouse today.")
    [mail] = await desk.smtp.wait_for_messages(1, timeout=20, to=visitor.email)
    async with desk.sessions() as session:
        organization = await session.get(Organization, org.id)
    assert organization is not None
    assert mail["Subject"] == word("mail_subject", "en", name=organization.name)
    text = body(mail, "plain")
    assert "> Your parcel left our warehouse today." in text
    assert "You: I want to talk to a human about my parcel" in text
    assert "Your parcel left our warehouse today." in body(mail, "html")
    reopen = re.search(r"Continue the conversation: (\S+)", text)
    unsubscribe = re.search(r"email me about conversations any more: (\S+)", text)
    assert reopen and unsubscribe
    assert reopen.group(1).startswith(f"{site.base_url}/left.html#relaydesk-reopen=")
    assert mail["List-Unsubscribe"] == f"<{unsubscribe.group(1)}>"

    # A second reply within the batch window: no second email.
    second = await rep_replies(desk, thread, "It should arrive on Thursday.")
    await scanned_after(desk, second)
    await wait_for(lambda: mail_jobs_done(desk))
    assert len(desk.smtp.to(visitor.email)) == 1

    # The link, opened in another browser, shows the conversation with both replies.
    elsewhere = await browser.new_context()
    reader = await elsewhere.new_page()
    await reader.goto(reopen.group(1))
    agent = reader.locator(f"{W} li.msg[data-role=agent] .text")
    await expect(reader.locator(f"{W} .panel")).to_be_visible()
    await expect(agent).to_have_text(
        ["Your parcel left our warehouse today.", "It should arrive on Thursday."]
    )
    assert "#" not in reader.url  # the token is not left in the address bar
    mine = await reader.locator(f"{W} li.msg").first.get_attribute("data-conversation")
    assert mine == conversation
    await elsewhere.close()

    # One link unsubscribes: asked on GET (link scanners change nothing), done on POST.
    async with httpx.AsyncClient() as http:
        asked = await http.get(unsubscribe.group(1))
        assert asked.status_code == 200 and "<form method=\"post\">" in asked.text
        async with desk.sessions() as session:
            assert (await session.get(Visitor, visitor.id)).unsubscribed_at is None  # type: ignore[union-attr]
        done = await http.post(unsubscribe.group(1))
        assert done.status_code == 200 and "won't get emails" in unescape(done.text)
    async with desk.sessions() as session:
        assert (await session.get(Visitor, visitor.id)).unsubscribed_at is not None  # type: ignore[union-attr]


async def test_a_visitor_connected_and_reading_gets_no_email(
    page: Page, desk: Desk, site: Site, org: Org
) -> None:
    conversation, thread = await hand_off_with_email(
        page, desk, site, org, "reading.html", "I want to talk to a human, please"
    )
    replied = await rep_replies(desk, thread, "I'm on it, one moment.")
    agent = page.locator(f"{W} li.msg[data-role=agent] .text")
    await expect(agent).to_have_text("I'm on it, one moment.")

    async def read() -> int | None:
        async with desk.sessions() as session:
            found = await session.get(Conversation, conversation)
        return found.read_seq if found and found.read_seq >= found.last_seq else None

    await wait_for(read)
    await scanned_after(desk, replied)
    async with desk.sessions() as session:
        stored = await session.get(Conversation, conversation)
        visitor = await session.get(Visitor, stored.visitor_id)  # type: ignore[union-attr]
    assert visitor is not None and visitor.email
    assert desk.smtp.to(visitor.email) == [] and stored is not None and stored.mailed_seq == 0


async def test_the_email_is_written_in_the_conversations_language(
    browser: Browser, desk: Desk, site: Site, org: Org
) -> None:
    context = await browser.new_context(locale="de-DE")
    page = await context.new_page()
    conversation, thread = await hand_off_with_email(
        page, desk, site, org, "de.html", "Ich möchte mit einem Menschen sprechen"
    )
    await context.close()
    await rep_replies(desk, thread, "Ihr Paket ist unterwegs.")
    async with desk.sessions() as session:
        stored = await session.get(Conversation, conversation)
        visitor = await session.get(Visitor, stored.visitor_id)  # type: ignore[union-attr]
    assert visitor is not None and visitor.email and stored is not None
    assert stored.language == "de"
    [mail] = await desk.smtp.wait_for_messages(1, timeout=20, to=visitor.email)
    text = body(mail, "plain")
    assert "Gespräch fortsetzen: " in text and "Das bisherige Gespräch:" in text
    assert "Sie: Ich möchte mit einem Menschen sprechen" in text

