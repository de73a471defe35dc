"""The one event vocabulary: the same names on the wire, in the outbox and in the logs."""

from __future__ import annotations

from typing import Final

MESSAGE_CREATED: Final = "message.created"
MESSAGE_DELTA: Final = "message.delta"  # partial AI answer; message.created stays authoritative
CONVERSATION_UPDATED: Final = "conversation.updated"
TYPING: Final = "typing"
HELLO: Final = "hello"
ERROR: Final = "error"  # a frame from the widget that could not be read
PONG: Final = "pong"  # the answer to the widget's "ping"

# Outbox job kinds.
AI_REPLY: Final = "ai.reply"
HUBSPOT_CLOSE_THREAD: Final = "hubspot.close_thread"
HUBSPOT_HANDOFF: Final = "hubspot.handoff"  # carry a handed-off conversation into HubSpot
HUBSPOT_PUBLISH: Final = "hubspot.publish"  # one visitor message after the handoff
HUBSPOT_INBOUND: Final = "hubspot.inbound"  # process one stored HubSpot webhook event
HUBSPOT_MESSAGE_STATUS: Final = "hubspot.message_status"  # a rep reply was SENT / READ
UPLOADS_SWEEP: Final = "uploads.sweep"  # delete the uploads no message took in time
RETENTION_SWEEP: Final = "retention.sweep"  # delete the conversations past their retention
FILES_DELETE: Final = "files.delete"  # remove stored files whose rows are gone
PASSWORD_RESET: Final = "password.reset"  # mail a reset link if the email is a user's
MAIL_SEND: Final = "mail.send"  # one email through the SMTP server (`mail.py`)
NO_REP_SCAN: Final = "handoff.no_rep_scan"  # tell visitors nobody picked up (`no_rep.py`)
UNREAD_SCAN: Final = "mail.unread_scan"  # email rep replies nobody read (`unread_replies.py`)
JOB_KINDS: Final = (
    AI_REPLY, HUBSPOT_CLOSE_THREAD, HUBSPOT_HANDOFF, HUBSPOT_PUBLISH, HUBSPOT_INBOUND,
    HUBSPOT_MESSAGE_STATUS, UPLOADS_SWEEP, RETENTION_SWEEP, FILES_DELETE, PASSWORD_RESET,
    MAIL_SEND, NO_REP_SCAN, UNREAD_SCAN,
)  # fmt: skip


def visitor_channel(visitor_id: str) -> str:
    """Who receives a push: every socket of the visitor the conversation belongs to."""
    return f"visitor:{visitor_id}"
