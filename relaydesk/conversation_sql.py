"""The statements of a visitor's message (`conversations.post_visitor_message`), built once and
run with bound values (`hot_sql.Hot`, as in `messages.py`)."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, bindparam, insert, or_, select, true, update

from .hot_sql import Hot
from .messages import CONVERSATIONS, MESSAGES, written_after
from .models import ConversationState, Visitor

OPEN_STATES = (ConversationState.AI, ConversationState.PENDING_HUMAN, ConversationState.HUMAN)
HANDED_OFF = (ConversationState.PENDING_HUMAN, ConversationState.HUMAN)

VISITORS = cast(Table, Visitor.__table__)
LOCK_VISITOR = Hot(
    update(VISITORS)
    .where(VISITORS.c.id == bindparam("visitor_id"))
    .values(last_seen_at=bindparam("now"))
)
# The visitor's latest conversation and whether a message with this client id exists in any of
# theirs: one statement (a visitor without a conversation has no message either).
SENT_BEFORE = (
    select(MESSAGES.c.id)
    .join(CONVERSATIONS, CONVERSATIONS.c.id == MESSAGES.c.conversation_id)
    .where(
        CONVERSATIONS.c.visitor_id == bindparam("visitor_id"),
        MESSAGES.c.client_id == bindparam("client_id"),
    )
    .scalar_subquery()
)
_LATEST = (
    select(CONVERSATIONS.c.id, CONVERSATIONS.c.state, SENT_BEFORE.label("sent_before"))
    .where(CONVERSATIONS.c.visitor_id == bindparam("visitor_id"))
    .order_by(CONVERSATIONS.c.created_at.desc(), CONVERSATIONS.c.id.desc())
    .limit(1)
)
LATEST_AND_SENT_BEFORE = Hot(_LATEST)
# PostgreSQL, a message with text and no files: the same read and, in an open conversation where
# the client id was not sent before, the slot taken and the message written, in one statement
# (one round trip instead of two). The visitor's row lock, taken before, keeps the read current.
_LATEST_CTE = _LATEST.cte("latest")
_OPEN_SLOT = (
    update(CONVERSATIONS)
    .where(
        CONVERSATIONS.c.id == _LATEST_CTE.c.id,
        _LATEST_CTE.c.sent_before.is_(None),
        or_(*(_LATEST_CTE.c.state == state for state in OPEN_STATES)),
    )
    .values(last_seq=CONVERSATIONS.c.last_seq + 1, updated_at=bindparam("now"))
    .returning(CONVERSATIONS.c.id, CONVERSATIONS.c.last_seq, CONVERSATIONS.c.state)
    .cte("slot")
)
LATEST_AND_APPEND = Hot(
    select(_LATEST_CTE, _OPEN_SLOT.c.last_seq, _OPEN_SLOT.c.state.label("slot_state"))
    .select_from(_LATEST_CTE.outerjoin(_OPEN_SLOT, true()))
    .add_cte(written_after(_OPEN_SLOT))
)
# A visitor's new conversation with its first message's slot taken (`last_seq` 1): every column
# given, as `Hot` runs no column defaults. Until commit the row is this transaction's alone.
INSERT_CONVERSATION = Hot(
    insert(CONVERSATIONS).values({c.name: bindparam(c.name) for c in CONVERSATIONS.c})
)
CONVERSATION_DEFAULTS: dict[str, object] = {c.name: None for c in CONVERSATIONS.c if c.nullable}
