"""Who is calling: OAuth access tokens, the private-app token, or the developer API key."""

from __future__ import annotations

import math
from dataclasses import dataclass

from starlette.requests import Request

from hubspot_sandbox.errors import HubSpotError
from hubspot_sandbox.sandbox import sandbox_of
from hubspot_sandbox.versions import documented_path, is_dated

CREDENTIALS_NOT_FOUND = (
    "Authentication credentials not found. This API supports OAuth 2.0 authentication and you "
    "can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview"
)
MISSING_SCOPES = (
    "This app hasn't been granted all required scopes to make this call. Read more about "
    "required scopes here: https://developers.hubspot.com/scopes."
)


@dataclass(frozen=True)
class Principal:
    kind: str  # "oauth" | "private_app" | "developer"
    user_id: int | None
    scopes: tuple[str, ...]


def require_token(request: Request) -> Principal:
    """Any valid Bearer token: an unexpired OAuth access token holding the scopes the endpoint
    requires, or the portal's private-app token."""
    sandbox = sandbox_of(request)
    store = sandbox.store
    token = bearer(request)
    if token is None:
        raise HubSpotError(401, CREDENTIALS_NOT_FOUND, "INVALID_AUTHENTICATION")
    if token == store.config.private_app_token or token in store.service_keys:
        return Principal("private_app", None, ())
    access = store.access_tokens.get(token)
    refresh = store.refresh_tokens.get(access.refresh_token) if access else None
    if access is None or refresh is None or refresh.revoked:
        raise HubSpotError(401, CREDENTIALS_NOT_FOUND, "INVALID_AUTHENTICATION")
    expired_for = store.clock.now() - access.expires_at
    if expired_for >= 0:
        minutes = max(1, math.floor(expired_for / 60))
        raise HubSpotError(
            401,
            f"The OAuth token used to make this call expired {minutes} minute(s) ago.",
            "EXPIRED_AUTHENTICATION",
            context={"expiredAt": [str(int(access.expires_at * 1000))]},
        )
    lacking = sandbox.scopes.missing(request.method, documented_path(request), access.scopes)
    if lacking:
        raise missing_scopes(lacking)
    return Principal("oauth", access.user_id, tuple(access.scopes))


def missing_scopes(scopes: tuple[str, ...] | list[str]) -> HubSpotError:
    return HubSpotError(
        403,
        MISSING_SCOPES,
        "MISSING_SCOPES",
        errors=[
            {
                "message": "One or more of the following scopes are required.",
                "context": {"requiredGranularScopes": list(scopes)},
            }
        ],
    )


def require_app_token(request: Request, *scopes: str) -> Principal:
    """An OAuth token holding one of `scopes`; private-app tokens cannot use custom channels."""
    principal = require_token(request)
    if principal.kind != "oauth" or not set(scopes) & set(principal.scopes):
        raise missing_scopes(scopes)
    return principal


def require_developer_key(request: Request, app_id: str | None = None) -> Principal:
    """The developer account's API key (`hapikey`) for the app that owns the call; HubSpot's
    date-versioned channel endpoints take the key alone, without `appId`."""
    config = sandbox_of(request).config
    if request.query_params.get("hapikey") != config.developer_api_key:
        raise HubSpotError(
            401,
            "The API key provided is invalid. View or manage your API key here: "
            "https://app.hubspot.com/l/api-key/",
            "INVALID_AUTHENTICATION",
        )
    wanted_app = app_id if app_id is not None else request.query_params.get("appId")
    if wanted_app is None and is_dated(request):
        return Principal("developer", None, ())
    if wanted_app != str(config.app_id):
        raise HubSpotError(
            403,
            f"The app {wanted_app} does not belong to this developer account.",
            "INVALID_AUTHENTICATION",
        )
    return Principal("developer", None, ())


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None
