"""Wire shapes of our rows (snake_case JSON), shared by HTTP answers and WebSocket frames."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from .files import attachment_signature
from .models import Attachment, Conversation, Message, Organization, Visitor

API_PREFIX = "/api/widget/v1"


def attachment_payload(attachment: Attachment, url_secret: str) -> dict[str, Any]:
    sig = attachment_signature(url_secret, attachment.id)
    return {
        "id": attachment.id,
        "name": attachment.name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "url": f"{API_PREFIX}/attachments/{attachment.id}/{quote(attachment.name)}?sig={sig}",
    }


def message_payload(
    message: Message, attachments: Sequence[Attachment], url_secret: str
) -> dict[str, Any]:
    return {
        "id": message.id,
        "conversation_id": message.conversation_id,
        "seq": message.seq,
        "role": message.role,
        "text": message.text,
        "author_name": message.author_name,
        "created_at": message.created_at.isoformat(),
        "client_id": message.client_id,
        "attachments": [attachment_payload(a, url_secret) for a in attachments],
        "component": message.component,
        "sources": [
            {"title": s.get("title", ""), "heading": s.get("heading", "")}
            for s in message.sources or []
        ],
    }


def conversation_payload(conversation: Conversation) -> dict[str, Any]:
    return {
        "id": conversation.id,
        "state": conversation.state,
        "assignee": conversation.assignee,
        "created_at": conversation.created_at.isoformat(),
        "closed_by": conversation.closed_by,
        "csat_score": conversation.csat_score,
    }


def visitor_payload(visitor: Visitor) -> dict[str, Any]:
    return {
        "id": visitor.id,
        "name": visitor.name,
        "email": visitor.email,
        "verified": visitor.verified,
    }


def widget_config(
    organization: Organization, max_upload_bytes: int, max_text: int
) -> dict[str, Any]:
    return {
        "widget_key": organization.widget_key,
        "name": organization.name,
        "theme_color": organization.theme_color,
        "greeting": organization.greeting,
        "position": organization.position,
        "max_upload_bytes": max_upload_bytes,
        "max_text_length": max_text,
        "strings": dict(organization.strings),
    }
