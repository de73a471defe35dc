"""PostgreSQL: a visitor message written and what the brain needs to answer it read, in one
statement, for a brain that answers in the message's own transaction (`ReplyJob.answer_now`).

`conversation_sql.LATEST_AND_APPEND` reads the visitor's latest conversation and writes the
message in its slot (or in a new conversation); reading what the brain needs, its turns with it
(`reply_sql.TO_ANSWER_NOW`), was the next round trip. Here the same statement reads it by the
ids the message already has (its organization, its visitor) and the slot it took. A WITH that
writes is invisible to the rest of its statement, so the read sees the conversation as it was
before the message: the message is the newest turn, known without reading it, the state is the
one its slot returned (a new conversation's is `ai`), and it has no answer yet. The visitor's
lock, taken before in the same transaction, is the only other write, and it is seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import String, bindparam, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from ..conversation_sql import APPENDED, APPENDED_FROM, TAKEN, append_parameters, appended_slot
from ..hot_sql import Hot
from ..messages import MESSAGES, Effects, Slot, written_after
from ..models import (
    AiAction,
    ConversationState,
    HandoffSettings,
    Message,
    Organization,
    Role,
    Visitor,
)
from ..outbox_sql import job_waiting
from .configuration import POLICY_COLUMNS
from .reply_sql import HISTORY_TURNS


@dataclass(frozen=True)
class ReadWithMessage:
    """What answering the message needs as `reply_sql.to_answer` gives it: the row and the
    turns, newest first; None when there is nothing to answer here."""

    found: tuple[Any, list[Any]] | None


class Turn(NamedTuple):
    """The message itself as a turn (the statement's read cannot see it)."""

    role: Role
    text: str
    sources: Any
    component: Any


_HAS_ACTIONS = (
    select(AiAction.id)
    .where(AiAction.organization_id == bindparam("organization_id"), AiAction.enabled.is_(True))
    .exists()
)
# The organization, the visitor and the handoff settings, as `reply_sql._to_answer` reads them.
_ABOUT = (
    select(
        Organization.name,
        Organization.kb_version,
        Visitor.email,
        Visitor.locale,
        HandoffSettings.organization_id.label("has_settings"),
        *(getattr(HandoffSettings, name) for name in POLICY_COLUMNS),
    )
    .select_from(Organization)
    .join(Visitor, Visitor.id == bindparam("visitor_id"))
    .outerjoin(HandoffSettings, HandoffSettings.organization_id == Organization.id)
    .where(Organization.id == bindparam("organization_id"))
    .subquery("about")
)
# The turns before the message, newest first: with it, the latest `HISTORY_TURNS`.
_EARLIER = (
    select(MESSAGES.c.role, MESSAGES.c.text, MESSAGES.c.sources, MESSAGES.c.component)
    .add_columns(MESSAGES.c.seq.label("turn_seq"))
    .where(MESSAGES.c.conversation_id == TAKEN.c.id, MESSAGES.c.seq < TAKEN.c.last_seq)
    .order_by(MESSAGES.c.seq.desc())
    .limit(HISTORY_TURNS - 1)
    .lateral("turns")
)
LATEST_APPEND_AND_READ = Hot(
    select(
        *APPENDED,
        bindparam("visitor_id", type_=String).label("visitor_id"),
        bindparam("organization_id", type_=String).label("organization_id"),
        *_ABOUT.c,
        _HAS_ACTIONS.label("has_actions"),
        job_waiting(TAKEN.c.id).label("job_waiting"),
        *(_EARLIER.c[name] for name in ("role", "text", "sources", "component")),
    )
    .select_from(
        APPENDED_FROM.outerjoin(_ABOUT, TAKEN.c.id.is_not(None)).outerjoin(_EARLIER, true())
    )
    .add_cte(written_after(TAKEN))
    .order_by(_EARLIER.c.turn_seq.desc())
)


async def append_and_read(
    session: AsyncSession,
    effects: Effects,
    visitor_id: str,
    organization_id: str,
    text: str,
    fields: dict[str, Any],
) -> tuple[Any, tuple[Slot, Message] | None, ReadWithMessage]:
    """`conversation_sql.append_to_latest`'s answer, and what answering the message needs."""
    values, parameters = append_parameters(visitor_id, organization_id, text, fields)
    rows = await LATEST_APPEND_AND_READ.rows(session, parameters)
    latest = rows[0]
    written = appended_slot(session, effects, latest, visitor_id, values)
    # As `TO_ANSWER_NOW`: an action calls another server, and a waiting job goes first.
    if written is None or written[0].state != ConversationState.AI:
        return latest, written, ReadWithMessage(None)
    if latest.has_actions or latest.job_waiting:
        return latest, written, ReadWithMessage(None)
    itself = Turn(Role.VISITOR, text, values["sources"], values["component"])
    return latest, written, ReadWithMessage((latest, [itself, *(r for r in rows if r.role)]))
