"""What an organization and an installation choose about handoffs into HubSpot: how a handoff
looks there (sender name, ticket tag) and how the sync behaves (property names, waits)."""

from __future__ import annotations

from dataclasses import dataclass

from ...models import HubSpotConnection


@dataclass(frozen=True)
class HandoffLook:
    """What an organization can choose about its handoffs in HubSpot (admin → HubSpot)."""

    ai_name: str = "AI assistant"
    tag_property: str = "relaydesk_handoff_tag"
    tag_value: str = "opencx_handedoff"

    @classmethod
    def of(cls, connection: HubSpotConnection) -> HandoffLook:
        """The connection's choices, each falling back to the default when unset."""
        default = cls()
        return cls(
            connection.ai_sender_name or default.ai_name,
            connection.ticket_tag_property or default.tag_property,
            connection.ticket_tag_value or default.tag_value,
        )


@dataclass(frozen=True)
class SyncOptions:
    """How the sync behaves; defaults fit most portals."""

    conversation_property: str = "relaydesk_conversation_id"
    # On contacts created for visitors without an email: found again after a crash.
    visitor_property: str = "relaydesk_visitor_id"
    # How long a just-created ticket may stay invisible to search (HubSpot indexes with a lag).
    search_grace_s: float = 15.0
    # The first wait when HubSpot is not connected; it doubles per attempt, up to an hour.
    unconnected_retry_s: float = 30.0
