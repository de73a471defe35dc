"""Office hours in real Chromium: outside hours in "answer by email" mode the handoff still
makes the HubSpot thread, ticket and note while the visitor hears when to expect the answer;
in hours a live handoff tells the expected reply time, and when nobody picks up the visitor is
told and offered to leave an email."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import pytest
import pytest_asyncio
from playwright.async_api import Page, expect
from sqlalchemy import select

from relaydesk.assistant.wording import HANDING_OFF
from relaydesk.away_wording import when, word
from relaydesk.models import Handoff, utcnow
from relaydesk.office_hours import parse

from ..orgs import Org
from ..support import wait_for
from .desk import Desk, running_desk
from .site import Site
from .test_widget import W, ask, company_page

BERLIN = "Europe/Berlin"
WEEKDAYS = {day: "09:00-17:00" for day in ("mon", "tue", "wed", "thu", "fri")}


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    with running_desk(tmp_path_factory.mktemp("office-hours")) as running:
        yield running


@pytest_asyncio.fixture(loop_scope="session")
async def org(desk: Desk, site: Site) -> AsyncIterator[Org]:
    yield await desk.connected_org(site)


def closed_today() -> dict[str, Any]:
    """Weekday hours, with yesterday, today and tomorrow (Berlin) holidays: closed now."""
    today = utcnow().date()
    days = [today + timedelta(days=d) for d in (-1, 0, 1, 2)]
    holidays = "\n".join(d.isoformat() for d in days)
    return {"enabled": True, "timezone": BERLIN, "week": WEEKDAYS, "holidays": holidays}


async def open_widget(page: Page, desk: Desk, site: Site, org: Org, name: str) -> None:
    await page.goto(site.publish(name, company_page(desk.server, org)))
    await page.locator(f"{W} .launcher").click()
    await expect(page.locator(f"{W} li.greeting")).to_be_visible()
    await expect(page.locator(f"{W} .status")).to_be_hidden()


async def handoff_of(desk: Desk, conversation_id: str) -> Handoff:
    async def recorded() -> Handoff | None:
        async with desk.sessions() as session:
            found: Handoff | None = await session.scalar(
                select(Handoff).where(Handoff.conversation_id == conversation_id)
            )
            return found

    return await wait_for(recorded)


async def test_outside_hours_by_email_the_ticket_and_note_are_made_and_the_visitor_told(
    page: Page, desk: Desk, site: Site, org: Org
) -> None:
    hours = closed_today() | {"outside": "email"}
    await desk.set_office_hours(org, **hours)
    now = utcnow()
    back = parse(hours).next_open(now)
    assert back is not None and back.weekday() < 5 and back.hour == 9
    told = word("by_email_away", "en", when=when(back, now.astimezone(back.tzinfo), BERLIN, "en"))

    await open_widget(page, desk, site, org, "email-later.html")
    header = page.locator(f"{W} .availability")
    await expect(header).to_have_attribute("data-open", "false")
    await expect(header).to_contain_text("Away · back")
    await ask(page, "I want to talk to a human about my invoice")

    await expect(page.locator(f"{W} li.msg .text").filter(has_text=told)).to_be_visible()
    await expect(page.locator(f"{W} .panel")).to_have_attribute("data-state", "pending_human")
    conversation = await page.locator(f"{W} li.msg").first.get_attribute("data-conversation")
    assert conversation is not None
    assert (await handoff_of(desk, conversation)).route == "email"

    async def synced() -> dict[str, Any] | None:
        state = await desk.sandbox_state()
        threads = [t for t in state["threads"] if t.get("integrationThreadId") == conversation]
        if not threads or not threads[0]["comments"]:
            return None
        thread = threads[0]
        tickets = [
            t for t in state["tickets"]
            if thread["id"] in [a["id"] for a in t["associations"].get("threads", [])]
        ]  # fmt: skip
        return {"thread": thread, "ticket": tickets[0]} if tickets else None

    found = await wait_for(synced, timeout=20)
    assert "invoice" in found["thread"]["comments"][0]["text"]


async def test_in_hours_the_reply_time_is_told_then_nobody_picking_up_is_told(
    page: Page, desk: Desk, site: Site, org: Org
) -> None:
    await desk.set_office_hours(
        org, enabled=False, timezone=BERLIN, week={}, outside="handoff", reply_minutes=5
    )
    await open_widget(page, desk, site, org, "no-rep.html")
    await expect(page.locator(f"{W} .availability")).to_have_attribute("data-open", "true")
    await expect(page.locator(f"{W} .availability")).to_have_text("We're here now")
    await ask(page, "I want to talk to a human")

    expected = HANDING_OFF["en"] + " " + word("expected_reply", "en", minutes="5")
    await expect(page.locator(f"{W} li.msg .text").filter(has_text=expected)).to_be_visible()
    # Nobody replies nor takes it in the sandbox: after the timeout (2 s here) the visitor hears.
    no_rep = page.locator(f"{W} li.msg[data-role=system] .text").filter(
        has_text=word("no_rep", "en")
    )
    await expect(no_rep).to_be_visible(timeout=15_000)
    await expect(page.locator(f"{W} .profile-open")).to_be_visible()  # where to leave the email
    conversation = await page.locator(f"{W} li.msg").first.get_attribute("data-conversation")
    assert conversation is not None
    handoff = await handoff_of(desk, conversation)
    assert handoff.route == "live" and handoff.no_rep_told_at is not None
