"""What belongs to the app rather than to one portal: ids, the custom channels registered with
the developer key, OAuth grants, the webhook settings and subscriptions, and the journals.

Every portal the app is installed in shares one `AppState`, so ids are unique across portals,
and a token names the portal it was granted for.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator

from hubspot_sandbox.clock import Clock
from hubspot_sandbox.config import SandboxConfig
from hubspot_sandbox.project import ProjectApp
from hubspot_sandbox.records import (
    AccessToken,
    AuthCode,
    Channel,
    Delivery,
    RecordedRequest,
    RefreshToken,
    Subscription,
)

# Distinct id ranges per kind, so an id used for the wrong kind of record is never found.
ID_STARTS = {
    "portals": 243842090,
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
# Kinds whose ids must never repeat across restarts: relaydesk keeps them in its database and
# deduplicates events by them. Each run starts past every id an earlier run could have used,
# allowing a thousand new ids per millisecond of the earlier run's life.
LASTING = ("contacts", "tickets", "notes", "threads", "files", "events")
EPOCH_S = 1767225600  # 2026-01-01T00:00:00Z


def id_counters(now: float) -> dict[str, Iterator[int]]:
    run_offset = int((now - EPOCH_S) * 1000) * 1000
    return {
        kind: itertools.count(start + (run_offset if kind in LASTING else 0))
        for kind, start in ID_STARTS.items()
    }


class AppState:
    webhook_target_url: str | None

    def __init__(self, config: SandboxConfig, clock: Clock) -> None:
        self.config = config
        self.clock = clock
        self._ids = id_counters(time.time())
        self.project: ProjectApp | None = None
        self.reset()

    @property
    def scopes(self) -> tuple[str, ...] | None:
        """The scopes the app is configured with (None: whatever an install asks for)."""
        return self.project.scopes if self.project else self.config.app_scopes

    @property
    def redirect_uris(self) -> tuple[str, ...]:
        return self.project.redirect_uris if self.project else self.config.redirect_uris

    def configure_project(self, project: ProjectApp) -> None:
        """The app as an uploaded project: its settings outlive resets, as an upload would."""
        self.project = project
        self.subscriptions.clear()
        self._apply_project()

    def _apply_project(self) -> None:
        if self.project is None:
            return
        self.webhook_target_url = self.project.target_url
        self.webhook_max_concurrent = self.project.max_concurrent
        for wanted in self.project.subscriptions:
            self.add_subscription(wanted.event_type, wanted.property_name).active = wanted.active

    def reset(self) -> None:
        self.seeded_at = self.clock.now()
        self.channels: dict[str, Channel] = {}
        self.auth_codes: dict[str, AuthCode] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}
        self.access_tokens: dict[str, AccessToken] = {}
        self.webhook_target_url = self.config.webhook_target_url
        self.webhook_max_concurrent = 10
        self.subscriptions: dict[str, Subscription] = {}
        for event_type in self.config.webhook_subscriptions:
            self.add_subscription(event_type, None)
        self.requests: list[RecordedRequest] = []
        self.deliveries: list[Delivery] = []
        self._apply_project()

    def next_id(self, kind: str) -> str:
        return str(next(self._ids[kind]))

    def add_subscription(self, event_type: str, property_name: str | None) -> Subscription:
        sub = Subscription(
            self.next_id("subscriptions"), event_type, self.clock.now(), property_name
        )
        self.subscriptions[sub.id] = sub
        return sub
