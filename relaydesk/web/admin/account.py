"""The signed-in person's own account: changing their password."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from ...db import commit
from ...errors import RateLimited, RelaydeskError, Unauthorized
from ...login_throttle import LoginThrottle
from ...passwords import MAX_LENGTH, MIN_LENGTH, change_password
from ..deps import SessionDep, client_ip
from .auth import LOCKED
from .deps import CurrentAdmin, back_to, render

router = APIRouter()
Password = Annotated[str, Form(max_length=MAX_LENGTH)]


def _page(request: Request, admin: CurrentAdmin, status: int = 200, **extra: object) -> Response:
    return render(request, admin, "account.html", status, min_length=MIN_LENGTH, **extra)


@router.get("/account")
async def account(request: Request, admin: CurrentAdmin, revoked: int | None = None) -> Response:
    return _page(request, admin, revoked=revoked)


@router.post("/account/password")
async def new_password(
    request: Request,
    admin: CurrentAdmin,
    session: SessionDep,
    current_password: Password,
    password: Password,
    confirmation: Password,
) -> Response:
    """Wrong current passwords count towards the same lockout as wrong sign-ins, so a borrowed
    session cannot be used to guess the password."""
    throttle: LoginThrottle = request.app.state.login_throttle
    email, address = admin.user.email, client_ip(request)
    if wait := await throttle.admit(address):
        raise RateLimited("too many password attempts from this address", retry_after=wait)
    if throttle.locked(email, address):
        return _page(request, admin, 401, error=LOCKED)
    try:
        async with throttle.hashing:
            revoked = await change_password(
                session, admin.signed_in, current_password, password, confirmation
            )
    except RelaydeskError as refused:
        if isinstance(refused, Unauthorized):
            throttle.failed(email, address)
        return _page(request, admin, refused.status, error=refused.message)
    throttle.succeeded(email, address)
    await commit(session)
    return back_to(f"/admin/account?revoked={revoked}")
