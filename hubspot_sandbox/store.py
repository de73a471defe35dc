"""The in-memory portal: every record the sandbox holds, created fresh per app and on reset."""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Iterator
from typing import Any

from hubspot_sandbox import seed
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

# Distinct id ranges per kind, so an id used for the wrong kind of record is never found.
ID_STARTS = {
    "contacts": 1401,
    "tickets": 5000001,
    "notes": 7000001,
    "threads": 8412345001,
    "channels": 2930001,
    "channel_accounts": 3307400001,
    "files": 184123456001,
    "subscriptions": 2371601,
    "events": 3269195001,
}


class Store:
    def __init__(self, config: SandboxConfig, clock: Clock) -> None:
        self.config = config
        self.clock = clock
        self.reset()

    def reset(self) -> None:
        now = self.clock.now()
        self._ids: dict[str, Iterator[int]] = {k: itertools.count(v) for k, v in ID_STARTS.items()}
        self.objects: dict[str, dict[str, CrmObject]] = {"contacts": {}, "tickets": {}, "notes": {}}
        self.associations: list[Association] = []
        self.properties: dict[tuple[str, str], Property] = {
            (p.object_type, p.name): p for p in seed.standard_properties(now)
        }
        self.owners: list[Owner] = seed.owners()
        self.inboxes: dict[str, Inbox] = {i.id: i for i in seed.inboxes(now)}
        self.pipelines: dict[str, list[dict[str, Any]]] = {"tickets": [seed.ticket_pipeline()]}
        self.seeded_at = now
        self.channels: dict[str, Channel] = {}
        self.channel_accounts: dict[str, ChannelAccount] = {}
        self.threads: dict[str, Thread] = {}
        self.messages: dict[str, Message] = {}
        self.files: dict[str, StoredFile] = {}
        self.auth_codes: dict[str, AuthCode] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}
        self.access_tokens: dict[str, AccessToken] = {}
        self.webhook_target_url: str | None = self.config.webhook_target_url
        self.webhook_max_concurrent = 10
        self.subscriptions: dict[str, Subscription] = {}
        for event_type in self.config.webhook_subscriptions:
            self.add_subscription(event_type, None)
        self.requests: list[RecordedRequest] = []
        self.deliveries: list[Delivery] = []

    def next_id(self, kind: str) -> str:
        return str(next(self._ids[kind]))

    @staticmethod
    def new_token(prefix: str = "") -> str:
        return prefix + secrets.token_urlsafe(24)

    def add_subscription(self, event_type: str, property_name: str | None) -> Subscription:
        sub = Subscription(
            self.next_id("subscriptions"), event_type, self.clock.now(), property_name
        )
        self.subscriptions[sub.id] = sub
        return sub

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
