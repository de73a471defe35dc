"""The OAuth scopes relaydesk's HubSpot app asks for: one list, used by the authorize URL, the
developer-platform project files and the admin page that names a scope HubSpot did not grant.

Each scope is here because a call relaydesk makes requires it (HubSpot's OpenAPI `security`
blocks and its guides).
"""

from __future__ import annotations

SCOPE_PURPOSES: dict[str, str] = {
    "oauth": "reading the token's own details",
    "conversations.read": "listing inboxes, reading threads, messages and reps",
    "conversations.write": "posting the handoff note on the thread and closing it",
    "conversations.custom_channels.read": "finding the channel account and messages",
    "conversations.custom_channels.write": "publishing the transcript and delivery status",
    "crm.objects.contacts.read": "finding the visitor's contact",
    "crm.objects.contacts.write": "creating the contact and CRM notes",
    "crm.objects.owners.read": "listing owners for the ticket and the AI sender",
    "crm.schemas.contacts.write": "creating the relaydesk contact property",
    "tickets": "creating the ticket, its pipeline choice and its tag property",
    "files": "uploading the visitor's files and downloading the rep's",
}

SCOPES: tuple[str, ...] = tuple(SCOPE_PURPOSES)
# Custom channels need Sales Hub or Service Hub Professional or higher
# (`x-hubspot-product-tier-requirements` in HubSpot's documents): a portal below that tier
# cannot grant these.
TIER_GATED = frozenset(
    {"conversations.custom_channels.read", "conversations.custom_channels.write"}
)


def missing(granted: list[str] | tuple[str, ...]) -> list[str]:
    """The scopes relaydesk needs that a token does not carry, in the list's order."""
    have = set(granted)
    return [scope for scope in SCOPES if scope not in have]


def needs_tier(scopes: list[str]) -> bool:
    """Whether what is missing is exactly what a portal below the tier cannot grant (one of
    them alone is an app missing a scope)."""
    return set(scopes) == TIER_GATED


def missing_scopes_advice(scopes: list[str]) -> str:
    """What the admin reads when HubSpot did not grant every scope relaydesk needs."""
    if needs_tier(scopes):
        return (
            f"This HubSpot portal did not grant {', '.join(scopes)}: custom channels, which put "
            "the chat in your inbox, need Sales Hub or Service Hub Professional or higher. "
            "Upgrade the portal and connect again, or use ticket-only mode with a Service Key. "
            "(If the portal has that tier, add both scopes to the app's requiredScopes.)"
        )
    return (
        f"HubSpot did not grant {', '.join(scopes)}. Add the missing scopes to the app's "
        "requiredScopes (src/app/app-hsmeta.json, as `relaydesk hubspot-project` writes it; for a "
        "legacy app, its Auth settings), upload the project, then connect again."
    )
