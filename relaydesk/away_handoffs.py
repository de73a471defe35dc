"""Which way a handoff goes, by the organization's office hours, and what the visitor is told.

In hours a handoff is live (with the expected reply time, when the admin gave one). Outside
them it goes as the organization chose (`office_hours.OUTSIDE_MODES`): to the team anyway,
telling the visitor when they are next in ("away"); to the team, the answer promised by email
("email"); or not at all, the AI staying on and offering the email route (no route). An admin
taking a conversation from the AI always hands it off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .assistant.wording import BY_EMAIL, HANDING_OFF, LEAVE_EMAIL, say
from .away_wording import when, word
from .models import Conversation, HubSpotConnection, Organization, Visitor
from .office_hours import BY_EMAIL as EMAIL_MODE
from .office_hours import HAND_OFF, Availability, availability, office_hours_of

LIVE, AWAY, EMAIL = "live", "away", "email"


@dataclass(frozen=True)
class Route:
    name: str | None  # live | away | email; None: the AI stays on and offers the email route
    text: str  # what the visitor is told


async def route_handoff(
    session: AsyncSession,
    conversation: Conversation,
    language: str,
    *,
    requested_by: str,
    now: datetime,
    by_email: bool = False,
) -> Route:
    organization = await session.get(Organization, conversation.organization_id)
    assert organization is not None
    hours = office_hours_of(organization)
    now_open = availability(hours, now)
    back = _back(now_open, now, hours.timezone, language)
    if by_email:  # the visitor took the email route the AI offered
        return Route(EMAIL, word("email_taken", language))
    if now_open.open:
        return Route(LIVE, await _live_text(session, conversation, language, now_open))
    if now_open.outside == HAND_OFF or requested_by == "admin":
        return Route(AWAY, word("handing_off_away", language, when=back))
    if now_open.outside == EMAIL_MODE:
        text = word("by_email_away", language, when=back)
        if not await _has_email(session, conversation):
            text += " " + say(LEAVE_EMAIL, language)
        return Route(EMAIL, text)
    return Route(None, word("offer_email", language, when=back))


def _back(now_open: Availability, now: datetime, zone: str, language: str) -> str:
    if now_open.next_open is None:
        return word("when_unknown", language)
    local = now_open.next_open  # in the office's zone
    return when(local, now.astimezone(local.tzinfo), zone, language)


async def _live_text(
    session: AsyncSession, conversation: Conversation, language: str, now_open: Availability
) -> str:
    """A person will reply in the chat, unless HubSpot is connected with a private-app token:
    then the team gets a ticket and answers by email (asked for, when we have none)."""
    mode = await session.scalar(
        select(HubSpotConnection.mode).where(
            HubSpotConnection.organization_id == conversation.organization_id
        )
    )
    if mode != "private_app":
        text = say(HANDING_OFF, language)
        if now_open.reply_minutes:
            minutes = str(now_open.reply_minutes)
            text += " " + word("expected_reply", language, minutes=minutes)
        return text
    known = await _has_email(session, conversation)
    return say(BY_EMAIL, language) + ("" if known else " " + say(LEAVE_EMAIL, language))


async def _has_email(session: AsyncSession, conversation: Conversation) -> bool:
    visitor = await session.get(Visitor, conversation.visitor_id)
    return visitor is not None and bool(visitor.verified_email or visitor.email)
