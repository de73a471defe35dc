"""ORM models, one module per area; all share `Base`, so Alembic sees every table."""

from .accounts import AdminSession, Membership, PasswordToken, User
from .assistant import AiAction, HandoffSettings
from .audit import AuditEntry
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
from .hubspot import HubSpotChannel, HubSpotConnection
from .hubspot_sync import HubSpotSyncStep
from .states import (
    Closer,
    ConversationState,
    DeliveryState,
    JobState,
    Requester,
    Role,
    StepState,
)
from .webhooks import WebhookDelivery

__all__ = [
    "AdminSession",
    "AiAction",
    "ApiKey",
    "Attachment",
    "AuditEntry",
    "Base",
    "Closer",
    "Conversation",
    "ConversationState",
    "DeliveryState",
    "Handoff",
    "HandoffSettings",
    "HubSpotChannel",
    "HubSpotConnection",
    "HubSpotSyncStep",
    "JobState",
    "KnowledgeDocument",
    "Membership",
    "Message",
    "Organization",
    "OutboxJob",
    "PasswordToken",
    "Requester",
    "Role",
    "StepState",
    "UTCDateTime",
    "User",
    "Visitor",
    "WebhookDelivery",
    "new_id",
    "utcnow",
]
