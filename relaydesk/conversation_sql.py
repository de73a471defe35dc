"""The statements of a visitor's message (`conversations.post_visitor_message`), built once and
run with bound values (`hot_sql.Hot`, as in `messages.py`)."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import (
    Integer,
    Table,
    bindparam,
    insert,
    literal,
    or_,
    select,
    true,
    union_all,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from .hot_sql import Hot
from .messages import (
    CONVERSATIONS,
    MESSAGES,
    Effects,
    Slot,
    appended,
    message_values,
    written_after,
)
from .models import ConversationState, Message, Role, Visitor, new_id

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
# PostgreSQL, a message with text and no files: the same read and, unless the client id was
# sent before, the message written in one statement (one round trip instead of two to four): in
# the latest conversation while it is open, its slot taken; else in a new AI conversation, written
# with its first slot taken. The visitor's row lock, taken before, keeps the read current.
LATEST = _LATEST.cte("latest")
_OPEN_SLOT = (
    update(CONVERSATIONS)
    .where(
        CONVERSATIONS.c.id == LATEST.c.id,
        LATEST.c.sent_before.is_(None),
        or_(*(LATEST.c.state == state for state in OPEN_STATES)),
    )
    .values(last_seq=CONVERSATIONS.c.last_seq + 1, updated_at=bindparam("now"))
    .returning(CONVERSATIONS.c.id, CONVERSATIONS.c.last_seq, CONVERSATIONS.c.state)
    .cte("slot")
)
_NEW_VALUES = {  # the columns a new conversation does not leave empty
    "id": bindparam("new_conversation_id", type_=CONVERSATIONS.c.id.type),
    "organization_id": bindparam("organization_id", type_=CONVERSATIONS.c.organization_id.type),
    "visitor_id": bindparam("visitor_id"),
    "state": literal(ConversationState.AI, CONVERSATIONS.c.state.type),
    "custom_data": bindparam("custom_data", type_=CONVERSATIONS.c.custom_data.type),
    "last_seq": literal(1, Integer),
    "read_seq": literal(0, Integer),
    "mailed_seq": literal(0, Integer),
    "created_at": bindparam("now"),
    "updated_at": bindparam("now"),
}
_KEPT = (
    select(LATEST.c.id)
    .where(
        or_(
            LATEST.c.sent_before.is_not(None),
            *(LATEST.c.state == state for state in OPEN_STATES),
        )
    )
    .exists()
)
_NEW = (
    insert(CONVERSATIONS)
    .from_select(list(_NEW_VALUES), select(*_NEW_VALUES.values()).where(~_KEPT))
    .returning(CONVERSATIONS.c.id, CONVERSATIONS.c.last_seq, CONVERSATIONS.c.state)
    .cte("new")
)
TAKEN = union_all(
    select(_OPEN_SLOT.c.id, _OPEN_SLOT.c.last_seq, _OPEN_SLOT.c.state),
    select(_NEW.c.id, _NEW.c.last_seq, _NEW.c.state),
).cte("taken")


ONE_ROW = select(literal(1, Integer).label("one")).subquery("one")  # with or without latest
# What the statement answers (`appended_slot` reads it), from a row whether or not it wrote.
APPENDED = (
    LATEST.c.sent_before,
    TAKEN.c.id.label("slot_id"),
    TAKEN.c.last_seq,
    TAKEN.c.state.label("slot_state"),
)
APPENDED_FROM = ONE_ROW.outerjoin(LATEST, true()).outerjoin(TAKEN, true())
LATEST_AND_APPEND = Hot(select(*APPENDED).select_from(APPENDED_FROM).add_cte(written_after(TAKEN)))


# A visitor's new conversation with its first message's slot taken (`last_seq` 1): every column
# given, as `Hot` runs no column defaults. Until commit the row is this transaction's alone.
INSERT_CONVERSATION = Hot(
    insert(CONVERSATIONS).values({c.name: bindparam(c.name) for c in CONVERSATIONS.c})
)
CONVERSATION_DEFAULTS: dict[str, object] = {c.name: None for c in CONVERSATIONS.c if c.nullable}


async def append_to_latest(
    session: AsyncSession,
    effects: Effects,
    visitor_id: str,
    organization_id: str,
    text: str,
    fields: dict[str, Any],
) -> tuple[Any, tuple[Slot, Message] | None]:
    """`LATEST_AND_APPEND`: whether the client id was sent before, else the message written (in
    the open conversation, or a new one)."""
    values, parameters = append_parameters(visitor_id, organization_id, text, fields)
    latest = await LATEST_AND_APPEND.first(session, parameters)
    return latest, appended_slot(session, effects, latest, visitor_id, values)


def append_parameters(
    visitor_id: str, organization_id: str, text: str, fields: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The message's values, and the parameters of a statement that appends it (`APPENDED`)."""
    values = message_values("", 0, Role.VISITOR, text, fields)
    ids = {"visitor_id": visitor_id, "organization_id": organization_id}
    new = {"new_conversation_id": new_id(), "custom_data": {}, "now": values["created_at"]}
    return values, values | ids | new


def appended_slot(
    session: AsyncSession, effects: Effects, latest: Any, visitor_id: str, values: dict[str, Any]
) -> tuple[Slot, Message] | None:
    """The slot and the message an `APPENDED` row says were written; None if none was."""
    if latest.last_seq is None:
        return None
    slot = Slot(str(latest.slot_id), visitor_id, latest.last_seq, latest.slot_state)
    return slot, appended(session, effects, slot, values)
