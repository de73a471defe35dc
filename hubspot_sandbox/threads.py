"""Conversation threads: what happens when messages arrive, reps reply, threads close or move.

Every change here also tells the app (subscription webhooks) and, for a rep's reply, the custom
channel (its `webhookUrl`), as HubSpot does.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from hubspot_sandbox import objects, shapes
from hubspot_sandbox.errors import validation_error
from hubspot_sandbox.records import Channel, ChannelAccount, CrmObject, Message, Owner, Thread
from hubspot_sandbox.sandbox import Sandbox
from hubspot_sandbox.subscriptions import app_event, emit

JsonDict = dict[str, Any]


def resolve_attachments(sandbox: Sandbox, items: list[JsonDict]) -> list[JsonDict]:
    """`{type: FILE, fileId}` eggs → HubSpot's `PublicFile` with the file's name and URL."""
    resolved = []
    for item in items:
        if item.get("type") != "FILE":
            resolved.append(item)
            continue
        file_id = str(item.get("fileId", ""))
        stored = sandbox.store.files.get(file_id)
        if stored is None and not file_id.startswith(("http://", "https://")):
            raise validation_error(f"File {file_id} does not exist in this portal")
        usage = item.get("fileUsageType") or (
            "IMAGE" if stored and stored.content_type.startswith("image/") else "OTHER"
        )
        shape = {"type": "FILE", "fileId": file_id, "fileUsageType": usage}
        if stored is not None:
            shape |= {
                "name": stored.path.rsplit("/", 1)[-1],
                "url": shapes.file_url(
                    stored, sandbox.config.public_base_url, sandbox.config.portal_id
                ),
            }
        resolved.append(shape)
    return resolved


def visitor_contact(sandbox: Sandbox, visitor: JsonDict, pinned: str | None) -> CrmObject | None:
    """The contact a thread belongs to: the pinned id, else the visitor's email (created if new)."""
    store = sandbox.store
    if pinned:
        contact = store.objects["contacts"].get(pinned)
        if contact is None:
            raise validation_error(f"associateWithContactId {pinned} is not a contact")
        return contact
    identifier = visitor.get("deliveryIdentifier") or {}
    if identifier.get("type") != "HS_EMAIL_ADDRESS":
        return None
    existing = store.contact_by_email(identifier["value"])
    if existing is not None:
        return existing
    first, _, last = str(visitor.get("name") or "").partition(" ")
    names = {"firstname": first, "lastname": last} if first else {}
    return objects.create(store, "contacts", {"email": identifier["value"]} | names)


def open_thread(
    sandbox: Sandbox,
    account: ChannelAccount,
    integration_thread_id: str | None,
    visitor: JsonDict,
    contact: CrmObject | None,
) -> Thread:
    """The thread for (channel account, integrationThreadId), created on first use."""
    store = sandbox.store
    thread = store.thread_for(account.id, integration_thread_id) if integration_thread_id else None
    if thread is None and integration_thread_id is None:
        value = (visitor.get("deliveryIdentifier") or {}).get("value")
        thread = next(
            (
                t
                for t in store.threads.values()
                if t.status == "OPEN"
                and t.channel_account_id == account.id
                and (t.visitor or {}).get("deliveryIdentifier", {}).get("value") == value
            ),
            None,
        )
    if thread is None:
        thread = Thread(
            store.next_id("threads"),
            account.inbox_id,
            account.channel_id,
            account.id,
            sandbox.clock.now(),
            integration_thread_id,
            visitor=visitor,
        )
        store.threads[thread.id] = thread
        emit(sandbox, app_event(sandbox, "conversation.creation", thread.id, changeFlag="CREATED"))
    if contact is not None and not thread.contact_id:
        thread.contact_id = contact.id
    return thread


def find_published(sandbox: Sandbox, channel_id: str, idempotency_id: str | None) -> Message | None:
    if not idempotency_id:
        return None
    return next(
        (
            m
            for m in sandbox.store.messages.values()
            if m.channel_id == channel_id and m.idempotency_id == idempotency_id
        ),
        None,
    )


def publish(sandbox: Sandbox, channel: Channel, account: ChannelAccount, body: JsonDict) -> Message:
    """A message the integration publishes on its channel (visitor's, or its own outgoing)."""
    incoming = body["messageDirection"] == "INCOMING"
    visitor = (body["senders"] if incoming else body["recipients"])[0]
    pinned = body.get("associateWithContactId") or first_pre_resolved(body)
    contact = visitor_contact(sandbox, visitor, str(pinned) if pinned else None)
    thread = open_thread(sandbox, account, body.get("integrationThreadId"), visitor, contact)
    visitor_actor = f"V-{thread.contact_id}" if thread.contact_id else None
    senders = [participant(p, visitor_actor if incoming else None) for p in body["senders"]]
    recipients = [participant(p, None if incoming else visitor_actor) for p in body["recipients"]]
    message = Message(
        id=uuid.uuid4().hex,
        thread_id=thread.id,
        type="MESSAGE",
        text=body["text"],
        rich_text=body.get("richText"),
        created_at=sandbox.clock.now(),
        created_by=(visitor_actor if incoming and visitor_actor else f"I-{sandbox.config.app_id}"),
        client_type="INTEGRATION",
        integration_app_id=sandbox.config.app_id,
        direction=body["messageDirection"],
        attachments=resolve_attachments(sandbox, body.get("attachments") or []),
        senders=senders,
        recipients=recipients,
        channel_id=channel.id,
        channel_account_id=account.id,
        idempotency_id=body.get("integrationIdempotencyId"),
        in_reply_to_id=body.get("inReplyToId"),
    )
    if incoming and thread.status == "CLOSED":
        set_status(sandbox, thread, "OPEN")
    store_message(sandbox, thread, message)
    return message


def first_pre_resolved(body: JsonDict) -> Any:
    contacts = (body.get("preResolvedContacts") or {}).get("contacts") or []
    return contacts[0].get("contactVid") if contacts else None


def participant(p: JsonDict, actor_id: str | None) -> JsonDict:
    shape = {k: p[k] for k in ("name", "deliveryIdentifier") if p.get(k)}
    actor = p.get("senderActorId") or actor_id
    return shape | ({"actorId": actor} if actor else {})


def store_message(sandbox: Sandbox, thread: Thread, message: Message) -> None:
    thread.messages.append(message)
    sandbox.store.messages[message.id] = message
    emit(
        sandbox,
        app_event(
            sandbox,
            "conversation.newMessage",
            thread.id,
            messageId=message.id,
            messageType=message.type,
            changeFlag="NEW_MESSAGE",
        ),
    )


def add_comment(
    sandbox: Sandbox,
    thread: Thread,
    text: str,
    rich_text: str | None,
    attachments: list[JsonDict],
    author: str,
    client_type: str,
) -> Message:
    """An internal note on the thread, visible to reps only."""
    message = Message(
        id=uuid.uuid4().hex,
        thread_id=thread.id,
        type="COMMENT",
        text=text,
        rich_text=rich_text,
        created_at=sandbox.clock.now(),
        created_by=author,
        client_type=client_type,
        attachments=resolve_attachments(sandbox, attachments),
        senders=[{"actorId": author}],
        integration_app_id=sandbox.config.app_id if client_type == "INTEGRATION" else None,
    )
    store_message(sandbox, thread, message)
    return message


def agent_message(
    sandbox: Sandbox,
    thread: Thread,
    owner: Owner,
    text: str,
    rich_text: str | None,
    attachments: list[JsonDict],
    client_type: str,
    webhook_delay_s: float = 0.0,
) -> Message:
    """A rep's reply to the visitor; the custom channel receives it on its webhook (after
    `webhook_delay_s`, as a slow or retried delivery of HubSpot's arrives)."""
    account = sandbox.store.channel_accounts.get(thread.channel_account_id)
    sender: JsonDict = {"actorId": owner.actor_id, "name": owner.name}
    if account is not None and account.delivery_identifier:
        sender["deliveryIdentifier"] = account.delivery_identifier
    visitor = participant(
        thread.visitor or {}, f"V-{thread.contact_id}" if thread.contact_id else None
    )
    message = Message(
        id=uuid.uuid4().hex,
        thread_id=thread.id,
        type="MESSAGE",
        text=text,
        rich_text=rich_text,
        created_at=sandbox.clock.now(),
        created_by=owner.actor_id,
        client_type=client_type,
        direction="OUTGOING",
        attachments=resolve_attachments(sandbox, attachments),
        senders=[sender],
        recipients=[visitor] if visitor else [],
        channel_id=thread.channel_id,
        channel_account_id=thread.channel_account_id,
    )
    store_message(sandbox, thread, message)
    send_to_channel(sandbox, thread, message, webhook_delay_s)
    return message


def send_to_channel(
    sandbox: Sandbox, thread: Thread, message: Message, delay_s: float = 0.0
) -> None:
    channel = sandbox.store.channels.get(thread.channel_id)
    if channel is None or not channel.webhook_url or channel.archived:
        return
    payload = {
        "type": "OUTGOING_CHANNEL_MESSAGE_CREATED",
        "portalId": str(sandbox.config.portal_id),
        "channelId": channel.id,
        "channelIntegrationThreadIds": [thread.integration_thread_id]
        if thread.integration_thread_id
        else [],
        "message": shapes.message(message),
    }
    if delay_s > 0:
        send = sandbox.dispatcher.send_channel_event
        asyncio.get_running_loop().call_later(delay_s, send, channel.webhook_url, payload)
    else:
        sandbox.dispatcher.send_channel_event(channel.webhook_url, payload)


def set_status(sandbox: Sandbox, thread: Thread, status: str, source: str = "API") -> None:
    if thread.status == status:
        return
    thread.status = status
    thread.closed_at = sandbox.clock.now() if status == "CLOSED" else None
    emit(
        sandbox,
        app_event(
            sandbox,
            "conversation.propertyChange",
            thread.id,
            propertyName="status",
            propertyValue=status,
            changeSource=source,
        ),
    )


def assign(sandbox: Sandbox, thread: Thread, owner: Owner | None, source: str = "API") -> None:
    thread.assigned_to = owner.actor_id if owner else None
    emit(
        sandbox,
        app_event(
            sandbox,
            "conversation.propertyChange",
            thread.id,
            propertyName="assignedTo",
            propertyValue=str(owner.user_id) if owner else "",
            changeSource=source,
        ),
    )
