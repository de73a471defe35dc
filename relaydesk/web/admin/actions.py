"""AI actions: list, create, edit, disable and delete the HTTP calls the AI may make.

Headers are write-only: the pages say whether some are stored, never what they are.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from ...assistant.action_editing import (
    action_of,
    actions_of,
    create_action,
    delete_action,
    set_enabled,
    update_action,
)
from ...assistant.actions import ActionSpec
from ...assistant.configuration import METHODS, topics_from_text
from ...db import commit
from ...errors import InvalidInput
from ...models import AiAction
from ..deps import RuntimeDep, SessionDep
from .deps import CurrentAdmin, Manager, back_to, render

router = APIRouter()
EXAMPLE_SCHEMA = '{"type": "object", "properties": {"order_id": {"type": "string"}}}'
Text = Annotated[str, Field(max_length=20_000)]


class ActionForm(BaseModel):
    """The editor's fields as posted; `headers` is only ever what was just typed."""

    name: Annotated[str, Field(max_length=100)] = ""
    description: Text = ""
    method: Annotated[str, Field(max_length=8)] = "GET"
    url_template: Text = ""
    parameters: Text = ""
    headers: Text = ""
    component: Annotated[str, Field(max_length=100)] = ""
    text_template: Text = ""
    triggers: Text = ""
    allow_private_network: bool = False
    clear_headers: bool = False


def parse_schema(text: str) -> dict[str, Any]:
    if not text.strip():
        return {}
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"Parameters are not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).",
            code="invalid_action",
        ) from exc
    if not isinstance(schema, dict):
        raise InvalidInput(f"Parameters must be a JSON object, e.g. {EXAMPLE_SCHEMA}")
    return schema


def parse_headers(text: str) -> dict[str, str]:
    """`Name: value`, one a line."""
    headers = {}
    for line in text.splitlines():
        name, colon, value = line.partition(":")
        if not line.strip():
            continue
        if not colon or not name.strip():
            raise InvalidInput("Headers are written one a line as Name: value.")
        headers[name.strip()] = value.strip()
    return headers


def parse_spec(form: ActionForm) -> ActionSpec:
    return ActionSpec(
        name=form.name.strip(),
        url_template=form.url_template.strip(),
        method=form.method.upper(),
        description=form.description.strip(),
        parameters=parse_schema(form.parameters),
        headers=parse_headers(form.headers),
        component=form.component.strip() or None,
        text_template=form.text_template.strip(),
        triggers=tuple(topics_from_text(form.triggers)),
        allow_private_network=form.allow_private_network,
    )


def form_of(row: AiAction) -> ActionForm:
    """The editor's fields for a stored action, without its headers."""
    return ActionForm(
        name=row.name,
        description=row.description,
        method=row.method,
        url_template=row.url_template,
        parameters=json.dumps(row.parameters, indent=2) if row.parameters else "",
        component=row.component or "",
        text_template=row.text_template,
        triggers="\n".join(str(t) for t in row.triggers),
        allow_private_network=row.allow_private_network,
    )


def _editor(
    request: Request,
    admin: CurrentAdmin,
    form: ActionForm,
    row: AiAction | None = None,
    status: int = 200,
    error: str | None = None,
) -> Response:
    """The form; typed headers are never sent back (they may be credentials)."""
    form = form.model_copy(update={"headers": ""})
    return render(
        request, admin, "action.html", status, form=form, action=row, methods=METHODS, error=error
    )


@router.get("/actions")
async def actions(request: Request, admin: CurrentAdmin, session: SessionDep) -> Response:
    rows = await actions_of(session, admin.organization.id)
    done = request.query_params.get("done")
    return render(request, admin, "actions.html", actions=rows, done=done)


@router.get("/actions/new")
async def new_action(request: Request, admin: Manager) -> Response:
    return _editor(request, admin, ActionForm())


@router.get("/actions/{action_id}")
async def edit_action(
    request: Request, admin: CurrentAdmin, session: SessionDep, action_id: str
) -> Response:
    row = await action_of(session, admin.organization.id, action_id)
    return _editor(request, admin, form_of(row), row)


@router.post("/actions")
async def create(
    request: Request,
    admin: Manager,
    session: SessionDep,
    runtime: RuntimeDep,
    form: Annotated[ActionForm, Form()],
) -> Response:
    try:
        await create_action(session, runtime.vault, admin.organization.id, parse_spec(form))
    except InvalidInput as refused:
        return _editor(request, admin, form, None, refused.status, refused.message)
    await commit(session)
    return back_to("/admin/actions?done=saved")


@router.post("/actions/{action_id}")
async def update(
    request: Request,
    admin: Manager,
    session: SessionDep,
    runtime: RuntimeDep,
    action_id: str,
    form: Annotated[ActionForm, Form()],
) -> Response:
    row = await action_of(session, admin.organization.id, action_id)
    replacing = form.clear_headers or bool(form.headers.strip())
    try:
        spec = parse_spec(form)
        await update_action(
            session, runtime.vault, row.organization_id, row.id, spec, replace_headers=replacing
        )
    except InvalidInput as refused:
        return _editor(request, admin, form, row, refused.status, refused.message)
    await commit(session)
    return back_to("/admin/actions?done=saved")


@router.post("/actions/{action_id}/disable")
async def disable(admin: Manager, session: SessionDep, action_id: str) -> Response:
    await set_enabled(session, admin.organization.id, action_id, False)
    await commit(session)
    return back_to("/admin/actions?done=disabled")


@router.post("/actions/{action_id}/enable")
async def enable(admin: Manager, session: SessionDep, action_id: str) -> Response:
    await set_enabled(session, admin.organization.id, action_id, True)
    await commit(session)
    return back_to("/admin/actions?done=enabled")


@router.post("/actions/{action_id}/delete")
async def delete(admin: Manager, session: SessionDep, action_id: str) -> Response:
    await delete_action(session, admin.organization.id, action_id)
    await commit(session)
    return back_to("/admin/actions?done=deleted")
