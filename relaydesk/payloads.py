"""Wire shapes of our rows (snake_case JSON), shared by HTTP answers and WebSocket frames."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .models import Attachment, Conversation, Message, Organization, Visitor, utcnow
from .office_hours import availability, office_hours_of
from .widget_settings import avatar_name
from .widget_strings import widget_texts

if TYPE_CHECKING:
    from .attachment_urls import Links

API_PREFIX = "/api/widget/v1"


def attachment_payload(attachment: Attachment, links: Links) -> dict[str, Any]:
    """`url` is the viewer's own (`attachment_urls.py`); the widget's expire."""
    return {
        "id": attachment.id,
        "name": attachment.name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "url": links.url(attachment),
    }


# The columns of a message its wire shape shows.
MESSAGE_WIRE_COLUMNS = (
    "id",
    "conversation_id",
    "seq",
    "role",
    "text",
    "author_name",
    "created_at",
    "client_id",
    "component",
    "sources",
)


def message_payload(
    message: Message, attachments: Sequence[Attachment], links: Links
) -> dict[str, Any]:
    """A stored message's wire shape, from its row's attributes."""
    values = {name: getattr(message, name) for name in MESSAGE_WIRE_COLUMNS}
    return written_message_payload(values, attachments, links)


def written_message_payload(
    values: Mapping[str, Any], attachments: Sequence[Attachment], links: Links
) -> dict[str, Any]:
    """The same, from the column values a statement just wrote: no ORM attribute is read (ten
    of them cost ~30 us of a rep reply's CPU when the caches have gone cold)."""
    return {
        "id": values["id"],
        "conversation_id": values["conversation_id"],
        "seq": values["seq"],
        "role": values["role"],
        "text": values["text"],
        "author_name": values["author_name"],
        "created_at": values["created_at"].isoformat(),
        "client_id": values["client_id"],
        "attachments": [attachment_payload(a, links) for a in attachments],
        "component": values["component"],
        "sources": [
            {"title": s.get("title", ""), "heading": s.get("heading", "")}
            for s in values["sources"] or []
        ],
    }


# The columns `conversation_payload` reads, and the visitor whose widgets are told.
STATE_FRAME_COLUMNS = (
    "id",
    "visitor_id",
    "state",
    "assignee",
    "created_at",
    "closed_by",
    "csat_score",
)


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
    organization: Organization, max_upload_bytes: int, max_text: int, locale: str | None = None
) -> dict[str, Any]:
    """The widget's look and words for a browser of `locale` (its strings already translated)."""
    avatar = avatar_name(organization)
    return {
        "widget_key": organization.widget_key,
        "name": organization.name,
        "theme_color": organization.theme_color,
        "accent_text": text_colour_on(organization.theme_color),
        "theme": organization.widget_theme,
        "position": organization.position,
        "launcher_icon": launcher_icon(organization),
        "avatar_url": f"{API_PREFIX}/avatars/{organization.id}/{avatar}" if avatar else None,
        "notify_sound": organization.notify_sound,
        "max_upload_bytes": max_upload_bytes,
        "max_text_length": max_text,
        "availability": availability(office_hours_of(organization), utcnow()).payload(),
        **widget_texts(organization, locale),
    }


def launcher_icon(organization: Organization) -> str:
    """The avatar is the launcher's icon only once there is an avatar."""
    if organization.launcher_icon == "avatar" and not organization.avatar_key:
        return "chat"
    return organization.launcher_icon


def text_colour_on(background: str) -> str:
    """White on `background` (#rrggbb) where it reaches WCAG AA's 4.5:1, else black (which then
    does): text on the theme colour reads whatever colour the organization picked."""
    channels = [int(background[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#ffffff" if 1.05 / (luminance + 0.05) >= 4.5 else "#000000"
