"""Before signing in: asking for a reset link, and setting a password through a mailed link (a
reset or an invitation). The forms use the sign-in page's double-submit cookie."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from ...db import commit
from ...errors import RateLimited, RelaydeskError
from ...login_throttle import LoginThrottle
from ...password_reset import request_reset
from ...password_tokens import OpenLink, open_link
from ...passwords import MAX_LENGTH, MIN_LENGTH, set_password_by_link
from ..deps import RuntimeDep, SessionDep, client_ip
from .deps import back_to, check_login_csrf, signed_out_page

router = APIRouter(prefix="/login")
Password = Annotated[str, Form(max_length=MAX_LENGTH)]


async def _admitted(request: Request) -> LoginThrottle:
    """The same allowance per address as signing in: these forms hash and mail."""
    throttle: LoginThrottle = request.app.state.login_throttle
    if wait := await throttle.admit(client_ip(request)):
        raise RateLimited("too many attempts from this address", retry_after=wait)
    return throttle


def _forgot_page(request: Request, runtime: RuntimeDep, asked: bool = False) -> Response:
    resets = runtime.settings.smtp.configured
    return signed_out_page(request, runtime, "forgot.html", resets=resets, asked=asked)


@router.get("/forgot")
async def forgot_form(request: Request, runtime: RuntimeDep) -> Response:
    return _forgot_page(request, runtime)


@router.post("/forgot", dependencies=[Depends(check_login_csrf)])
async def forgot(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    email: Annotated[str, Form(max_length=320)],
) -> Response:
    """The same answer whether or not the email has an account (see `password_reset`)."""
    await _admitted(request)
    if runtime.settings.smtp.configured:
        await request_reset(session, runtime.wakeup, email)
        await commit(session)
    return _forgot_page(request, runtime, asked=True)


def _link_page(
    request: Request,
    runtime: RuntimeDep,
    token: str,
    link: OpenLink | None = None,
    error: RelaydeskError | None = None,
) -> Response:
    return signed_out_page(
        request, runtime, "set_password.html", error.status if error else 200,
        token=token, link=link, error=error.message if error else None,
        min_length=MIN_LENGTH, resets=runtime.settings.smtp.configured,
    )  # fmt: skip


@router.get("/password")
async def link_form(
    request: Request, session: SessionDep, runtime: RuntimeDep, token: str = ""
) -> Response:
    """Opening the link spends nothing: mail scanners that follow links leave it working."""
    if not token:
        return back_to("/admin/login/forgot")
    try:
        return _link_page(request, runtime, token, await open_link(session, token))
    except RelaydeskError as refused:
        return _link_page(request, runtime, token, error=refused)


@router.post("/password", dependencies=[Depends(check_login_csrf)])
async def set_by_link(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    token: Annotated[str, Form(max_length=200)],
    password: Password,
    confirmation: Password,
) -> Response:
    throttle = await _admitted(request)
    try:
        async with throttle.hashing:
            user = await set_password_by_link(session, token, password, confirmation)
    except RelaydeskError as refused:
        link = await open_link(session, token) if refused.status == 422 else None
        return _link_page(request, runtime, token, link, refused)
    await commit(session)
    throttle.succeeded(user.email, client_ip(request))
    return back_to("/admin/login?password=set")
