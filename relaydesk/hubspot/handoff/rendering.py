"""What the rep reads in HubSpot, rendered from our rows: published messages, the ticket, the note.

Pure functions: no database, no network.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ...assistant.rep_record import reason_words, requester_words, summary_facts, ticket_subject
from ...models import Attachment, Closer, Conversation, Handoff, Message, Role, Visitor
from ..connect.channel import delivery_value

ROLE_NAMES = {Role.VISITOR: "Visitor", Role.AI: "AI", Role.AGENT: "Agent", Role.SYSTEM: "System"}
PUBLISHED_ROLES = (Role.VISITOR, Role.AI)
NEGATIVE = ("negative", "frustrated", "angry", "very_negative")
DESCRIPTION_MAX = 60_000


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def message_text(message: Message, attachments: Sequence[Attachment] = ()) -> str:
    """The text a client without our components sees: the text, then the component's text form."""
    component = message.component or {}
    parts = [message.text.strip(), str(component.get("text") or "").strip()]
    text = "\n\n".join(dict.fromkeys(p for p in parts if p))
    return text or ", ".join(a.name for a in attachments) or "(empty message)"


def refusal_lines(attachments: Sequence[Attachment]) -> list[str]:
    """One line per file HubSpot could not take, in the transcript instead of the file."""
    return [
        f"File {a.name} could not be attached: {a.hubspot_refusal}"
        for a in attachments
        if a.hubspot_refusal
    ]


def visitor_name(visitor: Visitor) -> str:
    return visitor.name or visitor.verified_email or visitor.email or "Website visitor"


def publish_body(
    message: Message,
    attachments: Sequence[Attachment],
    visitor: Visitor,
    channel_account_id: str,
    contact_id: str | None,
    ai_name: str,
    *,
    text: str | None = None,
    part: int = 0,
) -> dict[str, Any]:
    """A `ChannelIntegrationMessageEgg`: the visitor's words come in, the AI's went out. A
    message whose files need more than one channel message is published in parts (`part` 1, 2
    … carry the rest of its files, each with an idempotency id of its own)."""
    person = {
        "name": visitor_name(visitor),
        "deliveryIdentifier": {"type": "CHANNEL_SPECIFIC_OPAQUE_ID", "value": visitor.id},
    }
    us = {
        "name": ai_name,
        "deliveryIdentifier": {
            "type": "CHANNEL_SPECIFIC_OPAQUE_ID",
            "value": delivery_value(visitor.organization_id),
        },
    }
    incoming = message.role == Role.VISITOR
    body: dict[str, Any] = {
        "channelAccountId": channel_account_id,
        "integrationThreadId": message.conversation_id,
        "integrationIdempotencyId": message.id if part == 0 else f"{message.id}-{part}",
        "messageDirection": "INCOMING" if incoming else "OUTGOING",
        "text": message_text(message, attachments) if text is None else text,
        "timestamp": iso(message.created_at),
        "senders": [person if incoming else us],
        "recipients": [us if incoming else person],
        "attachments": [
            file_attachment(a) for a in attachments if a.hubspot_file_id and not a.hubspot_refusal
        ],
    }
    if contact_id:
        body["associateWithContactId"] = int(contact_id)
    return body


def file_attachment(attachment: Attachment) -> dict[str, str]:
    usage = "IMAGE" if attachment.content_type.startswith("image/") else "OTHER"
    return {"type": "FILE", "fileId": str(attachment.hubspot_file_id), "fileUsageType": usage}


def transcript_text(messages: Sequence[Message], attachments: dict[str, list[Attachment]]) -> str:
    lines = []
    for m in messages:
        if m.role == Role.SYSTEM:
            continue
        who = ROLE_NAMES.get(m.role, m.role)
        if m.author_name and m.role != Role.AI:
            who = f"{who} ({m.author_name})"
        files = attachments.get(m.id, [])
        lines.append(f"[{iso(m.created_at)}] {who}: {message_text(m, files)}")
        lines += [f"  {line}" for line in refusal_lines(files)]
    return "\n".join(lines)


def priority(handoff: Handoff) -> str:
    score = handoff.sentiment_score
    if (score is not None and score <= -0.6) or "frustration" in handoff.reasons:
        return "HIGH"
    if handoff.sentiment in NEGATIVE or (score is not None and score < 0):
        return "MEDIUM"
    return "LOW"


def subject(handoff: Handoff, visitor: Visitor) -> str:
    """The visitor's first real question (not a greeting), else who the chat was with."""
    return ticket_subject(handoff, f"Chat with {visitor_name(visitor)}")


def ticket_description(handoff: Handoff, transcript: str) -> str:
    text = f"{handoff.summary.strip() or 'Handed off from the website chat.'}\n\n"
    text += f"Transcript:\n{transcript}"
    return text[:DESCRIPTION_MAX]


def identity_line(visitor: Visitor, linked_existing: bool) -> str:
    if visitor.verified:
        return f"verified ({visitor.verified_email})"
    if visitor.email and linked_existing:
        return (
            f"NOT verified: the visitor typed {visitor.email}, which belongs to an existing "
            "contact; confirm who they are before sharing account details"
        )
    if visitor.email:
        return f"not verified (email typed by the visitor: {visitor.email})"
    return "anonymous (no email given)"


@dataclass(frozen=True)
class Note:
    """The rep-only handoff note, as labelled lines: written as text and as rich text."""

    title: str
    facts: list[tuple[str, str]]
    missing: list[str]
    link: str

    @property
    def text(self) -> str:
        lines = [self.title, *(f"{label}: {value}" for label, value in self.facts)]
        lines += [f"Missing in HubSpot: {item}" for item in self.missing]
        return "\n".join([*lines, f"Conversation: {self.link}"])

    @property
    def html(self) -> str:
        """HubSpot's rich text (the channel's BOLD, LISTS, HYPERLINK); every value escaped."""
        e = html.escape
        facts = "".join(f"<li><b>{e(label)}:</b> {e(value)}</li>" for label, value in self.facts)
        out = f"<p><b>{e(self.title)}</b></p>" + (f"<ul>{facts}</ul>" if facts else "")
        if self.missing:
            items = "".join(f"<li>{e(item)}</li>" for item in self.missing)
            out += f"<p><b>Missing in HubSpot:</b></p><ul>{items}</ul>"
        link = e(self.link)
        return out + f'<p>Conversation: <a href="{link}">{link}</a></p>'


def handoff_note(
    handoff: Handoff,
    conversation: Conversation,
    visitor: Visitor,
    linked_existing: bool,
    admin_url: str,
    missing: Sequence[str] = (),
) -> Note:
    """The rep-only note: why the AI stepped back, how to read this visitor, what HubSpot lacks."""
    score = f" ({handoff.sentiment_score:+.2f})" if handoff.sentiment_score is not None else ""
    team = handoff.team_language
    facts = [
        ("Reason", reason_words(handoff.reasons, team, handoff.topic)),
        ("Requested by", requester_words(handoff.requested_by, team)),
        ("Sentiment", f"{handoff.sentiment or conversation.sentiment or 'unknown'}{score}"),
        ("Language", handoff.language or conversation.language or "unknown"),
        ("Identity", identity_line(visitor, linked_existing)),
    ]
    if handoff.topic:
        facts.append(("Topic", handoff.topic))
    facts += summary_facts(handoff)
    return Note("Handed off by relaydesk", facts, list(missing), admin_url)


CLOSERS = {
    Closer.VISITOR: "The visitor ended the chat",
    Closer.AI: "The AI assistant ended the chat",
    "admin": "An admin closed the chat in relaydesk",
}


def closing_note(conversation: Conversation, admin_url: str) -> Note:
    """The internal note left on the thread when the chat ends on relaydesk's side; its title
    carries the moment, so a retried job finds it instead of writing it twice."""
    who = CLOSERS.get(conversation.closed_by or "", "The chat was closed in relaydesk")
    when = iso(conversation.closed_at or conversation.updated_at)
    return Note(f"{who} ({when}); relaydesk closes this thread.", [], [], admin_url)


def follow_up_text(message: Message, attachments: Sequence[Attachment], admin_url: str) -> str:
    """Private-app mode: a visitor message written after the handoff, as a note on the ticket.
    The message id stands alone as a word, so search finds the note again after a crash."""
    lines = [
        f"The visitor wrote after the handoff ({iso(message.created_at)}):",
        message.text.strip() or "(no text)",
    ]
    if attachments:
        lines.append(f"Files (in relaydesk): {', '.join(a.name for a in attachments)}")
    lines.append(f"Message {message.id} in {admin_url}")
    return "\n".join(lines)


def admin_url(public_base_url: str, conversation_id: str) -> str:
    return f"{public_base_url.rstrip('/')}/admin/conversations/{conversation_id}"
