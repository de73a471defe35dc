"""A rep's plain reply written with no lookup before it.

PostgreSQL: `reply_at_once` writes a reply by one statement after the lookup that finds its
conversation: two waits on the server. When the event names the conversation (our integration
thread id) and the visitor it is for (the reply's recipient), the statement can make the lookup's
checks itself (`unlooked_sql`): one wait. It writes everything or nothing; nothing when a check
fails (another portal, another visitor, a message already ours, a later reply at the
conversation's end) or the conversation is closed or the delivery stored before, and the caller
then takes the usual way, which looks the conversation up and tells these apart.

SQLite: the statement that takes the conversation's next `seq` makes those checks
(`TAKE_UNLOOKED`), and the reply is written at that `seq` as after a lookup: one statement fewer.
When a check fails nothing was written; when the delivery turns out to be stored before, the
`seq` is given back. Either way the caller takes the usual way.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ...db import dialect_of
from ...hot_sql import outside_transaction
from ...messages import Slot, message_values, unsaved_message
from ...models import DeliveryState, Role
from ...models.core import utcnow
from ..api.shapes import Message as HubSpotMessage
from .delivery_status import SENT, report_job
from .parse import REP_MESSAGE, Received
from .rep_replies import later_than, write_reply
from .reply_at_once import announce_written, sent_job, statement
from .reply_order import move_to_end
from .store import Inbound, delivery_row, store
from .thread_lookup import Target
from .unlooked_sql import GIVE_BACK, TAKE_UNLOOKED


async def write_unlooked(
    inbound: Inbound, session: AsyncSession, event: Received, organization_id: str | None
) -> bool:
    """Write the reply `event` carries with no lookup before it, its frames pushed after the
    caller's commit; False when nothing was written (not a plain reply that names its
    conversation and visitor, PostgreSQL inside a transaction, or a check failed): take the
    usual way."""
    channel = event.channel
    message = channel.message if channel is not None else None
    if event.event_type != REP_MESSAGE or channel is None or message is None:
        return False
    here = dialect_of(session) == "sqlite"
    if not here and not await outside_transaction(session):
        return False  # a transaction begun: asked first, before reading the event
    ours = [i for i in channel.channel_integration_thread_ids if i]
    visitor_id, portal_id = message.recipient_id, channel.portal_id
    if len(ours) != 1 or not (visitor_id and portal_id) or organization_id is not None:
        return False
    if message.from_integration or message.attachments or message.created_at is None:
        return False
    name = message.sender_name or inbound.known_actor(portal_id, message.sender_actor)
    if name is None and message.sender_actor:
        return False  # the rep's name takes a call to HubSpot: the delivery's job asks
    if here:
        where = (ours[0], visitor_id, portal_id)
        return await _write_at_unlooked_slot(inbound, session, event, message, where, name)
    fields = dict(author_name=name, hubspot_message_id=message.id, created_at=message.created_at)
    values = message_values(ours[0], 0, Role.AGENT, message.text, fields)
    params = values | {"now": values["created_at"], "assignee": name}
    params |= {"portal_id": portal_id, "visitor_id": visitor_id}
    delivery = delivery_row("channel", event, None, DeliveryState.DONE)
    params |= {f"delivery_{column}": value for column, value in delivery.items()}
    reply = unsaved_message(values)
    job = await sent_job(inbound, params, reply, visitor_id, None, delivery["received_at"])
    try:
        row = await statement(event.text is not None, job, False).first(session, params)
    except IntegrityError:  # the same reply, written by a delivery at the same moment
        return False
    if row is None:
        return False
    # SENT's payload as the statement wrote it, the organization the conversation's.
    payload = report_job(reply, SENT, row.organization_id)[0] if job is not None else {}
    slot = announce_written(session, inbound.effects, row, values, job, payload)
    # The statement saw no later-created reply at the end; one written since its snapshot is
    # looked for, as after a lookup.
    if moved := await later_than(session, slot, message, row.prior_seq, None):
        await move_to_end(session, inbound.effects, slot.conversation_id, moved)
    return True


async def _write_at_unlooked_slot(
    inbound: Inbound,
    session: AsyncSession,
    event: Received,
    message: HubSpotMessage,
    where: tuple[str, str, str],
    name: str | None,
) -> bool:
    """SQLite: the conversation's next `seq` taken with the lookup's checks, the delivery stored
    settled, the reply written at that `seq`. `where`: the conversation, the visitor and the
    portal the event names."""
    conversation_id, visitor_id, portal_id = where
    checked: dict[str, Any] = {"portal_id": portal_id, "visitor_id": visitor_id}
    checked |= {"hubspot_message_id": message.id, "created_at": message.created_at}
    values = checked | {"conversation_id": conversation_id, "now": utcnow()}
    row = await TAKE_UNLOOKED.first(session, values)
    if row is None:
        return False
    if await store(session, "channel", event, None, DeliveryState.DONE) is None:
        await GIVE_BACK.rows(session, {"conversation_id": conversation_id, "seq": row.last_seq})
        return False  # stored before: the usual way tells a redelivery from a reply to write
    slot = Slot(conversation_id, row.visitor_id, row.last_seq, row.state)
    # What a lookup would have found: the checks saw no reply created later at the end.
    seen = Target(
        conversation_id, row.visitor_id, row.organization_id, portal_id, row.connection_id,
        last_seq=row.last_seq - 1,
    )  # fmt: skip
    await write_reply(session, inbound, seen, message, name, [], taken=slot)
    return True
