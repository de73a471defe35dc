"""HubSpot's date-versioned paths (2026-03, 2026-09), served by the routes of the v3 ones.

HubSpot serves each API under its semantic version (`/crm/v3/objects/tickets`) and under each
date (`/crm/objects/2026-09/tickets`). `VersionedPaths` rewrites a dated path to the path the
routes know before routing and keeps the path as sent in `scope["hubspot.path"]`: body
validation and scope checks judge a request by the document of its own version
(`documented_path`), and the journal, outside this middleware, records it as sent.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

SENT = "hubspot.path"
DATES = ("2026-03", "2026-09")
DATE = "(?:" + "|".join(DATES) + ")"

# (the dated path, the path that serves it); the first match wins. The v3 inbox and channel
# APIs put their version before the API name, and the channel collection after it.
REWRITES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), served)
    for pattern, served in (
        (rf"/crm/objects/{DATE}(?P<rest>/[^/]+/[^/]+/associations(?:/.*)?)", r"/crm/v4/objects"),
        (rf"/crm/objects/{DATE}(?P<rest>/.*)?", "/crm/v3/objects"),
        (rf"/crm/associations/{DATE}(?P<rest>/.*)?", "/crm/v4/associations"),
        (rf"/crm/owners/{DATE}(?P<rest>/.*)?", "/crm/v3/owners"),
        (rf"/crm/pipelines/{DATE}(?P<rest>/.*)?", "/crm/v3/pipelines"),
        (rf"/crm/properties/{DATE}(?P<rest>/.*)?", "/crm/v3/properties"),
        (
            rf"/conversations/conversations/{DATE}(?P<rest>/threads/[^/]+/assignee)",
            "/conversations/conversations/v3",
        ),
        (rf"/conversations/conversations/{DATE}(?P<rest>/.*)?", "/conversations/v3/conversations"),
        (
            rf"/conversations/custom-channels/{DATE}(?P<rest>/?)",
            "/conversations/custom-channels/v3",
        ),
        (
            rf"/conversations/custom-channels/{DATE}(?P<rest>/.+)",
            "/conversations/v3/custom-channels",
        ),
        (rf"/files/{DATE}(?P<rest>/.*)?", "/files/v3"),
        (rf"/account-info/{DATE}(?P<rest>/.*)?", "/account-info/v3"),
        # The webhooks API was renamed `app-webhooks` in 2026-09.
        (r"/webhooks/2026-03(?P<rest>/.*)?", "/webhooks/v3"),
        (r"/app-webhooks/2026-09(?P<rest>/.*)?", "/webhooks/v3"),
        (rf"/oauth/{DATE}(?P<rest>/.*)?", "/oauth/v3"),
    )
)


def served_path(path: str) -> str | None:
    """The path whose route serves a dated path, or None when `path` is not dated."""
    for pattern, served in REWRITES:
        found = pattern.fullmatch(path)
        if found is not None:
            return served + (found["rest"] or "")
    return None


class VersionedPaths:
    """ASGI middleware: a dated request reaches the route of its v3 path, its own path kept."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        served = served_path(scope["path"]) if scope["type"] == "http" else None
        if served is not None:
            sent = scope["path"]
            scope = dict(scope, path=served, raw_path=quote(served).encode())
            scope[SENT] = sent
        await self.app(scope, receive, send)


def sent_path(request: Request) -> str:
    """The path as the client sent it; `request.url.path` is the path of the route."""
    return str(request.scope.get(SENT, request.url.path))


def is_dated(request: Request) -> bool:
    return SENT in request.scope


def documented_path(request: Request) -> str:
    """The path whose document judges a request: as sent, unless no document of its version
    describes the operation (2026-03 has only the custom channel's), then the served path."""
    sent = sent_path(request)
    if not is_dated(request) or request.app.state.sandbox.scopes.route(request.method, sent):
        return sent
    return request.url.path
