"""With the mail server down, the email to a visitor who left is retried, then shown on the
admin's failed-jobs page after its attempts; nothing else in the conversation waits for it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Browser
from sqlalchemy import select

from relaydesk import events
from relaydesk.models import Conversation, OutboxJob

from ..admin_support import make_user, signed_in
from ..orgs import Org
from ..support import WidgetClient, wait_for
from .desk import Desk, running_desk
from .site import Site
from .test_visitor_left import hand_off_with_email, rep_replies


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    with running_desk(tmp_path_factory.mktemp("mail-down"), smtp_down=True) as running:
        yield running


@pytest_asyncio.fixture(loop_scope="session")
async def org(desk: Desk, site: Site) -> AsyncIterator[Org]:
    yield await desk.connected_org(site)


async def test_the_email_job_retries_then_fails_visibly_and_holds_nothing_up(
    browser: Browser, desk: Desk, site: Site, org: Org
) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    conversation, thread = await hand_off_with_email(
        page, desk, site, org, "down.html", "I want to talk to a human about a refund"
    )
    token = await page.evaluate(f"localStorage.getItem('relaydesk:{org.widget_key}')")
    await context.close()
    await rep_replies(desk, thread, "The refund is on its way.")

    async def parked() -> OutboxJob | None:
        async with desk.sessions() as session:
            job: OutboxJob | None = await session.scalar(
                select(OutboxJob).where(
                    OutboxJob.kind == events.MAIL_SEND, OutboxJob.organization_id == org.id
                )
            )
        return job if job is not None and job.state == "failed" else None

    job = await wait_for(parked, timeout=30)
    assert job.attempts == desk.server.settings.worker.max_attempts == 3
    assert job.last_error and "connect" in job.last_error.lower()
    owner = await signed_in(desk.server.base_url, await make_user(desk.sessions, org.id))
    page_text = (await owner.get("/admin/jobs")).text
    assert f"#{job.id} mail.send" in page_text and job.payload["to"] in page_text
    await owner.close()

    # The conversation goes on: the visitor writes (to HubSpot), the rep answers (to the chat).
    async with httpx.AsyncClient(base_url=desk.server.base_url, timeout=10) as http:
        visitor = WidgetClient(http, org.widget_key, origin=site.base_url)
        visitor.token, visitor.conversation_id = token, conversation
        assert (await visitor.send("Thanks, and the invoice?")).status_code == 201

        async def published() -> bool:
            state = await desk.sandbox_state()
            [found] = [t for t in state["threads"] if t["id"] == thread]
            return any("invoice?" in (m.get("text") or "") for m in found["messages"])

        await wait_for(published, timeout=20)
        await rep_replies(desk, thread, "The invoice is attached to your account.")
        texts = [m["text"] for m in await visitor.history() if m["role"] == "agent"]
        assert texts[-1] == "The invoice is attached to your account."
    async with desk.sessions() as session:
        stored = await session.get(Conversation, conversation)
    assert stored is not None and stored.state == "human"
