"""An app built as a HubSpot developer-platform project: what its `app-hsmeta.json` and
`webhooks-hsmeta.json` configure (scopes, redirect URLs, the one webhook target URL and the
subscriptions), read the way HubSpot reads an uploaded project."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hubspot_sandbox.errors import validation_error

JsonDict = dict[str, Any]
SUBSCRIPTION_LISTS = ("crmObjects", "legacyCrmObjects", "hubEvents")


@dataclass(frozen=True)
class ProjectSubscription:
    event_type: str  # in the webhooks API's vocabulary, e.g. "ticket.propertyChange"
    property_name: str | None
    active: bool


@dataclass(frozen=True)
class ProjectApp:
    scopes: tuple[str, ...]
    redirect_uris: tuple[str, ...]
    target_url: str
    max_concurrent: int
    subscriptions: tuple[ProjectSubscription, ...]


def parse_project(app_meta: Any, webhooks_meta: Any) -> ProjectApp:
    """The two component files; a file HubSpot would refuse to build is refused with a 400."""
    app = component(app_meta, "app")
    auth = app.get("auth")
    if not isinstance(auth, dict) or auth.get("type") != "oauth":
        raise validation_error("app-hsmeta.json: config.auth.type must be oauth")
    scopes = strings(auth, "requiredScopes") + strings(auth, "optionalScopes")
    redirects = strings(auth, "redirectUrls")
    if not redirects:
        raise validation_error("app-hsmeta.json: config.auth.redirectUrls is empty")
    hooks = component(webhooks_meta, "webhooks")
    settings = hooks.get("settings") or {}
    target = settings.get("targetUrl")
    if not isinstance(target, str) or not target.startswith(("http://", "https://")):
        raise validation_error("webhooks-hsmeta.json: config.settings.targetUrl must be a URL")
    subscriptions = hooks.get("subscriptions") or {}
    found = tuple(
        subscription(item) for kind in SUBSCRIPTION_LISTS for item in subscriptions.get(kind) or []
    )
    concurrent = int(settings.get("maxConcurrentRequests") or 10)
    return ProjectApp(tuple(scopes), tuple(redirects), target, concurrent, found)


def component(meta: Any, kind: str) -> JsonDict:
    if not isinstance(meta, dict) or meta.get("type") != kind or not meta.get("uid"):
        raise validation_error(f"expected a {kind} component with a uid")
    config = meta.get("config")
    if not isinstance(config, dict):
        raise validation_error(f"the {kind} component has no config")
    return config


def strings(holder: JsonDict, key: str) -> list[str]:
    values = holder.get(key) or []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise validation_error(f"{key} must be a list of strings")
    return list(values)


def subscription(item: Any) -> ProjectSubscription:
    """One entry; `object.*` with an `objectType` is the same event as `<objectType>.*`."""
    if not isinstance(item, dict) or not isinstance(item.get("subscriptionType"), str):
        raise validation_error("every subscription needs a subscriptionType")
    event_type: str = item["subscriptionType"]
    if event_type.startswith("object.") and item.get("objectType"):
        event_type = f"{item['objectType']}.{event_type.removeprefix('object.')}"
    name = item.get("propertyName")
    return ProjectSubscription(event_type, str(name) if name else None, item.get("active", True))
