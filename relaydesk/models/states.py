"""The closed sets of words rows and frames carry: states, roles, who closed or asked.

Each is a `StrEnum`, so a member equals its string: the database, the outbox and the wire keep
the same words, and code names them once instead of spelling them."""

from __future__ import annotations

from enum import StrEnum


class ConversationState(StrEnum):
    """Where a conversation is: with the AI, waiting for a person, with one, or ended."""

    AI = "ai"
    PENDING_HUMAN = "pending_human"
    HUMAN = "human"
    CLOSED = "closed"


class Role(StrEnum):
    """Who wrote a message."""

    VISITOR = "visitor"
    AI = "ai"
    AGENT = "agent"
    SYSTEM = "system"


class JobState(StrEnum):
    """An outbox job's life: waiting to run, claimed, finished, or parked after its attempts."""

    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class StepState(StrEnum):
    """A HubSpot sync step's marker: begun (create may have happened), settled, or erring."""

    STARTED = "started"
    DONE = "done"
    FAILED = "failed"


class DeliveryState(StrEnum):
    """A stored HubSpot webhook event: to process, processed, of no known type, or refused."""

    RECEIVED = "received"
    DONE = "done"
    UNKNOWN = "unknown"
    FAILED = "failed"


class Closer(StrEnum):
    """Who ended a conversation (`conversations.closed_by`)."""

    VISITOR = "visitor"
    AGENT = "agent"
    AI = "ai"
    ADMIN = "admin"


class Requester(StrEnum):
    """Who asked for a handoff (`handoffs.requested_by`)."""

    AI = "ai"
    VISITOR = "visitor"
    ADMIN = "admin"
