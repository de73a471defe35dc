"""Widget settings: look (theme colour, title, subtitle, avatar, launcher, light or dark, the
reply sound), greeting, launcher position, allowed origins, identity secret."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from ...credentials import rotate_identity_secret
from ...db import commit
from ...errors import InvalidInput
from ...organizations import identity_secret
from ...payloads import API_PREFIX
from ...widget_settings import (
    HOST_STUB,
    MAX_AVATAR_BYTES,
    WidgetSettings,
    avatar_name,
    parse_origins,
    remove_avatar,
    set_avatar,
    update_widget_settings,
)
from ..deps import RuntimeDep, SessionDep
from . import widget_strings
from .deps import Manager, back_to, render

router = APIRouter()
router.include_router(widget_strings.router)


def _page(
    request: Request, admin: Manager, runtime: RuntimeDep, status: int = 200, **extra: object
) -> Response:
    organization = admin.organization
    avatar = avatar_name(organization)
    return render(
        request,
        admin,
        "widget.html",
        status,
        base_url=runtime.settings.public_base_url.rstrip("/"),
        identity_secret=identity_secret(runtime.vault, organization),
        avatar_url=f"{API_PREFIX}/avatars/{organization.id}/{avatar}" if avatar else None,
        stub=HOST_STUB,
        **extra,
    )


@router.get("/widget")
async def settings_page(request: Request, admin: Manager, runtime: RuntimeDep) -> Response:
    return _page(request, admin, runtime, saved=request.query_params.get("saved") == "1")


@router.post("/widget")
async def save(
    request: Request,
    admin: Manager,
    session: SessionDep,
    runtime: RuntimeDep,
    theme_color: Annotated[str, Form(max_length=16)],
    greeting: Annotated[str, Form(max_length=2000)],
    position: Annotated[str, Form(max_length=8)],
    allowed_origins: Annotated[str, Form(max_length=20_000)] = "",
    title: Annotated[str, Form(max_length=1000)] = "",
    subtitle: Annotated[str, Form(max_length=1000)] = "",
    launcher_icon: Annotated[str, Form(max_length=16)] = "chat",
    theme: Annotated[str, Form(max_length=8)] = "light",
    notify_sound: Annotated[bool, Form()] = False,
) -> Response:
    try:
        origins = parse_origins(allowed_origins)
        wanted = WidgetSettings(
            theme_color, greeting, position, origins, title, subtitle, launcher_icon, theme,
            notify_sound,
        )  # fmt: skip
        await update_widget_settings(session, admin.organization, wanted)
    except InvalidInput as refused:
        return _page(request, admin, runtime, 422, error=refused.message)
    await commit(session)
    return back_to("/admin/widget?saved=1")


@router.post("/widget/avatar")
async def upload_avatar(
    request: Request,
    admin: Manager,
    session: SessionDep,
    runtime: RuntimeDep,
    avatar: Annotated[UploadFile, File()],
) -> Response:
    try:
        data = await avatar.read(MAX_AVATAR_BYTES + 1)
        await set_avatar(session, runtime.files, admin.organization, data)
    except InvalidInput as refused:
        return _page(request, admin, runtime, 422, error=refused.message)
    await commit(session)
    return back_to("/admin/widget?saved=1")


@router.post("/widget/avatar/remove")
async def delete_avatar(admin: Manager, session: SessionDep) -> Response:
    await remove_avatar(session, admin.organization)
    await commit(session)
    return back_to("/admin/widget?saved=1")


@router.post("/widget/rotate-secret")
async def rotate_secret(admin: Manager, session: SessionDep, runtime: RuntimeDep) -> Response:
    await rotate_identity_secret(session, runtime.vault, admin.organization)
    await commit(session)
    return back_to("/admin/widget?saved=1")
