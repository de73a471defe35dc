"""The JSON HubSpot answers with, rendered from the sandbox's records."""

from __future__ import annotations

import zlib
from typing import Any

from hubspot_sandbox.clock import iso
from hubspot_sandbox.records import (
    Channel,
    ChannelAccount,
    CrmObject,
    Inbox,
    Message,
    Owner,
    Property,
    StoredFile,
    Thread,
)

JsonDict = dict[str, Any]

DEFAULT_PROPERTIES: dict[str, tuple[str, ...]] = {
    "contacts": (
        "createdate",
        "email",
        "firstname",
        "hs_object_id",
        "lastmodifieddate",
        "lastname",
    ),
    "tickets": (
        "content",
        "createdate",
        "hs_lastmodifieddate",
        "hs_object_id",
        "hs_pipeline",
        "hs_pipeline_stage",
        "hs_ticket_category",
        "hs_ticket_priority",
        "subject",
    ),
    "notes": ("hs_createdate", "hs_lastmodifieddate", "hs_object_id"),
}


def crm_object(
    obj: CrmObject, requested: list[str] | None = None, everything: bool = False
) -> JsonDict:
    """A `SimplePublicObject`; GETs return default plus requested properties, writes return all."""
    names = set(DEFAULT_PROPERTIES[obj.object_type]) | set(requested or [])
    properties = {k: v for k, v in obj.properties.items() if everything or k in names} | {
        k: None for k in names if k not in obj.properties and not everything
    }
    return {
        "id": obj.id,
        "properties": properties,
        "createdAt": iso(obj.created_at),
        "updatedAt": iso(obj.updated_at),
        "archived": obj.archived,
    }


def channel(ch: Channel) -> JsonDict:
    optional = {
        "webhookUrl": ch.webhook_url,
        "channelDescription": ch.description,
        "channelLogoUrl": ch.logo_url,
        "channelAccountConnectionRedirectUrl": ch.connection_redirect_url,
    }
    base = {
        "id": ch.id,
        "name": ch.name,
        "capabilities": ch.capabilities,
        "createdAt": iso(ch.created_at),
    }
    return base | {k: v for k, v in optional.items() if v is not None}


def channel_account(acc: ChannelAccount) -> JsonDict:
    shape = {
        "id": acc.id,
        "channelId": acc.channel_id,
        "inboxId": acc.inbox_id,
        "name": acc.name,
        "active": acc.authorized and not acc.archived,
        "authorized": acc.authorized,
        "archived": acc.archived,
        "createdAt": iso(acc.created_at),
    }
    if acc.delivery_identifier:
        shape["deliveryIdentifier"] = acc.delivery_identifier
    return shape


def thread(t: Thread, with_ticket: bool = False) -> JsonDict:
    shape: JsonDict = {
        "id": t.id,
        "inboxId": t.inbox_id,
        "status": t.status,
        "spam": False,
        "archived": t.archived,
        "createdAt": iso(t.created_at),
        "originalChannelId": t.channel_id,
        "originalChannelAccountId": t.channel_account_id,
        "associatedContactId": t.contact_id or "",
    }
    optional = {
        "closedAt": t.closed_at and iso(t.closed_at),
        "assignedTo": t.assigned_to,
        "latestMessageTimestamp": t.latest_message_at and iso(t.latest_message_at),
        "latestMessageReceivedTimestamp": latest(t, "INCOMING"),
        "latestMessageSentTimestamp": latest(t, "OUTGOING"),
    }
    shape.update({k: v for k, v in optional.items() if v})
    if with_ticket:
        shape["threadAssociations"] = {"associatedTicketId": t.ticket_id} if t.ticket_id else {}
    return shape


def latest(t: Thread, direction: str) -> str | None:
    times = [m.created_at for m in t.messages if m.direction == direction]
    return iso(max(times)) if times else None


def message(m: Message) -> JsonDict:
    shape: JsonDict = {
        "id": m.id,
        "type": m.type,
        "conversationsThreadId": m.thread_id,
        "text": m.text,
        "richText": m.rich_text if m.rich_text is not None else m.text,
        "attachments": m.attachments,
        "senders": m.senders,
        "recipients": m.recipients,
        "client": {"clientType": m.client_type}
        | ({"integrationAppId": m.integration_app_id} if m.integration_app_id else {}),
        "createdAt": iso(m.created_at),
        "createdBy": m.created_by,
        "archived": False,
    }
    if m.type == "MESSAGE":
        shape |= {
            "channelId": m.channel_id,
            "channelAccountId": m.channel_account_id,
            "direction": m.direction,
            "truncationStatus": "NOT_TRUNCATED",
        }
        optional = {"status": m.status, "inReplyToId": m.in_reply_to_id}
        shape.update({k: v for k, v in optional.items() if v})
    if m.updated_at:
        shape["updatedAt"] = iso(m.updated_at)
    return shape


def inbox(i: Inbox) -> JsonDict:
    return {
        "id": i.id,
        "name": i.name,
        "type": i.type,
        "archived": False,
        "createdAt": iso(i.created_at),
        "updatedAt": iso(i.created_at),
    }


def owner(o: Owner, created_at: float) -> JsonDict:
    return {
        "id": o.id,
        "email": o.email,
        "firstName": o.first_name,
        "lastName": o.last_name,
        "userId": o.user_id,
        "userIdIncludingInactive": o.user_id,
        "type": "PERSON",
        "createdAt": iso(created_at),
        "updatedAt": iso(created_at),
        "archived": False,
        "teams": [],
    }


def agent_actor(o: Owner) -> JsonDict:
    return {"id": o.actor_id, "type": "AGENT", "name": o.name, "email": o.email}


def pipeline(p: JsonDict, created_at: float) -> JsonDict:
    times = {"createdAt": iso(created_at), "updatedAt": iso(created_at), "archived": False}
    return (
        p
        | times
        | {
            "stages": [
                s | times | {"writePermissions": "CRM_PERMISSIONS_ENFORCEMENT"} for s in p["stages"]
            ]
        }
    )


def crm_property(p: Property) -> JsonDict:
    return {
        "name": p.name,
        "label": p.label,
        "type": p.type,
        "fieldType": p.field_type,
        "groupName": p.group_name,
        "options": p.options,
        "description": p.description,
        "hubspotDefined": p.hubspot_defined,
        "createdAt": iso(p.created_at),
        "updatedAt": iso(p.created_at),
        "archived": False,
        "calculated": False,
        "externalOptions": False,
        "hasUniqueValue": p.name == "email",
        "hidden": False,
        "formField": False,
        "displayOrder": -1,
    }


def file(f: StoredFile, base_url: str, portal_id: int) -> JsonDict:
    return {
        "id": f.id,
        "name": f.name,
        "extension": f.extension,
        "path": f.path,
        "parentFolderId": folder_id(f.folder_path),
        "size": len(f.content),
        "type": file_type(f.content_type),
        "access": f.access,
        "url": file_url(f, base_url, portal_id),
        "isUsableInContent": f.access.startswith("PUBLIC"),
        "createdAt": iso(f.created_at),
        "updatedAt": iso(f.created_at),
        "archived": False,
        "sourceGroup": "CONVERSATIONS" if "conversation" in f.folder_path.lower() else "CONTENT",
    }


def file_url(f: StoredFile, base_url: str, portal_id: int) -> str:
    if f.access.startswith("PUBLIC"):
        return f"{base_url}/hubfs/{portal_id}{f.path}"
    return f"{base_url}/files/v3/files/{f.id}/download"


def folder_id(folder_path: str) -> str:
    return str(zlib.crc32(folder_path.encode()))


def file_type(content_type: str) -> str:
    kind = content_type.split("/")[0]
    return {"image": "IMG", "audio": "AUDIO", "video": "MOVIE"}.get(
        kind, "DOCUMENT" if kind in {"text", "application"} else "OTHER"
    )
