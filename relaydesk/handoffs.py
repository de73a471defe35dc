"""The handoff verb: a conversation passes from the AI to a person.

State → pending_human, a Handoff row (why, summary, mood, language, topic, who asked, the
visitor's first real question, the team's language, the route office hours chose), a message
telling the visitor in their language, the state pushed after commit and the `hubspot.handoff`
job written in the same transaction. Outside office hours the organization may keep the AI on
instead (`away_handoffs.py`): then only the offer of the email route is said.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from . import events
from .assistant.analysis import USER_REQUESTED, analyze_message
from .assistant.brain import HandoffDecision, Turn
from .assistant.configuration import load_policy, team_language
from .assistant.language import conversation_language
from .assistant.summary import first_question, handoff_summary, summarize
from .away_handoffs import route_handoff
from .conversations import (
    Effects,
    Slot,
    add_message,
    announce_state,
    insert_message,
    latest_conversation,
)
from .conversations import open_conversation as open_visitor_conversation
from .errors import InvalidInput
from .hot_sql import Hot
from .jobs import ConversationJob, dump
from .models import (
    Conversation,
    ConversationState,
    Handoff,
    Message,
    Requester,
    Role,
    Visitor,
    utcnow,
)
from .outbox import enqueue
from .payloads import STATE_FRAME_COLUMNS

REQUESTERS = tuple(Requester)


async def hand_off(
    session: AsyncSession,
    effects: Effects,
    conversation: Conversation,
    decision: HandoffDecision,
    *,
    requested_by: Requester,
    slot: Slot | None = None,
    reply_to_id: str | None = None,
    author_name: str | None = None,
    by_email: bool = False,
) -> Handoff | None:
    """Hand the conversation to a person once; None when it is not the AI's to hand off, or
    office hours keep the AI on (the visitor is offered the email route)."""
    if requested_by not in REQUESTERS:
        raise ValueError(f"unknown requester {requested_by!r}")
    if conversation.state != ConversationState.AI:
        return None
    now = utcnow()
    route = await route_handoff(
        session, conversation, decision.language, requested_by=requested_by, now=now,
        by_email=by_email,
    )  # fmt: skip
    told = _Told(route.text, slot, reply_to_id, author_name)
    if route.name is None:
        conversation.email_offered_at = now
        await _tell_visitor(session, effects, conversation, told)
        return None
    conversation.state = ConversationState.PENDING_HUMAN
    conversation.language = decision.language
    conversation.sentiment = decision.sentiment.label
    transcript = await _transcript(session, conversation.id)
    team = await team_language(session, conversation.organization_id)
    record = Handoff(
        conversation_id=conversation.id,
        reasons=list(decision.reasons),
        summary=handoff_summary(
            decision.summary, transcript, decision.reasons, team, decision.topic
        ),
        sentiment=decision.sentiment.label,
        sentiment_score=decision.sentiment.score,
        language=decision.language,
        topic=decision.topic,
        requested_by=requested_by,
        question=first_question([t.text for t in transcript if t.role == Role.VISITOR]),
        team_language=team,
        route=route.name,
    )
    session.add(record)
    await _tell_visitor(session, effects, conversation, told)
    await enqueue(
        session,
        effects.wakeup,
        events.HUBSPOT_HANDOFF,
        dump(ConversationJob(conversation.id)),
        ordering_key=conversation.id,
        dedupe_key=f"{events.HUBSPOT_HANDOFF}:{conversation.id}",
    )
    announce_state(session, effects, conversation)
    return record


@dataclass(frozen=True)
class _Told:
    """What the visitor is told, and where: the AI's reply slot, else a system message."""

    text: str
    slot: Slot | None
    reply_to_id: str | None
    author_name: str | None


async def _tell_visitor(
    session: AsyncSession, effects: Effects, conversation: Conversation, told: _Told
) -> None:
    if told.slot is None:
        await add_message(session, effects, conversation, Role.SYSTEM, told.text)
        return
    await insert_message(
        session, effects, told.slot, Role.AI, told.text,
        reply_to_id=told.reply_to_id, author_name=told.author_name,
    )  # fmt: skip


async def visitor_asks_for_person(
    session: AsyncSession, effects: Effects, visitor: Visitor
) -> Conversation:
    """The widget's "talk to a person" button; declined when the organization is "AI only"."""
    policy = await load_policy(session, visitor.organization_id)
    if not policy.hands_off:
        raise InvalidInput("this chat is answered by the AI only", code="handoff_disabled")
    conversation = await open_visitor_conversation(session, visitor)
    decision = await _requested_decision(session, conversation, [USER_REQUESTED])
    await hand_off(session, effects, conversation, decision, requested_by=Requester.VISITOR)
    return conversation


async def visitor_left_email(session: AsyncSession, effects: Effects, visitor: Visitor) -> None:
    """The visitor saved an email after the AI offered the email route outside office hours:
    their conversation goes to the team, to be answered by email."""
    if not (visitor.email or visitor.verified_email):
        return
    conversation = await latest_conversation(session, visitor)
    if (
        conversation is None
        or conversation.state != ConversationState.AI
        or not conversation.email_offered_at
    ):
        return
    decision = await _requested_decision(session, conversation, [USER_REQUESTED])
    await hand_off(
        session, effects, conversation, decision, requested_by=Requester.VISITOR, by_email=True
    )


async def admin_hands_off(
    session: AsyncSession, effects: Effects, conversation: Conversation
) -> Handoff:
    """An admin takes the conversation from the AI (from its page in the console)."""
    decision = await _requested_decision(session, conversation, [])
    handoff = await hand_off(session, effects, conversation, decision, requested_by=Requester.ADMIN)
    if handoff is None:
        raise InvalidInput(
            "only a conversation the AI is leading can be handed off", code="not_with_ai"
        )
    return handoff


async def _requested_decision(
    session: AsyncSession, conversation: Conversation, reasons: list[str]
) -> HandoffDecision:
    """A person asked for the handoff: summary, mood and language come from the visitor's words."""
    texts = [t.text for t in await _transcript(session, conversation.id) if t.role == Role.VISITOR]
    mood = analyze_message(" ".join(texts[-3:])).sentiment
    # Before a word (the "talk to a person" button) or after "hi", the browser's language.
    locale = await session.scalar(
        select(Visitor.locale).where(Visitor.id == conversation.visitor_id)
    )
    language = conversation_language(texts, locale)
    return HandoffDecision(reasons, summarize(texts, reasons), mood, language)


async def _transcript(session: AsyncSession, conversation_id: str) -> list[Turn]:
    """The visitor's and the AI's messages so far (an AI turn answered when it had sources or a
    component), as the brain saw them."""
    rows = await session.execute(
        select(Message.role, Message.text, Message.sources, Message.component)
        .where(
            Message.conversation_id == conversation_id, Message.role.in_((Role.VISITOR, Role.AI))
        )
        .order_by(Message.seq)
    )
    return [Turn(r.role, r.text, bool(r.sources or r.component)) for r in rows]


CONVERSATIONS = cast(Table, Conversation.__table__)
_AWAITING_A_REP = [
    literal(ConversationState.AI.value),
    literal(ConversationState.PENDING_HUMAN.value),
]
# The conversation is the rep's (named, unless a name is there already), in one statement; its
# row comes back for the widget's state frame.
TO_HUMAN = Hot(
    update(CONVERSATIONS)
    .where(
        CONVERSATIONS.c.id == bindparam("conversation_id"),
        CONVERSATIONS.c.state.in_(_AWAITING_A_REP),
    )
    .values(
        state=ConversationState.HUMAN.value,
        assignee=func.coalesce(CONVERSATIONS.c.assignee, bindparam("assignee")),
    )
    .returning(*(CONVERSATIONS.c[name] for name in STATE_FRAME_COLUMNS))
)


async def rep_takes_over(
    session: AsyncSession, effects: Effects, conversation_id: str, name: str | None
) -> None:
    """A rep's first reply after the handoff (or to a conversation the AI still had): the
    conversation is the rep's, and the visitor's widgets hear it after commit."""
    values = {"conversation_id": conversation_id, "assignee": name}
    if (row := await TO_HUMAN.first(session, values)) is not None:  # else: another reply did
        announce_taken_over(session, effects, row)


def announce_taken_over(session: AsyncSession, effects: Effects, row: Any) -> None:
    """The widgets hear, after commit, of the conversation a rep took over: `row` holds its
    `STATE_FRAME_COLUMNS` (not a row of the session: the frame reads only those)."""
    conversation: Conversation = Conversation.__mapper__.class_manager.new_instance()
    conversation.__dict__.update({name: getattr(row, name) for name in STATE_FRAME_COLUMNS})
    announce_state(session, effects, conversation)
