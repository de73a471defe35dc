"""Admin console plumbing: the signed-in admin, role checks, CSRF, and rendering pages."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, Request
from fastapi.exceptions import HTTPException
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from ...accounts import can_manage
from ...admin_sessions import SignedIn, load_session, tokens_match
from ...assistant.rep_record import reason_words
from ...errors import Forbidden
from ...models import Organization, User
from ..deps import RuntimeDep, SessionDep

COOKIE = "relaydesk_admin"
LOGIN_COOKIE = "relaydesk_login_csrf"
# Scripts only from our own files: even text that escaped escaping could not run.
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}


def http_href(url: object) -> str:
    """Only http(s) URLs become links; anything else (javascript:, data:) becomes inert."""
    text = str(url or "").strip()
    return text if urlsplit(text).scheme.lower() in ("http", "https") else "#"


templates = Jinja2Templates(directory=Path(__file__).parent.parent / "templates" / "admin")
templates.env.autoescape = True  # every page, whatever its extension
templates.env.filters["http_href"] = http_href
templates.env.filters["reason_words"] = reason_words


@dataclass(frozen=True)
class Admin:
    """The signed-in person, in the organization they are looking at."""

    signed_in: SignedIn

    @property
    def user(self) -> User:
        return self.signed_in.user

    @property
    def organization(self) -> Organization:
        return self.signed_in.current.organization

    @property
    def role(self) -> str:
        return self.signed_in.current.role

    @property
    def can_manage(self) -> bool:
        return can_manage(self.role)

    @property
    def csrf_token(self) -> str:
        return self.signed_in.csrf_token


async def posted_token(request: Request) -> str | None:
    if request.method != "POST":
        return None
    token = (await request.form()).get("csrf_token")
    return token if isinstance(token, str) else None


async def check_login_csrf(request: Request) -> None:
    """The login form has no session yet: its token must match the cookie set with the form."""
    expected = request.cookies.get(LOGIN_COOKIE)
    if not expected or not tokens_match(expected, await posted_token(request)):
        raise Forbidden("the form expired; reload the page", code="csrf_failed")


async def current_admin(request: Request, session: SessionDep) -> Admin:
    """The signed-in admin (else a redirect to the login page); every POST must carry CSRF."""
    token = request.cookies.get(COOKIE)
    signed_in = await load_session(session, token) if token else None
    if signed_in is None:
        raise HTTPException(303, "sign in first", headers={"Location": "/admin/login"})
    if request.method not in ("GET", "HEAD") and not tokens_match(
        signed_in.csrf_token, await posted_token(request)
    ):
        raise Forbidden("the form expired; reload the page", code="csrf_failed")
    return Admin(signed_in)


CurrentAdmin = Annotated[Admin, Depends(current_admin)]


async def manager(admin: CurrentAdmin) -> Admin:
    if not admin.can_manage:
        raise Forbidden("owners and admins only", code="role_required")
    return admin


Manager = Annotated[Admin, Depends(manager)]


def render(
    request: Request, admin: Admin | None, page: str, status: int = 200, **context: Any
) -> HTMLResponse:
    return templates.TemplateResponse(
        request, page, {"admin": admin, **context}, status_code=status, headers=HEADERS
    )


def signed_out_page(
    request: Request, runtime: RuntimeDep, page: str, status: int = 200, **context: Any
) -> HTMLResponse:
    """A page for someone not signed in (sign-in, forgotten password, a password link): its forms
    carry the token of the double-submit cookie set here, kept while the browser has one so
    two such pages open at once both work."""
    token = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(32)
    answer = render(request, None, page, status, csrf_token=token, **context)
    answer.set_cookie(
        LOGIN_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(runtime),
        path="/admin/login",
    )
    return answer


def back_to(path: str) -> Response:
    return RedirectResponse(path, status_code=303, headers=HEADERS)


def secure_cookies(runtime: RuntimeDep) -> bool:
    return runtime.settings.public_base_url.startswith("https://")
