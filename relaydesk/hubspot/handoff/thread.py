"""The transcript on the custom channel: our messages in `seq` order, each one's files uploaded
just before it.

A message whose files are more than one channel message may carry (count, bytes in all) is
published in parts, in order. A file the channel cannot take (its type or size, or HubSpot
refusing its upload or the message carrying it) is not attached: the message's text names it
with the reason, and so does the ticket's transcript.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ...files import MessageLimits
from ...models import Attachment, Conversation, Message, Role, utcnow
from ..api.errors import BadRequest
from ..api.shapes import Message as HubSpotMessage
from . import markers
from .context import Loaded, Portal, StepContext, StepRefused, load, store_values
from .create_once import create_once
from .rendering import PUBLISHED_ROLES, message_text, publish_body, refusal_lines


async def unpublished(
    session: AsyncSession,
    conversation_id: str,
    message_id: str | None = None,
    roles: tuple[str, ...] = PUBLISHED_ROLES,
) -> list[tuple[Message, list[Attachment]]]:
    query = select(Message).where(
        Message.conversation_id == conversation_id,
        Message.role.in_(roles),
        Message.hubspot_message_id.is_(None),
    )
    if message_id is not None:
        query = query.where(Message.id == message_id)
    messages = list(await session.scalars(query.order_by(Message.seq)))
    if not messages:
        return []
    files = await session.scalars(
        select(Attachment)
        .where(Attachment.message_id.in_([m.id for m in messages]))
        .order_by(Attachment.created_at, Attachment.id)
    )
    grouped: dict[str, list[Attachment]] = {}
    for attachment in files:
        grouped.setdefault(attachment.message_id or "", []).append(attachment)
    return [(m, grouped.get(m.id, [])) for m in messages]


def size_text(size: int) -> str:
    return f"{round(size / 1048576, 1):g} MB" if size >= 1048576 else f"{-(-size // 1024)} KB"


def refusal(attachment: Attachment, limits: MessageLimits) -> str | None:
    """Why the channel cannot carry this file, by the capabilities it declares; None if it can."""
    if attachment.content_type not in limits.types:
        return f"HubSpot's chat channel does not take {attachment.content_type} files"
    largest = min(limits.file_bytes, limits.total_bytes)
    if attachment.size > largest:
        return f"it is larger than the {size_text(largest)} per file HubSpot's chat channel takes"
    return None


async def refuse(sync: StepContext, attachment: Attachment, why: str) -> None:
    attachment.hubspot_refusal = why
    await store_values(sync, Attachment, attachment.id, hubspot_refusal=why)


async def upload_files(sync: StepContext, portal: Portal, attachments: list[Attachment]) -> None:
    """Each file the channel can carry to the File Manager (private) once; the id is stored
    before it is used. The start of an upload is committed first, so a run after a crash looks
    for the file (named after the attachment's id) before uploading it again."""
    for attachment in attachments:
        if attachment.hubspot_file_id or attachment.hubspot_refusal:
            continue
        why = refusal(attachment, sync.limits)
        if why is not None:
            await refuse(sync, attachment, why)
            continue
        try:
            file_id = await upload_once(sync, portal, attachment)
        except BadRequest as refused:
            await refuse(sync, attachment, f"HubSpot refused the upload: {refused.message}")
            continue
        attachment.hubspot_file_id = file_id
        await store_values(sync, Attachment, attachment.id, hubspot_file_id=file_id)


async def upload_once(sync: StepContext, portal: Portal, attachment: Attachment) -> str:
    """The file's id in HubSpot: an interrupted upload's file, found by the attachment's id in
    its name, or a new upload."""

    async def find() -> str | None:
        for found in await portal.client.search_files(attachment.id):
            if (found.name or "").startswith(attachment.id):
                return found.id
        return None

    async def begin() -> None:
        attachment.hubspot_upload_started_at = started = utcnow()
        await store_values(sync, Attachment, attachment.id, hubspot_upload_started_at=started)

    async def upload() -> str:
        data = await sync.files.get(attachment.storage_key)
        name = f"{attachment.id}-{attachment.name}"
        return (await portal.client.upload_file(name, data, attachment.content_type)).id

    began, grace = attachment.hubspot_upload_started_at, sync.options.search_grace_s
    return await create_once(
        began, find, upload, grace_s=grace, begin=begin, index="HubSpot's file index"
    )


def file_batches(files: list[Attachment], limits: MessageLimits) -> list[list[Attachment]]:
    """The files in order, cut into as few channel messages as the count and total allow."""
    batches: list[list[Attachment]] = [[]]
    for attachment in files:
        batch = batches[-1]
        if batch and (
            len(batch) >= limits.files
            or sum(a.size for a in batch) + attachment.size > limits.total_bytes
        ):
            batches.append(batch := [])
        batch.append(attachment)
    return batches


@dataclass(frozen=True)
class Part:
    """One channel message of ours: the first carries the text, later ones more files."""

    index: int
    files: list[Attachment]
    text: str


def parts_of(message: Message, attachments: list[Attachment], limits: MessageLimits) -> list[Part]:
    """The channel messages `message` becomes. The batches are cut over every uploaded file,
    so a file refused at publish does not move the others into other parts on a later run."""
    uploaded = [a for a in attachments if a.hubspot_file_id]
    never = [a for a in attachments if not a.hubspot_file_id]
    batches = file_batches(uploaded, limits)
    parts, start = [], 0
    for index, batch in enumerate(batches):
        if index == 0:
            lines = [message_text(message, attachments), *refusal_lines(never)]
        else:
            lines = [
                f"More files of this message ({start + 1}-{start + len(batch)} of {len(uploaded)})"
            ]
        parts.append(Part(index, batch, "\n".join([*lines, *refusal_lines(batch)])))
        start += len(batch)
    return parts


async def publish_one(
    sync: StepContext, portal: Portal, loaded: Loaded, message: Message, files: list[Attachment]
) -> tuple[str, str | None]:
    """Publish one message (in parts when needed): HubSpot's id of its first part, the thread."""
    assert portal.channel_id and portal.channel_account_id
    channel_id, account_id = portal.channel_id, portal.channel_account_id
    await upload_files(sync, portal, files)

    async def publish(index: int) -> HubSpotMessage:
        part = parts_of(message, files, sync.limits)[index]
        contact_id = loaded.conversation.hubspot_contact_id
        body = publish_body(
            message, part.files, loaded.visitor, account_id, contact_id, portal.look.ai_name,
            text=part.text, part=part.index,
        )  # fmt: skip
        return await portal.client.publish_message(channel_id, body)

    first_id, thread_id = "", loaded.conversation.hubspot_thread_id
    for index in range(len(parts_of(message, files, sync.limits))):
        try:
            published = await publish(index)
        except BadRequest as refused:
            attached = [a for a in parts_of(message, files, sync.limits)[index].files]
            attached = [a for a in attached if not a.hubspot_refusal]
            if not attached:
                raise
            # HubSpot would not take the message with these files: it goes without them.
            for attachment in attached:
                await refuse(sync, attachment, f"HubSpot refused it: {refused.message}")
            published = await publish(index)
        first_id = first_id or published.id
        if thread_id is None and published.conversations_thread_id:
            thread_id = published.conversations_thread_id
            await store_thread(sync, loaded.conversation.id, thread_id)
    return first_id, thread_id


async def store_thread(sync: StepContext, conversation_id: str, thread_id: str) -> None:
    async with sync.sessions() as session:
        await session.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id, Conversation.hubspot_thread_id.is_(None))
            .values(hubspot_thread_id=thread_id)
        )
        await session.commit()


async def publish_messages(
    sync: StepContext, portal: Portal, conversation_id: str, message_id: str | None = None
) -> str | None:
    """Publish what is not in HubSpot yet, in `seq` order; returns the thread id."""
    async with sync.sessions() as session:
        loaded = await load(session, conversation_id)
        pending = await unpublished(session, conversation_id, message_id)
        if not pending and message_id is None and not loaded.conversation.hubspot_thread_id:
            # Handed off before a word was written (the widget's "talk to a person" button):
            # what the visitor was told opens the thread, so there is an inbox conversation
            # for their first message and the rep's reply.
            pending = await unpublished(session, conversation_id, roles=(Role.SYSTEM,))
    thread_id = loaded.conversation.hubspot_thread_id
    for message, attachments in pending:
        hubspot_id, thread_id = await publish_one(sync, portal, loaded, message, attachments)
        loaded.conversation.hubspot_thread_id = thread_id
        await store_values(sync, Message, message.id, hubspot_message_id=hubspot_id)
    return thread_id


async def thread_step(sync: StepContext, portal: Portal, conversation_id: str) -> str:
    thread_id = await publish_messages(sync, portal, conversation_id)
    if thread_id is None:
        raise StepRefused("the conversation has no message to publish")
    async with sync.sessions() as session:
        await markers.finish(session, conversation_id, "thread", thread_id)
        await session.commit()
    return thread_id
