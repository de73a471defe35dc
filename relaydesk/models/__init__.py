"""ORM models, one module per area; all share `Base`, so Alembic sees every table."""

from .core import (
    ApiKey,
    Attachment,
    Base,
    Conversation,
    KnowledgeDocument,
    Message,
    Organization,
    OutboxJob,
    UTCDateTime,
    Visitor,
    new_id,
    utcnow,
)
from .handoffs import Handoff
from .webhooks import WebhookDelivery

__all__ = [
    "ApiKey",
    "Attachment",
    "Base",
    "Conversation",
    "Handoff",
    "KnowledgeDocument",
    "Message",
    "Organization",
    "OutboxJob",
    "UTCDateTime",
    "Visitor",
    "WebhookDelivery",
    "new_id",
    "utcnow",
]
