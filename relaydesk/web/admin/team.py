"""The people of an organization: list, add by email, remove. With a mail server a new person is
invited by mail to set their password; without one they get a one-time password shown once."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from ...accounts import AddedMember, add_member, members_of, remove_member
from ...db import commit
from ...errors import InvalidInput, RelaydeskError
from ...invitations import invite_again, invite_member
from ..deps import RuntimeDep, SessionDep
from .deps import Manager, back_to, render

router = APIRouter()


async def _page(
    request: Request,
    admin: Manager,
    session: SessionDep,
    runtime: RuntimeDep,
    status: int = 200,
    **extra: object,
) -> Response:
    members = await members_of(session, admin.organization.id)
    mails = runtime.settings.smtp.configured
    return render(request, admin, "team.html", status, members=members, mails=mails, **extra)


@router.get("/team")
async def team(
    request: Request, admin: Manager, session: SessionDep, runtime: RuntimeDep, invited: str = ""
) -> Response:
    return await _page(request, admin, session, runtime, invited_again=invited)


@router.post("/team")
async def add(
    request: Request,
    admin: Manager,
    session: SessionDep,
    runtime: RuntimeDep,
    email: Annotated[str, Form(max_length=320)],
    role: Annotated[str, Form()],
) -> Response:
    settings = runtime.settings
    try:
        added: AddedMember
        if settings.smtp.configured:
            added = await invite_member(
                session, runtime.wakeup, admin.organization, email, role, admin.role,
                settings.public_base_url,
            )  # fmt: skip
        else:
            added = await add_member(session, admin.organization, email, role, admin.role)
    except RelaydeskError as refused:
        return await _page(request, admin, session, runtime, refused.status, error=refused.message)
    await commit(session)
    return await _page(request, admin, session, runtime, added=added)


@router.post("/team/{user_id}/invite")
async def reinvite(
    admin: Manager, session: SessionDep, runtime: RuntimeDep, user_id: str
) -> Response:
    user = await invite_again(
        session, runtime.wakeup, admin.organization, user_id, runtime.settings.public_base_url
    )
    if not runtime.settings.smtp.configured:  # checked after the member, so 404 comes first
        raise InvalidInput("no mail server is configured (RELAYDESK_SMTP__HOST)")
    await commit(session)
    return back_to(f"/admin/team?invited={user.id}")


@router.post("/team/{user_id}/remove")
async def remove(admin: Manager, session: SessionDep, user_id: str) -> Response:
    await remove_member(session, admin.organization, user_id, admin.role)
    await commit(session)
    return back_to("/admin/team")
