"""The links in an email to a visitor: one reopens the conversation in the widget on the page
the visitor chatted on, one unsubscribes them. Both are signed with the instance's secret, each
for its own audience, so neither passes for the other nor for a visitor token."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit

import jwt

from .errors import Unauthorized

REOPEN_AUDIENCE = "relaydesk-reopen"
UNSUBSCRIBE_AUDIENCE = "relaydesk-unsubscribe"
REOPEN_TTL_S = 30 * 86400
HASH_KEY = "relaydesk-reopen"  # the widget looks for #relaydesk-reopen=<token>
MAX_PAGE_URL = 2000
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reopen:
    conversation_id: str
    visitor_id: str
    organization_id: str


@dataclass(frozen=True)
class Unsubscribe:
    visitor_id: str
    language: str


def reopen_token(secret: str, reopen: Reopen, ttl_s: int = REOPEN_TTL_S) -> str:
    now = int(time.time())
    payload = {
        "sub": reopen.visitor_id,
        "cid": reopen.conversation_id,
        "org": reopen.organization_id,
        "aud": REOPEN_AUDIENCE,
        "iat": now,
        "exp": now + ttl_s,
    }
    return jwt.encode(payload, secret, algorithm="HS256")


def read_reopen_token(secret: str, token: str, organization_id: str) -> Reopen | None:
    """The conversation a link reopens; None for a link expired, forged or of another
    organization (the widget then starts as usual)."""
    try:
        payload = jwt.decode(
            token, secret, algorithms=["HS256"], audience=REOPEN_AUDIENCE,
            options={"require": ["sub", "cid", "org", "exp"]},
        )  # fmt: skip
    except jwt.PyJWTError as refused:
        log.info("reopen link refused: %s", refused)
        return None
    if payload["org"] != organization_id:
        return None
    return Reopen(str(payload["cid"]), str(payload["sub"]), str(payload["org"]))


def unsubscribe_token(secret: str, unsubscribe: Unsubscribe) -> str:
    """Good for as long as the visitor exists: an old email's link still unsubscribes."""
    payload = {"sub": unsubscribe.visitor_id, "lang": unsubscribe.language,
               "aud": UNSUBSCRIBE_AUDIENCE}  # fmt: skip
    return jwt.encode(payload, secret, algorithm="HS256")


def read_unsubscribe_token(secret: str, token: str) -> Unsubscribe:
    try:
        payload = jwt.decode(
            token, secret, algorithms=["HS256"], audience=UNSUBSCRIBE_AUDIENCE,
            options={"require": ["sub"]},
        )  # fmt: skip
    except jwt.PyJWTError as refused:
        raise Unauthorized("this unsubscribe link is not valid", code="invalid_link") from refused
    return Unsubscribe(str(payload["sub"]), str(payload.get("lang") or "en"))


def page_of(page_url: str | None, origin: str | None) -> str | None:
    """The page the widget runs on, kept only when it is on the origin the browser named (so a
    link in an email never leads anywhere the organization's widget was not)."""
    if not page_url or not origin or len(page_url) > MAX_PAGE_URL:
        return None
    parts = urlsplit(page_url)
    if parts.scheme not in ("http", "https") or f"{parts.scheme}://{parts.netloc}" != origin:
        return None
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def reopen_url(page_url: str, token: str) -> str:
    return f"{page_url}#{HASH_KEY}={quote(token)}"


def unsubscribe_url(public_base_url: str, token: str) -> str:
    return f"{public_base_url.rstrip('/')}/mail/unsubscribe/{quote(token)}"
