"""OAuth 2.0 as HubSpot runs it: the consent page, code and refresh grants, token information."""

from __future__ import annotations

import secrets
import uuid
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from hubspot_sandbox.errors import OAuthError
from hubspot_sandbox.records import AccessToken, AuthCode, RefreshToken
from hubspot_sandbox.sandbox import Sandbox, sandbox_of
from hubspot_sandbox.store import TIER_GATED

JsonDict = dict[str, Any]


def templates(request: Request) -> Jinja2Templates:
    found: Jinja2Templates = request.app.state.templates
    return found


def check_client(sandbox: Sandbox, params: Any) -> None:
    if params.get("client_id") != sandbox.config.client_id:
        raise OAuthError(400, "BAD_CLIENT_ID", "missing or unknown client id")


def check_redirect(sandbox: Sandbox, redirect_uri: str) -> None:
    allowed = sandbox.app.redirect_uris
    if not redirect_uri.startswith(("http://", "https://")) or (
        allowed and redirect_uri not in allowed
    ):
        raise OAuthError(400, "BAD_REDIRECT_URI", f"redirect_uri {redirect_uri!r} is not allowed")


async def authorize_page(request: Request) -> Response:
    """The consent page; a script may add `portalId=…&approve=1` to be sent straight back."""
    sandbox = sandbox_of(request)
    q = request.query_params
    check_client(sandbox, q)
    check_redirect(sandbox, q.get("redirect_uri", ""))
    scopes = q.get("scope", "").replace("+", " ").split()
    optional = q.get("optional_scope", "").replace("+", " ").split()
    if q.get("approve") == "1":
        user = int(q["user_id"]) if q.get("user_id", "").isdigit() else None
        return approved(sandbox, q["redirect_uri"], q.get("state", ""), scopes + optional, user)
    context = {
        "request": request,
        "config": sandbox.config,
        "portals": list(sandbox.portals.values()),
        "owners": sandbox.store.owners,
        "scopes": scopes,
        "optional_scopes": optional,
        "redirect_uri": q["redirect_uri"],
        "state": q.get("state", ""),
    }
    return templates(request).TemplateResponse(request, "consent.html", context)


async def authorize_decision(request: Request) -> Response:
    form = await request.form()
    root = sandbox_of(request)
    sandbox = root.portal(form["portal_id"]) if form.get("portal_id") else root
    check_client(sandbox, form)
    redirect_uri = str(form.get("redirect_uri", ""))
    check_redirect(sandbox, redirect_uri)
    state = str(form.get("state") or "")
    if form.get("decision") != "approve":
        query = {"error": "access_denied", "error_description": "The user denied access"}
        query |= {"state": state} if state else {}
        return RedirectResponse(f"{redirect_uri}{sep(redirect_uri)}{urlencode(query)}", 302)
    user = str(form.get("user_id", ""))
    scopes = [str(s) for s in form.getlist("scope")]
    return approved(sandbox, redirect_uri, state, scopes, int(user) if user.isdigit() else None)


def approved(
    sandbox: Sandbox, redirect_uri: str, state: str, asked: list[str], user_id: int | None
) -> Response:
    """A code for this portal carrying the scopes granted: those asked for that the app has."""
    configured = sandbox.app.scopes
    scopes = [s for s in asked if configured is None or s in configured]
    if sandbox.store.tier not in ("professional", "enterprise"):
        scopes = [s for s in scopes if s not in TIER_GATED]
    owner = sandbox.store.owner_by_user_id(user_id) if user_id else None
    owner = owner or sandbox.store.owners[0]
    code = AuthCode(
        str(uuid.uuid4()),
        redirect_uri,
        scopes,
        owner.user_id,
        sandbox.clock.now() + sandbox.config.auth_code_ttl_s,
        sandbox.config.portal_id,
    )
    sandbox.store.auth_codes[code.code] = code
    query = {"code": code.code} | ({"state": state} if state else {})
    return RedirectResponse(f"{redirect_uri}{sep(redirect_uri)}{urlencode(query)}", 302)


def sep(url: str) -> str:
    return "&" if "?" in url else "?"


async def token(request: Request) -> Response:
    sandbox = sandbox_of(request)
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        raise OAuthError(
            400, "BAD_REQUEST", "Content-Type must be application/x-www-form-urlencoded"
        )
    form = await request.form()
    check_client(sandbox, form)
    if form.get("client_secret") != sandbox.config.client_secret:
        raise OAuthError(400, "BAD_CLIENT_SECRET", "missing or invalid client secret")
    grant = form.get("grant_type")
    if grant == "authorization_code":
        refresh = redeem_code(sandbox, str(form.get("code", "")), str(form.get("redirect_uri", "")))
    elif grant == "refresh_token":
        refresh = live_refresh_token(sandbox, str(form.get("refresh_token", "")))
    else:
        raise OAuthError(400, "BAD_GRANT_TYPE", f"unsupported grant_type {grant!r}")
    return JSONResponse(issue_access_token(sandbox, refresh))


def redeem_code(sandbox: Sandbox, code: str, redirect_uri: str) -> RefreshToken:
    found = sandbox.store.auth_codes.get(code)
    if found is None or found.used or found.expires_at < sandbox.clock.now():
        raise OAuthError(400, "BAD_AUTH_CODE", "missing or unknown auth code")
    if found.redirect_uri != redirect_uri:
        raise OAuthError(400, "BAD_REDIRECT_URI", "redirect_uri does not match the authorize call")
    found.used = True
    refresh = RefreshToken(
        f"na1-{uuid.uuid4()}", found.scopes, found.user_id, sandbox.clock.now(), found.portal_id
    )
    sandbox.store.refresh_tokens[refresh.token] = refresh
    return refresh


def live_refresh_token(sandbox: Sandbox, value: str) -> RefreshToken:
    refresh = sandbox.store.refresh_tokens.get(value)
    if refresh is None or refresh.revoked:
        raise OAuthError(400, "BAD_REFRESH_TOKEN", "missing or unknown refresh token")
    return refresh


def issue_access_token(root: Sandbox, refresh: RefreshToken) -> JsonDict:
    sandbox = root.portal(refresh.portal_id)
    ttl = sandbox.config.access_token_ttl_s
    access = AccessToken(
        "C" + secrets.token_urlsafe(96),
        refresh.token,
        refresh.scopes,
        refresh.user_id,
        sandbox.clock.now() + ttl,
        refresh.portal_id,
    )
    sandbox.store.access_tokens[access.token] = access
    return {
        "token_type": "bearer",
        "access_token": access.token,
        "refresh_token": refresh.token,
        "expires_in": ttl,
        "hub_id": sandbox.config.portal_id,
        "user_id": refresh.user_id,
        "scopes": refresh.scopes,
        "token_use": "access_token",
    }


def user_email(sandbox: Sandbox, user_id: int) -> str:
    owner = sandbox.store.owner_by_user_id(user_id)
    return owner.email if owner else ""


async def access_token_info(request: Request) -> Response:
    root = sandbox_of(request)
    access = root.store.access_tokens.get(request.path_params["token"])
    if access is None or root.store.refresh_tokens[access.refresh_token].revoked:
        raise OAuthError(404, "NOT_FOUND", "access token not found")
    sandbox = root.portal(access.portal_id)
    remaining = int(access.expires_at - sandbox.clock.now())
    if remaining <= 0:
        raise OAuthError(401, "EXPIRED_AUTHENTICATION", "The OAuth token has expired")
    return JSONResponse(
        {
            "token": access.token,
            "user": user_email(sandbox, access.user_id),
            "hub_domain": sandbox.config.hub_domain,
            "scopes": access.scopes,
            "hub_id": sandbox.config.portal_id,
            "app_id": sandbox.config.app_id,
            "expires_in": remaining,
            "user_id": access.user_id,
            "token_type": "access",
            "is_private_distribution": False,
        }
    )


async def refresh_token_info(request: Request) -> Response:
    root = sandbox_of(request)
    refresh = live_refresh_token(root, request.path_params["token"])
    sandbox = root.portal(refresh.portal_id)
    if request.method == "DELETE":
        refresh.revoked = True
        return Response(status_code=204)
    return JSONResponse(
        {
            "token": refresh.token,
            "user": user_email(sandbox, refresh.user_id),
            "hub_domain": sandbox.config.hub_domain,
            "scopes": refresh.scopes,
            "hub_id": sandbox.config.portal_id,
            "client_id": sandbox.config.client_id,
            "user_id": refresh.user_id,
            "token_type": "refresh",
        }
    )


routes = [
    Route("/oauth/authorize", authorize_page, methods=["GET"]),
    Route("/oauth/authorize", authorize_decision, methods=["POST"]),
    Route("/oauth/v1/token", token, methods=["POST"]),
    Route("/oauth/v3/token", token, methods=["POST"]),
    Route("/oauth/v1/access-tokens/{token}", access_token_info, methods=["GET"]),
    Route("/oauth/v1/refresh-tokens/{token}", refresh_token_info, methods=["GET", "DELETE"]),
]
