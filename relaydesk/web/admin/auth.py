"""Signing in and out, and switching between one's organizations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from ...accounts import credentials, password_matches, record_sign_in
from ...admin_sessions import end_session, load_session, start_session, switch_organization
from ...db import commit
from ...errors import RateLimited, Unauthorized
from ...login_throttle import LoginThrottle
from ..deps import RuntimeDep, SessionDep, client_ip
from .deps import (
    COOKIE,
    LOGIN_COOKIE,
    CurrentAdmin,
    back_to,
    check_login_csrf,
    secure_cookies,
    signed_out_page,
)

router = APIRouter()
LOCKED = "too many failed attempts from this address; try again later"


def _login_page(
    request: Request, runtime: RuntimeDep, error: str | None = None, status: int = 200
) -> Response:
    return signed_out_page(
        request,
        runtime,
        "login.html",
        status,
        error=error,
        resets=runtime.settings.smtp.configured,
        password_set=request.query_params.get("password") == "set",
    )


@router.get("/")
async def index() -> Response:
    return back_to("/admin/conversations")


@router.get("/login")
async def login_form(request: Request, session: SessionDep, runtime: RuntimeDep) -> Response:
    token = request.cookies.get(COOKIE)
    if token and await load_session(session, token) is not None:
        return back_to("/admin/conversations")
    return _login_page(request, runtime)


@router.post("/login", dependencies=[Depends(check_login_csrf)])
async def login(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1000)],
) -> Response:
    throttle: LoginThrottle = request.app.state.login_throttle
    address = client_ip(request)
    if wait := await throttle.admit(address):
        raise RateLimited("too many sign-in attempts from this address", retry_after=wait)
    if throttle.locked(email, address):
        return _login_page(request, runtime, LOCKED, 401)
    async with runtime.sessions() as reading:
        found = await credentials(reading, email)
    async with throttle.hashing:
        matched = await password_matches(found, password)
    try:
        user = await record_sign_in(session, found, matched)
    except Unauthorized as refused:
        throttle.failed(email, address)
        await commit(session)  # keep the failure count on the user row
        return _login_page(request, runtime, refused.message, 401)
    throttle.succeeded(email, address)
    token = await start_session(session, user)
    await commit(session)
    answer = back_to("/admin/conversations")
    answer.set_cookie(
        COOKIE, token, httponly=True, samesite="lax", secure=secure_cookies(runtime), path="/admin"
    )
    answer.delete_cookie(LOGIN_COOKIE, path="/admin/login")
    return answer


@router.post("/logout")
async def logout(request: Request, admin: CurrentAdmin, session: SessionDep) -> Response:
    await end_session(session, request.cookies.get(COOKIE, ""))
    await commit(session)
    answer = back_to("/admin/login")
    answer.delete_cookie(COOKIE, path="/admin")
    return answer


@router.post("/switch")
async def switch(
    admin: CurrentAdmin, session: SessionDep, organization_id: Annotated[str, Form()]
) -> Response:
    await switch_organization(session, admin.signed_in, organization_id)
    await commit(session)
    return back_to("/admin/conversations")
