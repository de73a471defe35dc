"""Widget settings: theme colour, greeting, launcher position, allowed origins, identity secret."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from ...credentials import rotate_identity_secret
from ...db import commit
from ...errors import InvalidInput
from ...organizations import identity_secret
from ...widget_settings import WidgetSettings, parse_origins, update_widget_settings
from ..deps import RuntimeDep, SessionDep
from .deps import Manager, back_to, render

router = APIRouter()


def _page(
    request: Request, admin: Manager, runtime: RuntimeDep, status: int = 200, **extra: object
) -> Response:
    return render(
        request,
        admin,
        "widget.html",
        status,
        base_url=runtime.settings.public_base_url.rstrip("/"),
        identity_secret=identity_secret(runtime.vault, admin.organization),
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
) -> Response:
    try:
        origins = parse_origins(allowed_origins)
        wanted = WidgetSettings(theme_color, greeting, position, origins)
        await update_widget_settings(session, admin.organization, wanted)
    except InvalidInput as refused:
        return _page(request, admin, runtime, 422, error=refused.message)
    await commit(session)
    return back_to("/admin/widget?saved=1")


@router.post("/widget/rotate-secret")
async def rotate_secret(admin: Manager, session: SessionDep, runtime: RuntimeDep) -> Response:
    await rotate_identity_secret(session, runtime.vault, admin.organization)
    await commit(session)
    return back_to("/admin/widget?saved=1")
