"""One in-memory portal: every record it holds, created fresh per portal and on reset."""

from __future__ import annotations

import secrets
from typing import Any

from hubspot_sandbox import seed
from hubspot_sandbox.app_state import AppState
from hubspot_sandbox.clock import Clock
from hubspot_sandbox.config import SandboxConfig
from hubspot_sandbox.records import (
    AccessToken,
    Association,
    AuthCode,
    Channel,
    ChannelAccount,
    CrmObject,
    Delivery,
    Inbox,
    Message,
    Owner,
    Property,
    RecordedRequest,
    RefreshToken,
    StoredFile,
    Subscription,
    Thread,
)

PRO, TIERS = "professional", ("free", "starter", "professional", "enterprise")
# Scopes a portal below Sales/Service Hub Professional cannot grant: custom channels carry
# `x-hubspot-product-tier-requirements` in HubSpot's documents.
TIER_GATED = ("conversations.custom_channels.read", "conversations.custom_channels.write")


class Store:
    """One portal's records; what belongs to the app is on `app`, shared by every portal."""

    def __init__(
        self, config: SandboxConfig, clock: Clock, app: AppState, name: str, tier: str = PRO
    ) -> None:
        self.config = config
        self.clock = clock
        self.app = app
        self.name = name
        self.tier = tier  # the portal's Service Hub tier: custom channels need Professional+
        self.reset()

    def reset(self) -> None:
        now = self.clock.now()
        self.objects: dict[str, dict[str, CrmObject]] = {"contacts": {}, "tickets": {}, "notes": {}}
        self.associations: list[Association] = []
        self.properties: dict[tuple[str, str], Property] = {
            (p.object_type, p.name): p for p in seed.standard_properties(now)
        }
        self.owners: list[Owner] = seed.owners()
        self.inboxes: dict[str, Inbox] = {i.id: i for i in seed.inboxes(now)}
        self.pipelines: dict[str, list[dict[str, Any]]] = {"tickets": [seed.ticket_pipeline()]}
        self.seeded_at = now
        self.channel_accounts: dict[str, ChannelAccount] = {}
        self.threads: dict[str, Thread] = {}
        self.messages: dict[str, Message] = {}
        self.files: dict[str, StoredFile] = {}
        self.service_keys: set[str] = set()

    def next_id(self, kind: str) -> str:
        return self.app.next_id(kind)

    # What the app holds, reached from any of its portals.

    @property
    def channels(self) -> dict[str, Channel]:
        return self.app.channels

    @property
    def auth_codes(self) -> dict[str, AuthCode]:
        return self.app.auth_codes

    @property
    def refresh_tokens(self) -> dict[str, RefreshToken]:
        return self.app.refresh_tokens

    @property
    def access_tokens(self) -> dict[str, AccessToken]:
        return self.app.access_tokens

    @property
    def subscriptions(self) -> dict[str, Subscription]:
        return self.app.subscriptions

    @property
    def webhook_target_url(self) -> str | None:
        return self.app.webhook_target_url

    @webhook_target_url.setter
    def webhook_target_url(self, url: str | None) -> None:
        self.app.webhook_target_url = url

    @property
    def webhook_max_concurrent(self) -> int:
        return self.app.webhook_max_concurrent

    @webhook_max_concurrent.setter
    def webhook_max_concurrent(self, limit: int) -> None:
        self.app.webhook_max_concurrent = limit

    @property
    def requests(self) -> list[RecordedRequest]:
        return self.app.requests

    @property
    def deliveries(self) -> list[Delivery]:
        return self.app.deliveries

    @staticmethod
    def new_token(prefix: str = "") -> str:
        return prefix + secrets.token_urlsafe(24)

    # Lookups used by several route modules.

    def owner_by(self, key: str) -> Owner | None:
        """An owner by owner id, user id, actor id (`A-…`), email or full name."""
        wanted = key.removeprefix("A-").strip().lower()
        for owner in self.owners:
            candidates = {owner.id, str(owner.user_id), owner.email.lower(), owner.name.lower()}
            if wanted in candidates:
                return owner
        return None

    def owner_by_user_id(self, user_id: int) -> Owner | None:
        return next((o for o in self.owners if o.user_id == user_id), None)

    def contact_by_email(self, email: str) -> CrmObject | None:
        wanted = email.strip().lower()
        for contact in self.objects["contacts"].values():
            if contact.properties.get("email", "").lower() == wanted and not contact.archived:
                return contact
        return None

    def thread_for(self, channel_account_id: str, integration_thread_id: str) -> Thread | None:
        for thread in self.threads.values():
            if (thread.channel_account_id, thread.integration_thread_id) == (
                channel_account_id,
                integration_thread_id,
            ):
                return thread
        return None

    def stage(self, pipeline_id: str, stage_id: str) -> dict[str, Any] | None:
        for pipeline in self.pipelines["tickets"]:
            if pipeline["id"] == pipeline_id:
                return next((s for s in pipeline["stages"] if s["id"] == stage_id), None)
        return None
