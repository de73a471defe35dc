"""Office hours: the schedule read in its time zone with holidays, the admin's form, the widget
config's availability, and the "keep the AI on" route where leaving an email hands off."""

from __future__ import annotations

import re
import tomllib
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk.assistant.wording import SENTENCES_DIR as AI_SENTENCES_DIR
from relaydesk.away_wording import SENTENCES_DIR, when, word
from relaydesk.db import commit
from relaydesk.errors import InvalidInput
from relaydesk.models import Conversation, Handoff, Message, Organization, utcnow
from relaydesk.office_hours import availability, parse, update_office_hours

from .admin_support import make_user, signed_in
from .orgs import Org
from .support import RunningServer, WidgetClient, wait_for

BERLIN = {
    "enabled": True,
    "timezone": "Europe/Berlin",
    "week": {"mon": "09:00-12:00, 13:00-17:00", "tue": "09:00-17:00", "sat": "10:00-24:00"},
    "holidays": "2026-12-08",
    "outside": "email",
}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_each_language_says_every_sentence_with_its_placeholders() -> None:
    tables = {p.stem: tomllib.loads(p.read_text("utf-8")) for p in SENTENCES_DIR.glob("*.toml")}
    assert {path.stem for path in AI_SENTENCES_DIR.glob("*.toml")} <= set(tables)
    placeholders = {k: set(re.findall(r"\{\w+\}", str(v))) for k, v in tables["en"].items()}
    for language, table in tables.items():
        assert table.keys() == tables["en"].keys(), language
        assert len(table["weekdays"]) == 7, language
        for key, text in table.items():
            assert set(re.findall(r"\{\w+\}", str(text))) == placeholders[key], (language, key)
    assert word("mail_reopen", "fr") == "Reprendre la conversation"
    assert word("mail_reopen", "ja") == "会話を続ける"
    assert word("mail_reopen", "eo") == word("mail_reopen", "en")  # no Esperanto: English


def test_hours_are_read_in_their_time_zone_with_breaks_and_holidays() -> None:
    hours = parse(BERLIN)
    # Monday 7 December 2026, Berlin is UTC+1.
    assert hours.is_open(at("2026-12-07T08:30:00+00:00"))  # 09:30 in Berlin
    assert not hours.is_open(at("2026-12-07T11:30:00+00:00"))  # the lunch break
    assert not hours.is_open(at("2026-12-07T07:59:00+00:00"))
    assert not hours.is_open(at("2026-12-08T09:00:00+00:00"))  # Tuesday, a holiday
    assert hours.is_open(at("2026-12-12T22:59:00+00:00"))  # Saturday 23:59 in Berlin
    # Monday evening: Tuesday is a holiday, Wednesday to Friday closed: next is Saturday 10:00.
    closed = availability(hours, at("2026-12-07T17:00:00+00:00"))
    assert not closed.open and closed.next_open == at("2026-12-12T10:00:00+01:00")
    assert closed.changes_at == closed.next_open and closed.outside == "email"
    lunch = availability(hours, at("2026-12-07T11:00:00+00:00"))
    assert lunch.next_open == at("2026-12-07T13:00:00+01:00")
    working = availability(hours, at("2026-12-07T09:00:00+00:00"))
    assert working.open and working.changes_at == at("2026-12-07T12:00:00+01:00")


def test_summer_time_moves_the_hours_with_the_clock() -> None:
    hours = parse(BERLIN | {"holidays": ""})
    assert hours.is_open(at("2026-07-06T07:30:00+00:00"))  # 09:30 in Berlin (UTC+2)
    assert not hours.is_open(at("2026-12-07T07:30:00+00:00"))  # 08:30 in Berlin (UTC+1)


def test_without_office_hours_the_team_is_always_in() -> None:
    always = availability(parse({}), at("2026-12-08T03:00:00+00:00"))
    assert always.open and always.next_open is None and always.changes_at is None


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("timezone", "Mars/Olympus", "is not a time zone"),
        ("week", {"mon": "9-17"}, "is not a period like 09:00-17:00"),
        ("week", {"mon": "17:00-09:00"}, "is not a period within one day"),
        ("week", {"mon": "09:00-24:30"}, "is not a period within one day"),
        ("holidays", "24.12.2026", "is not a date like 2026-12-24"),
        ("outside", "pigeon", "outside hours a handoff goes"),
        ("reply_minutes", "soon", "a number of minutes"),
        ("reply_minutes", "0", "1 to"),
    ],
)
def test_bad_hours_are_refused_saying_what_is_wrong(field: str, value: object, said: str) -> None:
    with pytest.raises(InvalidInput, match=said):
        parse(BERLIN | {field: value})


async def test_an_owner_sets_office_hours_and_the_widget_shows_when_the_team_is_next_in(
    server: RunningServer, db: async_sessionmaker[AsyncSession], org: Org, client: httpx.AsyncClient
) -> None:
    owner = await signed_in(server.base_url, await make_user(db, org.id, "owner"))
    tomorrow = (utcnow() + timedelta(days=1)).date()
    form = {
        "enabled": "1", "timezone": "UTC", "day_mon": "", "day_tue": "", "day_wed": "",
        "day_thu": "", "day_fri": "", "day_sat": "", "day_sun": "",
        "holidays": "", "outside": "ai", "reply_minutes": "20",
    }  # fmt: skip
    form[f"day_{('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun')[tomorrow.weekday()]}"] = (
        "09:00-17:00"
    )
    refused = await owner.post("/admin/office-hours", form | {"timezone": "Nowhere/Town"})
    assert refused.status_code == 422 and "is not a time zone" in refused.text
    assert (await owner.post("/admin/office-hours", form)).status_code == 303
    page = await owner.get("/admin/office-hours")
    assert 'value="09:00-17:00"' in page.text and "The team is away now" in page.text

    config = await client.get("/api/widget/v1/config", params={"widget_key": org.widget_key})
    shown = config.json()["availability"]
    expected = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 9, tzinfo=UTC)
    assert shown["open"] is False and at(shown["next_open"]) == expected
    assert (shown["outside"], shown["reply_minutes"]) == ("ai", 20)
    await owner.close()


async def test_with_the_ai_kept_on_leaving_an_email_hands_off_to_be_answered_by_email(
    db: async_sessionmaker[AsyncSession], org: Org, client: httpx.AsyncClient
) -> None:
    async with db() as session:
        organization = await session.get(Organization, org.id)
        assert organization is not None
        hours = {"enabled": True, "timezone": "UTC", "week": {}, "outside": "ai"}
        await update_office_hours(session, organization, parse(hours))
        await commit(session)
    visitor = WidgetClient(client, org.widget_key)
    await visitor.start()
    asked = await client.post("/api/widget/v1/handoff", headers=visitor.auth)
    assert asked.status_code == 200 and asked.json()["state"] == "ai"
    visitor.conversation_id = asked.json()["id"]
    [offer] = [m for m in await visitor.history() if m["role"] == "system"]
    assert offer["text"] == word("offer_email", "en", when=word("when_unknown", "en"))

    saved = await client.post(
        "/api/widget/v1/profile", json={"email": "ada@example.com"}, headers=visitor.auth
    )
    assert saved.status_code == 200

    async def handed_off() -> tuple[Conversation, Handoff] | None:
        async with db() as session:
            conversation = await session.get(Conversation, visitor.conversation_id)
            handoff = await session.scalar(
                select(Handoff).where(Handoff.conversation_id == visitor.conversation_id)
            )
        return (conversation, handoff) if conversation and handoff else None

    conversation, handoff = await wait_for(handed_off)
    assert conversation.state == "pending_human" and handoff.route == "email"
    async with db() as session:
        texts = list(
            await session.scalars(
                select(Message.text).where(Message.conversation_id == conversation.id)
            )
        )
    assert word("email_taken", "en") in texts


async def test_outside_hours_handing_off_anyway_tells_when_the_team_is_back(
    db: async_sessionmaker[AsyncSession], org: Org, client: httpx.AsyncClient
) -> None:
    today = utcnow().date()  # yesterday to tomorrow off, whatever the date in Berlin
    holidays = "\n".join(str(today + timedelta(days=d)) for d in (-1, 0, 1, 2))
    week = {day: "10:00-11:00" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    hours = {"enabled": True, "timezone": "Europe/Berlin", "week": week}
    hours |= {"holidays": holidays, "outside": "handoff"}
    async with db() as session:
        organization = await session.get(Organization, org.id)
        assert organization is not None
        await update_office_hours(session, organization, parse(hours))
        await commit(session)
    now = utcnow()
    back = parse(hours).next_open(now)
    assert back is not None and not parse(hours).is_open(now)
    visitor = WidgetClient(client, org.widget_key)
    await visitor.start()
    asked = await client.post("/api/widget/v1/handoff", headers=visitor.auth)
    assert asked.status_code == 200 and asked.json()["state"] == "pending_human"
    visitor.conversation_id = asked.json()["id"]
    # The first system message (without a HubSpot connection a "we will follow up" may follow).
    told = [m["text"] for m in await visitor.history() if m["role"] == "system"][0]
    expected_when = when(back, now.astimezone(back.tzinfo), "Europe/Berlin", "en")
    assert told == word("handing_off_away", "en", when=expected_when)
    assert f"{back:%A} at 10:00 (Europe/Berlin time)" in told
    async with db() as session:
        handoff = await session.scalar(
            select(Handoff).where(Handoff.conversation_id == visitor.conversation_id)
        )
    assert handoff is not None and handoff.route == "away"
