"""The people of an organization: list, add by email (new users get a one-time password), remove."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from ...accounts import add_member, members_of, remove_member
from ...db import commit
from ...errors import RelaydeskError
from ..deps import SessionDep
from .deps import Manager, back_to, render

router = APIRouter()


async def _page(
    request: Request, admin: Manager, session: SessionDep, status: int = 200, **extra: object
) -> Response:
    members = await members_of(session, admin.organization.id)
    return render(request, admin, "team.html", status, members=members, **extra)


@router.get("/team")
async def team(request: Request, admin: Manager, session: SessionDep) -> Response:
    return await _page(request, admin, session)


@router.post("/team")
async def add(
    request: Request,
    admin: Manager,
    session: SessionDep,
    email: Annotated[str, Form(max_length=320)],
    role: Annotated[str, Form()],
) -> Response:
    try:
        added = await add_member(session, admin.organization, email, role, admin.role)
    except RelaydeskError as refused:
        return await _page(request, admin, session, refused.status, error=refused.message)
    await commit(session)
    return await _page(
        request, admin, session, added=added.user.email, password=added.one_time_password
    )


@router.post("/team/{user_id}/remove")
async def remove(admin: Manager, session: SessionDep, user_id: str) -> Response:
    await remove_member(session, admin.organization, user_id, admin.role)
    await commit(session)
    return back_to("/admin/team")
