"""HubSpot's failures as a short exception tree, translated from responses in one place."""

from __future__ import annotations

import re
from typing import Any

import httpx

EXISTING_ID = re.compile(r"Existing ID:\s*(\d+)")


class HubSpotError(Exception):
    """Anything HubSpot refused or could not answer; `message` is HubSpot's own reason."""

    def __init__(self, message: str, status: int | None = None, category: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.category = category


class RateLimited(HubSpotError):
    def __init__(self, message: str, retry_after_s: float, policy: str = "") -> None:
        super().__init__(message, 429, "RATE_LIMIT")
        self.retry_after_s = retry_after_s
        self.policy = policy

    @property
    def daily(self) -> bool:
        return self.policy == "DAILY"


class Unauthorized(HubSpotError):
    """The token is missing, expired, revoked or lacks a scope."""


class MissingScopes(Unauthorized):
    """HubSpot's 403 MISSING_SCOPES: the app was not granted a scope the call requires."""

    def __init__(self, message: str, scopes: list[str]) -> None:
        super().__init__(message, 403, "MISSING_SCOPES")
        self.scopes = scopes


class ReconnectRequired(Unauthorized):
    """The refresh token no longer works: an admin has to connect the portal again."""


class NotFound(HubSpotError):
    pass


class Conflict(HubSpotError):
    def __init__(self, message: str, status: int = 409, category: str = "CONFLICT") -> None:
        super().__init__(message, status, category)
        found = EXISTING_ID.search(message)
        self.existing_id = found.group(1) if found else None


class BadRequest(HubSpotError):
    pass


class ServerError(HubSpotError):
    """5xx from HubSpot: worth retrying with backoff."""


class Unavailable(HubSpotError):
    """HubSpot could not be reached at all (timeout, refused connection)."""


def error_body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def translate(response: httpx.Response) -> HubSpotError:
    """The exception for an unsuccessful HubSpot response."""
    body = error_body(response)
    status = response.status_code
    message = str(body.get("message") or response.reason_phrase or f"HTTP {status}")
    category = str(body.get("category") or body.get("status") or "")
    if status == 429:
        return RateLimited(message, retry_after(response), str(body.get("policyName", "")))
    if status == 403 and category == "MISSING_SCOPES":
        return MissingScopes(message, required_scopes(body))
    if status in (401, 403):
        return Unauthorized(message, status, category)
    if status == 404:
        return NotFound(message, status, category)
    if status == 409:
        return Conflict(message, status, category)
    if status >= 500:
        return ServerError(message, status, category)
    return BadRequest(message, status, category)


def required_scopes(body: dict[str, Any]) -> list[str]:
    """The scopes a MISSING_SCOPES answer names (`errors[].context.requiredGranularScopes`)."""
    found: list[str] = []
    for error in body.get("errors") or []:
        context = error.get("context") if isinstance(error, dict) else None
        for scope in (context or {}).get("requiredGranularScopes") or []:
            found += [str(scope)] if str(scope) not in found else []
    return found


def retry_after(response: httpx.Response) -> float:
    """Seconds HubSpot asks us to wait; a rolled ten-second window when it does not say."""
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return 10.0
