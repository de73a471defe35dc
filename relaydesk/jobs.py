"""What each outbox job carries, as a type: built where the job is queued, read once where it
runs. The outbox stores each as a JSON object (`dump`), and `load` reads it back, leaving aside
keys it does not know (a row queued by another version of relaydesk still runs). Mail jobs carry
a `mail.Mail`; the scans and sweeps carry nothing."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

P = TypeVar("P", bound="DataclassInstance")


@dataclass(frozen=True)
class AiReply:
    """`ai.reply`: answer one visitor message."""

    conversation_id: str
    message_id: str


@dataclass(frozen=True)
class ConversationJob:
    """`hubspot.handoff` and `hubspot.close_thread`: one conversation's sync."""

    conversation_id: str


@dataclass(frozen=True)
class PublishMessage:
    """`hubspot.publish`: one message written after the handoff."""

    message_id: str


@dataclass(frozen=True)
class InboundDelivery:
    """`hubspot.inbound`: process one stored webhook event."""

    delivery_id: str


@dataclass(frozen=True)
class MessageStatus:
    """`hubspot.message_status`: report SENT, READ or FAILED for a rep's reply. Our message's id,
    or HubSpot's with its organization (then the job reads only the connection), or both."""

    status: str
    message_id: str | None = None
    organization_id: str | None = None
    hubspot_id: str | None = None
    error_message: str | None = None


@dataclass(frozen=True)
class PasswordReset:
    """`password.reset`: mail a link if the email is a user's."""

    email: str


@dataclass(frozen=True)
class FilesDelete:
    """`files.delete`: remove stored files whose rows are gone."""

    keys: list[str]


def dump(payload: DataclassInstance) -> dict[str, Any]:
    """The JSON object the outbox stores; a field left None is not written."""
    return {name: value for name, value in vars(payload).items() if value is not None}


def load(kind: type[P], payload: dict[str, Any]) -> P:
    """The stored object as `kind`; a missing required field is an error the job retries."""
    names = {f.name for f in fields(kind)}
    return kind(**{name: value for name, value in payload.items() if name in names})
