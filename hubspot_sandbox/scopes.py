"""Which OAuth scopes each HubSpot endpoint requires, read from the `security` blocks of the
OpenAPI documents and corrected where HubSpot's guides say otherwise."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

# Any one alternative grants the endpoint; a token must hold every scope of that alternative.
Alternatives = tuple[frozenset[str], ...]

METHODS = ("get", "put", "post", "delete", "patch", "head", "options")

# HubSpot grants `oauth` to every app; beside real alternatives (the v4 and 2026-09 association
# endpoints list it among 70-80 CRM scopes) it would make the endpoint open to any token.
BARE_OAUTH = frozenset({"oauth"})

# Where HubSpot's guides overrule the documents: these endpoints take the developer API key or
# the app's client credentials, never an OAuth token, whatever their `security` block says.
# `*` stands for one path segment, a final `**` for everything below.
NOT_OAUTH: dict[str, str] = {
    "/conversations/custom-channels/*": "registering or listing channels: developer API key",
    "/conversations/custom-channels/*/{channelId}": "one channel's settings: developer API key",
    "/conversations/v3/custom-channels/{channelId}": "one channel's settings: developer API key",
    "/webhooks/v3/**": "webhooks management (legacy public apps): developer API key",
    "/app-webhooks/*/**": "webhooks management: developer API key",
    "/oauth/**": "the token endpoints themselves: client id and secret, or the token",
}

# The CRM objects the documents describe, by HubSpot's object type id. HubSpot serves each object
# under the generic family too (`/crm/v3/objects/0-1`, `/crm/objects/2026-09/{objectType}`).
OBJECT_TYPE_IDS = {"0-1": "contacts", "0-5": "tickets", "0-46": "notes"}


@dataclass(frozen=True)
class Route:
    """One operation: its path template as the documents spell it, and its scope alternatives."""

    template: str
    alternatives: Alternatives | None


@dataclass
class Node:
    """The templates that continue a path: by literal segment, or through a `{parameter}`."""

    literal: dict[str, Node] = field(default_factory=dict)
    parameter: Node | None = None
    route: Route | None = None

    def add(self, route: Route) -> None:
        node = self
        for segment in route.template.strip("/").split("/"):
            if segment.startswith("{"):
                node.parameter = node.parameter or Node()
                node = node.parameter
            else:
                node = node.literal.setdefault(segment, Node())
        node.route = node.route or route

    def find(self, parts: list[str], at: int = 0) -> Route | None:
        """A literal segment beats a parameter; the parameter is tried when the literal leads
        nowhere (`/contacts/search` is the search, `/contacts/123` the record)."""
        if at == len(parts):
            return self.route
        child = self.literal.get(parts[at])
        found = child.find(parts, at + 1) if child is not None else None
        if found is None and self.parameter is not None:
            found = self.parameter.find(parts, at + 1)
        return found


class ScopeTable:
    """The scope alternatives of every operation, in one tree of path segments per method."""

    def __init__(self, routes: Iterable[tuple[str, Route]]) -> None:
        self.trees: dict[str, Node] = {}
        for method, route in routes:
            self.trees.setdefault(method, Node()).add(route)

    @classmethod
    def load(cls, openapi_dir: Path) -> ScopeTable:
        """Reads every document in the folder; an absent folder gives an empty table."""
        if not openapi_dir.is_dir():
            return cls([])
        found: dict[tuple[str, str], Route] = {}
        for document in documents(openapi_dir):
            for method, template, security in operations(document):
                found.setdefault((method, template), route_of(template, security))
        return cls((method, route) for (method, _), route in found.items())

    def route(self, method: str, path: str) -> Route | None:
        """The operation a request is for, or None when the documents have no such operation."""
        tree = self.trees.get(method.upper())
        return tree.find(request_segments(path)) if tree is not None else None

    def required(self, method: str, path: str) -> Alternatives | None:
        """The alternatives, or None when the endpoint needs no OAuth scope or is unknown."""
        route = self.route(method, path)
        return route.alternatives if route is not None else None

    def missing(self, method: str, path: str, granted: Iterable[str]) -> tuple[str, ...]:
        """What a 403 names: the one alternative's absent scopes, else every alternative's."""
        alternatives = self.required(method, path)
        held = frozenset(granted)
        if alternatives is None or any(alternative <= held for alternative in alternatives):
            return ()
        if len(alternatives) == 1:
            return tuple(sorted(alternatives[0] - held))
        return tuple(sorted(frozenset().union(*alternatives)))


def load_scope_table(openapi_dir: Path | None) -> ScopeTable:
    """The folder's table, read once per folder; without the folder every check passes."""
    if openapi_dir is None:
        return ScopeTable([])
    return cached_table(str(openapi_dir.resolve()))


@lru_cache(maxsize=4)
def cached_table(directory: str) -> ScopeTable:
    return ScopeTable.load(Path(directory))


def documents(openapi_dir: Path) -> list[dict[str, Any]]:
    """The documents, an older variant after the document that replaced it (the first wins)."""
    files = sorted(openapi_dir.glob("*.json"), key=lambda f: ("variant" in f.name, f.name))
    return [json.loads(file.read_text()) for file in files]


def operations(document: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(method, template, security) for each operation; a document's own object is spelled out."""
    default = document.get("security")
    subject = document_object(document)
    return [
        (method.upper(), specialised(template, subject), operation.get("security", default))
        for template, item in document.get("paths", {}).items()
        for method, operation in item.items()
        if method in METHODS and isinstance(operation, dict)
    ]


def document_object(document: dict[str, Any]) -> str | None:
    """The CRM object a document describes; only its title names it (`Contacts`, `Tickets`)."""
    title = str(document.get("info", {}).get("title", "")).lower()
    return title if title in OBJECT_TYPE_IDS.values() else None


def specialised(template: str, subject: str | None) -> str:
    """The 2026-09 object documents all spell `/crm/objects/2026-09/{objectType}`, each with its
    own object's scopes, so the template is keyed by that object."""
    prefix, found, rest = template.partition("/{objectType}")
    if subject is None or not found or not object_family(prefix):
        return template
    return f"{prefix}/{subject}{rest}"


def object_family(prefix: str) -> bool:
    parts = prefix.strip("/").split("/")
    return parts == ["crm", "v3", "objects"] or (
        len(parts) == 3 and parts[:2] == ["crm", "objects"]
    )


def route_of(template: str, security: Any) -> Route:
    if any(covers(pattern, template) for pattern in NOT_OAUTH):
        return Route(template, None)
    return Route(template, oauth_alternatives(security))


def oauth_alternatives(security: Any) -> Alternatives | None:
    """The `oauth2` scheme's scopes of each alternative; other schemes are not OAuth tokens."""
    scopes = (alt["oauth2"] for alt in security or () if isinstance(alt, dict) and "oauth2" in alt)
    alternatives = tuple(dict.fromkeys(frozenset(s) for s in scopes))
    if len(alternatives) > 1:
        alternatives = tuple(a for a in alternatives if a != BARE_OAUTH)
    return alternatives or None


def covers(pattern: str, template: str) -> bool:
    """Whether a `NOT_OAUTH` pattern names the template."""
    want, have = pattern.strip("/").split("/"), template.strip("/").split("/")
    if want[-1] == "**":
        want = want[:-1]
        if len(have) <= len(want):
            return False
        have = have[: len(want)]
    return len(want) == len(have) and all(w in ("*", h) for w, h in zip(want, have, strict=True))


def request_segments(path: str) -> list[str]:
    """The path's segments, a CRM object type id replaced by the object's name."""
    parts = path.split("?", 1)[0].strip("/").split("/")
    if len(parts) > 3 and parts[0] == "crm" and "objects" in parts[1:3]:
        parts[3] = OBJECT_TYPE_IDS.get(parts[3], parts[3])
    return parts
