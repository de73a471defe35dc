"""API keys: create (the key is shown once), list, revoke."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from ...credentials import api_keys_of, revoke_api_key
from ...db import commit
from ...organizations import create_api_key
from ..deps import SessionDep
from .deps import Manager, back_to, render

router = APIRouter()


async def _page(request: Request, admin: Manager, session: SessionDep, **extra: Any) -> Response:
    keys = await api_keys_of(session, admin.organization.id)
    return render(request, admin, "api_keys.html", keys=keys, **extra)


@router.get("/api-keys")
async def api_keys(request: Request, admin: Manager, session: SessionDep) -> Response:
    return await _page(request, admin, session)


@router.post("/api-keys")
async def create(
    request: Request,
    admin: Manager,
    session: SessionDep,
    name: Annotated[str, Form(min_length=1, max_length=200)],
) -> Response:
    _, key = await create_api_key(session, admin.organization, name.strip() or "default")
    await commit(session)
    return await _page(request, admin, session, new_key=key)


@router.post("/api-keys/{key_id}/revoke")
async def revoke(admin: Manager, session: SessionDep, key_id: str) -> Response:
    await revoke_api_key(session, admin.organization.id, key_id)
    await commit(session)
    return back_to("/admin/api-keys")
