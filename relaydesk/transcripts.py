"""Reading an organization's conversations: the filtered list and one transcript in full."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from .conversations import attachments_of
from .errors import NotFound
from .models import Attachment, Conversation, ConversationState, Handoff, Message, Visitor

STATES = tuple(ConversationState)
PAGE_SIZE = 100


@dataclass(frozen=True)
class ConversationFilter:
    state: str | None = None
    handed_off: bool | None = None
    since: date | None = None
    until: date | None = None
    text: str = ""


@dataclass(frozen=True)
class ConversationRow:
    conversation: Conversation
    visitor: Visitor
    handed_off: bool


def _filtered(
    query: Select[Conversation, Visitor, bool], f: ConversationFilter
) -> Select[Conversation, Visitor, bool]:
    if f.state in STATES:
        query = query.where(Conversation.state == f.state)
    if f.handed_off is not None:
        has_handoff = exists().where(Handoff.conversation_id == Conversation.id)
        query = query.where(has_handoff if f.handed_off else ~has_handoff)
    if f.since is not None:
        query = query.where(Conversation.created_at >= datetime.combine(f.since, time(), UTC))
    if f.until is not None:
        end = datetime.combine(f.until + timedelta(days=1), time(), UTC)
        query = query.where(Conversation.created_at < end)
    if f.text.strip():
        needle = f.text.strip().lower()
        said = exists().where(
            Message.conversation_id == Conversation.id,
            func.lower(Message.text).contains(needle, autoescape=True),
        )
        named = or_(
            func.lower(Visitor.name).contains(needle, autoescape=True),
            func.lower(Visitor.email).contains(needle, autoescape=True),
        )
        query = query.where(or_(said, named))
    return query


async def list_conversations(
    session: AsyncSession, organization_id: str, f: ConversationFilter
) -> list[ConversationRow]:
    handed_off = exists().where(Handoff.conversation_id == Conversation.id).label("handed_off")
    query = (
        select(Conversation, Visitor, handed_off)
        .join(Visitor, Visitor.id == Conversation.visitor_id)
        .where(Conversation.organization_id == organization_id)
        .order_by(Conversation.updated_at.desc())
        .limit(PAGE_SIZE)
    )
    rows = await session.execute(_filtered(query, f))
    return [ConversationRow(c, v, bool(h)) for c, v, h in rows]


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass
class Transcript:
    conversation: Conversation
    visitor: Visitor
    messages: list[Message]
    attachments: dict[str, list[Attachment]]
    handoff: Handoff | None
    hubspot_links: list[Link] = field(default_factory=list)


def hubspot_links(
    conversation: Conversation, app_url: str | None = None, portal_id: str | None = None
) -> list[Link]:
    """The HubSpot conversation, ticket and contact this conversation became, once synced.

    With the connection's portal they link into HubSpot's app; without it the ids are text.
    """
    ids = [
        ("HubSpot conversation", conversation.hubspot_thread_id, "live-messages/{p}/inbox/{id}"),
        ("HubSpot ticket", conversation.hubspot_ticket_id, "contacts/{p}/record/0-5/{id}"),
        ("HubSpot contact", conversation.hubspot_contact_id, "contacts/{p}/record/0-1/{id}"),
    ]
    base = app_url.rstrip("/") if app_url and portal_id else None
    return [
        Link(f"{label} {value}", f"{base}/{path.format(p=portal_id, id=value)}" if base else "")
        for label, value, path in ids
        if value
    ]


async def transcript(
    session: AsyncSession, organization_id: str, conversation_id: str
) -> Transcript:
    row = (
        await session.execute(
            select(Conversation, Visitor)
            .join(Visitor, Visitor.id == Conversation.visitor_id)
            .where(
                Conversation.id == conversation_id,
                Conversation.organization_id == organization_id,
            )
        )
    ).first()
    if row is None:
        raise NotFound("no such conversation")
    conversation, visitor = row
    messages = list(
        await session.scalars(
            select(Message).where(Message.conversation_id == conversation.id).order_by(Message.seq)
        )
    )
    handoff = await session.scalar(
        select(Handoff).where(Handoff.conversation_id == conversation.id)
    )
    return Transcript(
        conversation,
        visitor,
        messages,
        await attachments_of(session, messages),
        handoff,
        hubspot_links(conversation),
    )
