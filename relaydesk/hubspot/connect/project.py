"""This installation's HubSpot developer-platform project, built from its public URL and the one
scope list: `hsproject.json`, the app component and the app's webhook subscriptions.

The file formats follow HubSpot's developer docs: "App configuration" (the project layout with
`srcDir` and `src/app/`, and the app schema of `app-hsmeta.json`), "Migrate an existing private
app" (`name` and `platformVersion` in `hsproject.json`) and "Configure webhooks" (the
`webhooks-hsmeta.json` settings and its `crmObjects`, `legacyCrmObjects` and `hubEvents`
subscription lists). The "Webhooks API guide" says the webhooks API serves only legacy public
apps, which is why a project app declares its subscriptions here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ...errors import InvalidInput
from ..api.scopes import SCOPES
from ..inbound.parse import NEW_MESSAGE, PRIVACY_DELETION, PROPERTY_CHANGE, TICKET_CHANGE

PLATFORM_VERSION = "2026.09"
PROJECT_NAME = "relaydesk"
APP_UID = "relaydesk_app"
WEBHOOKS_UID = "relaydesk_webhooks"
APP_NAME = "relaydesk"
CALLBACK_PATH = "/admin/integrations/hubspot/callback"
WEBHOOK_PATH = "/hubspot/webhooks"
# relaydesk stores a delivery and answers at once, so a few parallel requests keep up.
MAX_CONCURRENT_REQUESTS = 10

# (eventType, propertyName) in the legacy webhooks-API vocabulary: the events relaydesk handles.
WEBHOOK_SUBSCRIPTIONS: tuple[tuple[str, str | None], ...] = (
    (PROPERTY_CHANGE, "assignedTo"),
    (PROPERTY_CHANGE, "status"),
    (NEW_MESSAGE, None),
    (TICKET_CHANGE, "hs_pipeline_stage"),
    (PRIVACY_DELETION, None),
)

PROJECT_FILE = Path("hsproject.json")
APP_FILE = Path("src/app/app-hsmeta.json")
WEBHOOKS_FILE = Path("src/app/webhooks/webhooks-hsmeta.json")


def public_base(public_url: str) -> str:
    """The installation's public URL without its trailing slash; anything else is refused."""
    problem = _url_problem(public_url)
    if problem is not None:
        raise InvalidInput(f"the public URL {public_url!r} {problem}")
    return public_url.rstrip("/")


def _url_problem(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises on a port that is not a number in range
    except ValueError:
        return "is not a valid URL"
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return "must be an absolute http(s) URL, such as https://chat.example.com"
    if "?" in url or "#" in url:
        return "must not have a query or fragment"
    if parts.username is not None or any(char.isspace() for char in url):
        return "must not carry credentials or spaces"
    return None


def project_config() -> dict[str, Any]:
    """`hsproject.json`: the project's name, where its sources live and its platform version."""
    return {"name": PROJECT_NAME, "srcDir": "src", "platformVersion": PLATFORM_VERSION}


def app_config(public_url: str) -> dict[str, Any]:
    """`app-hsmeta.json`: a marketplace-distributed OAuth app, so any portal can install it,
    asking for exactly the scopes relaydesk uses and returning to the admin's callback."""
    base = public_base(public_url)
    return {
        "uid": APP_UID,
        "type": "app",
        "config": {
            "description": _description(base),
            "name": APP_NAME,
            "distribution": "marketplace",
            "auth": {
                "type": "oauth",
                "redirectUrls": [base + CALLBACK_PATH],
                "requiredScopes": list(SCOPES),
                "optionalScopes": [],
                "conditionallyRequiredScopes": [],
            },
            # relaydesk ships no UI extension, so HubSpot's pages fetch and frame nothing.
            "permittedUrls": {"fetch": [], "iframe": [], "img": []},
        },
    }


def _description(base: str) -> str:
    host = urlsplit(base).netloc
    return (
        "AI chat for your website, answered from your knowledge base. When a visitor needs a "
        "person, the conversation continues in your HubSpot inbox with the contact and a "
        f"ticket, and your team's replies reach the visitor (relaydesk at {host})."
    )


def webhooks_config(public_url: str) -> dict[str, Any]:
    """`webhooks-hsmeta.json`: every event to the one webhook URL, the subscriptions grouped as
    HubSpot's project file lists them."""
    return {
        "uid": WEBHOOKS_UID,
        "type": "webhooks",
        "config": {
            "settings": {
                "targetUrl": public_base(public_url) + WEBHOOK_PATH,
                "maxConcurrentRequests": MAX_CONCURRENT_REQUESTS,
            },
            "subscriptions": project_subscriptions(WEBHOOK_SUBSCRIPTIONS),
        },
    }


def project_subscriptions(
    subscriptions: tuple[tuple[str, str | None], ...],
) -> dict[str, list[dict[str, Any]]]:
    """Legacy-API (eventType, propertyName) pairs in the project file's shape; empty groups are
    left out."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for event_type, property_name in subscriptions:
        entry: dict[str, Any] = {"subscriptionType": event_type}
        if property_name is not None:
            entry["propertyName"] = property_name
        entry["active"] = True
        groups.setdefault(subscription_group(event_type), []).append(entry)
    return groups


def subscription_group(event_type: str) -> str:
    """Conversation events and privacy deletions are hub events; classic CRM object events (such
    as `ticket.propertyChange`) keep their payloads as legacy CRM objects."""
    if event_type.startswith("conversation.") or event_type == PRIVACY_DELETION:
        return "hubEvents"
    return "legacyCrmObjects"


def project_files(public_url: str) -> dict[Path, dict[str, Any]]:
    """The three documents by their path inside the project folder."""
    return {
        PROJECT_FILE: project_config(),
        APP_FILE: app_config(public_url),
        WEBHOOKS_FILE: webhooks_config(public_url),
    }


def write_project(public_url: str, outdir: Path) -> list[Path]:
    """Writes (or rewrites) the project under `outdir` and returns the files' paths; a bad URL is
    refused before anything is written."""
    written = []
    for relative, document in project_files(public_url).items():
        path = outdir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written
