"""The app's one webhook URL and its subscriptions.

HubSpot sends every event of an app, for every portal that installed it, to one target URL, and
the subscriptions live on the app. A project app declares both in its project
(`relaydesk hubspot-project`); for a legacy public app relaydesk sets them through the webhooks
API, once, looking before it creates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..api.app_client import HubSpotApp
from ..api.errors import HubSpotError, NotFound
from .project import WEBHOOK_PATH, WEBHOOK_SUBSCRIPTIONS

# Every event the project declares has a handler, so a legacy app subscribes to all of them.
NEEDED = WEBHOOK_SUBSCRIPTIONS


def app_webhook_url(public_base_url: str) -> str:
    """Where HubSpot sends the app's events for every organization."""
    return public_base_url.rstrip("/") + WEBHOOK_PATH


@dataclass(frozen=True)
class AppWebhooks:
    """What the integration page says about the app's webhooks."""

    kind: str  # "project" | "legacy"
    url: str
    target_url: str | None = None  # as HubSpot has it (legacy apps; None when not read)
    missing: list[str] = field(default_factory=list)  # subscriptions still to create
    error: str | None = None

    @property
    def ready(self) -> bool:
        return self.kind == "project" or (
            self.error is None and self.target_url == self.url and not self.missing
        )


def label(event_type: str, property_name: str | None) -> str:
    return f"{event_type} ({property_name})" if property_name else event_type


async def ensure_legacy_webhooks(app: HubSpotApp, public_base_url: str) -> AppWebhooks:
    """Point the legacy app's target URL here and create the subscriptions it lacks."""
    url = app_webhook_url(public_base_url)
    try:
        current = await _target_url(app)
        if current != url:
            await app.put_webhook_settings(url)
        have = {(s.event_type, s.property_name) for s in await app.list_subscriptions()}
        for event_type, property_name in NEEDED:
            if (event_type, property_name) not in have:
                await app.create_subscription(event_type, property_name)
    except HubSpotError as failed:
        return AppWebhooks("legacy", url, error=failed.message)
    return await legacy_webhooks(app, public_base_url)


async def legacy_webhooks(app: HubSpotApp, public_base_url: str) -> AppWebhooks:
    """The legacy app's webhook settings as HubSpot has them, read without changing anything."""
    url = app_webhook_url(public_base_url)
    try:
        target = await _target_url(app)
        have = {(s.event_type, s.property_name) for s in await app.list_subscriptions() if s.active}
    except HubSpotError as failed:
        return AppWebhooks("legacy", url, error=failed.message)
    missing = [label(*wanted) for wanted in NEEDED if wanted not in have]
    return AppWebhooks("legacy", url, target, missing)


async def _target_url(app: HubSpotApp) -> str | None:
    try:
        return (await app.get_webhook_settings()).target_url
    except NotFound:
        return None
