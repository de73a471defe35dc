"""PostgreSQL: a rep's plain reply written by one statement, in no transaction of its own.

For a reply `ready_reply` found writable at once, one statement of data-modifying WITHs takes the
conversation's next `seq` (and, after a handoff, makes the conversation the rep's), writes the
message, stores the delivery settled and, when a widget of the visitor is connected, queues SENT.
It runs outside a transaction: one statement commits whole or not at all, and it saves the round
trips of BEGIN, COMMIT and three other statements, each a wait on the server.

It writes everything or nothing. Nothing when the conversation is closed or gone, or the delivery
is a redelivery: the caller then takes the usual way, which tells these apart. Two deliveries of
one reply at once cannot both write: the second breaks the delivery's unique key and is, again,
left to the usual way.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, case, exists, func, literal, select, true, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ... import events
from ...handoffs import announce_taken_over
from ...hot_sql import Hot, outside_transaction
from ...messages import (
    CONVERSATIONS,
    Effects,
    Slot,
    appended,
    message_values,
    unsaved_message,
    written_after,
)
from ...models import (
    ConversationState,
    DeliveryState,
    Message,
    OutboxJob,
    Role,
    WebhookDelivery,
)
from ...outbox import ClaimedJob, hand_over, wake_after_commit
from ...outbox_sql import LEASED_COLUMNS, leased_row
from ...payloads import STATE_FRAME_COLUMNS
from .delivery_status import KIND, SENT, dedupe_key, report_job
from .parse import Received
from .rep_replies import Ready, later_than
from .reply_order import move_to_end
from .store import Inbound, JSONText, delivery_row
from .unlooked_sql import sent_payload, unlooked_checks

DELIVERIES = cast(Table, WebhookDelivery.__table__)
JOBS = cast(Table, OutboxJob.__table__)
AWAITING_A_REP = (ConversationState.AI, ConversationState.PENDING_HUMAN)
HUMAN = ConversationState.HUMAN.value
DELIVERY_COLUMNS = ["id", "organization_id", "external_id", "source", "event_type", "payload"]
DELIVERY_COLUMNS += ["state", "error", "received_at", "processed_at"]


@functools.cache
def statement(text: bool, job: str | None, looked_up: bool = True) -> Hot:
    """`text`: the delivery's payload is the event's own JSON text; `job`: SENT's job written
    "leased" to this process's worker, or "pending", or None (no widget connected).
    `looked_up=False`: no lookup ran before it, and the statement makes its checks
    (`reply_unlooked`); SENT's payload then takes the organization from the conversation."""
    conversations = CONVERSATIONS.c
    prior = select(conversations.state, conversations.last_seq).where(
        conversations.id == bindparam("conversation_id")
    )
    prior_cte = prior.cte("prior")  # the statement's snapshot: the state before this reply
    redelivered = exists().where(DELIVERIES.c.external_id == bindparam("delivery_external_id"))
    awaiting = conversations.state.in_([literal(state.value) for state in AWAITING_A_REP])
    checks = [
        conversations.id == bindparam("conversation_id"),
        conversations.state != literal(ConversationState.CLOSED.value),
        ~redelivered,
    ]
    if not looked_up:
        checks += unlooked_checks()
    slot = (
        update(CONVERSATIONS)
        .where(*checks)
        .values(
            last_seq=conversations.last_seq + 1,
            updated_at=bindparam("now"),
            state=case(
                (awaiting, literal(ConversationState.HUMAN.value)), else_=conversations.state
            ),
            assignee=case(
                (awaiting, func.coalesce(conversations.assignee, bindparam("assignee"))),
                else_=conversations.assignee,
            ),
        )
        .returning(
            conversations.last_seq,
            conversations.organization_id,
            *(conversations[n] for n in STATE_FRAME_COLUMNS),
        )
        .cte("slot")
    )
    delivery = DELIVERIES.c
    payload_type = JSONText() if text else delivery.payload.type
    stored = select(
        *(
            bindparam(f"delivery_{name}", type_=payload_type if name == "payload" else type_)
            for name, type_ in ((name, delivery[name].type) for name in DELIVERY_COLUMNS)
        )
    ).select_from(slot)
    settled = DELIVERIES.insert().from_select(DELIVERY_COLUMNS, stored).cte("delivery")
    query = (
        select(
            *slot.c, prior_cte.c.state.label("prior_state"), prior_cte.c.last_seq.label("prior_seq")
        )
        .select_from(slot.join(prior_cte, true()))
        .add_cte(written_after(slot), settled)
    )
    if job is not None:
        payload = None if looked_up else sent_payload(slot.c.organization_id)
        row = leased_row("job_", leased=job == "leased", payload=payload).select_from(slot)
        queued = pg_insert(JOBS).from_select(LEASED_COLUMNS, row)
        queued = queued.on_conflict_do_nothing(index_elements=["dedupe_key"])
        jobs = queued.returning(JOBS.c.id.label("job_id"), JOBS.c.state.label("job_state"))
        written = jobs.cte("job")
        query = query.add_columns(written.c.job_id, written.c.job_state)
        query = query.outerjoin(written, true())
    return Hot(query, begins=False)


async def write_at_once(
    inbound: Inbound,
    session: AsyncSession,
    event: Received,
    organization_id: str | None,
    ready: Ready,
) -> bool:
    """Write `ready` by one statement, its frames pushed after the caller's commit; False when
    nothing was written (not PostgreSQL, a transaction already begun, or the statement found
    the conversation closed or gone, or the delivery stored before): take the usual way."""
    target, message = ready.target, ready.message
    created, latest = message.created_at, target.latest_reply_at
    if created is not None and latest is not None and latest > created:
        return False  # it goes before a reply written already: the usual way orders them
    if not await outside_transaction(session):
        return False
    fields: dict[str, Any] = dict(author_name=ready.name, hubspot_message_id=message.id)
    if message.created_at is not None:
        fields["created_at"] = message.created_at
    values = message_values(target.conversation_id, 0, Role.AGENT, message.text, fields)
    params = values | {"now": values["created_at"], "assignee": ready.name}
    delivery = delivery_row("channel", event, organization_id, DeliveryState.DONE)
    params |= {f"delivery_{name}": value for name, value in delivery.items()}
    effects = inbound.effects
    job = await sent_job(
        inbound, params, unsaved_message(values), target.visitor_id, target.organization_id,
        delivery["received_at"],
    )  # fmt: skip
    try:
        row = await statement(event.text is not None, job).first(session, params)
    except IntegrityError:  # the same reply, written by a delivery at the same moment
        return False
    if row is None:
        return False
    slot = announce_written(
        session, effects, row, values, job, params["job_payload"] if job else {}
    )
    if moved := await later_than(session, slot, message, target.last_seq, target.latest_reply_at):
        await move_to_end(session, effects, slot.conversation_id, moved)
    return True


def announce_written(
    session: AsyncSession,
    effects: Effects,
    row: Any,
    values: dict[str, Any],
    job: str | None,
    job_payload: dict[str, Any],
) -> Slot:
    """What the statement wrote (`row`), pushed and handed on after the caller's commit: the
    message, the conversation taken over by the rep, SENT's job to this process's worker."""
    slot = Slot(values["conversation_id"], row.visitor_id, row.last_seq, row.prior_state)
    appended(session, effects, slot, values)
    if row.prior_state in AWAITING_A_REP and row.state == ConversationState.HUMAN:
        announce_taken_over(session, effects, row)
    if job == "leased" and row.job_state == "running" and effects.wakeup.runner is not None:
        claimed = ClaimedJob(row.job_id, KIND, job_payload, 1)
        hand_over(session, effects.wakeup.runner, claimed)
    elif job is not None and row.job_id is not None:
        wake_after_commit(session, effects.wakeup, KIND)
    return slot


async def sent_job(
    inbound: Inbound,
    params: dict[str, Any],
    reply: Message,
    visitor_id: str,
    organization_id: str | None,
    now: datetime,
) -> str | None:
    """SENT's job in `params`, with a widget of the visitor connected here: leased to this
    process's worker when it has room (as `outbox.enqueue`'s `run_here`), else pending."""
    if not await inbound.effects.hub.online(events.visitor_channel(visitor_id)):
        return None
    payload, ordering_key = report_job(reply, SENT, organization_id)
    params |= {
        "job_kind": KIND,
        "job_payload": payload,
        "job_ordering_key": ordering_key,
        "job_dedupe_key": dedupe_key(SENT, reply.id),
        "job_organization_id": None,
        "job_run_after": now,
        "job_created_at": now,
        "job_updated_at": now,
    }
    runner = inbound.effects.wakeup.runner
    if runner is None or not runner.has_room(KIND):
        return "pending"
    params["job_until"] = now + timedelta(seconds=runner.lease_s)
    return "leased"
