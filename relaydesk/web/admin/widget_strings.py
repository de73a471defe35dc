"""The widget's words per language: each field beside its English text, blank for the
translation shipped with the widget (or, for title, subtitle and greeting, the settings')."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ...db import commit
from ...errors import InvalidInput
from ...models import Organization
from ...widget_strings import (
    DEFAULT,
    english,
    keys,
    overrides_for,
    shipped,
    update_overrides,
)
from ..deps import SessionDep
from .deps import Manager, back_to, render

router = APIRouter()
FIELD = "s."  # form fields are named s.<key>


def _language(value: str | None) -> str:
    return value if value in shipped() else DEFAULT


def rows(organization: Organization, language: str) -> list[tuple[str, str, str]]:
    """(key, the English or the settings' text beside it, what shows without an override)."""
    translated = english() | shipped()[language]
    stock = organization.greeting == english()["greeting"]
    own = {
        "title": (organization.widget_title or organization.name,) * 2,
        "subtitle": (organization.widget_subtitle,) * 2,
        "greeting": (
            organization.greeting,
            translated["greeting"] if stock else organization.greeting,
        ),
    }
    return [
        (key, *own[key]) if key in own else (key, english()[key], translated[key]) for key in keys()
    ]


def _page(
    request: Request, admin: Manager, language: str, status: int = 200, **extra: object
) -> Response:
    return render(
        request,
        admin,
        "widget_strings.html",
        status,
        language=language,
        languages=list(shipped()),
        rows=rows(admin.organization, language),
        saved_values=overrides_for(admin.organization, language),
        **extra,
    )


@router.get("/widget/strings")
async def strings_page(request: Request, admin: Manager) -> Response:
    language = _language(request.query_params.get("language"))
    return _page(request, admin, language, saved=request.query_params.get("saved") == "1")


@router.post("/widget/strings")
async def save(request: Request, admin: Manager, session: SessionDep) -> Response:
    form = await request.form()
    language = str(form.get("language", ""))
    values = {k[len(FIELD) :]: str(v) for k, v in form.items() if k.startswith(FIELD)}
    try:
        await update_overrides(session, admin.organization, language, values)
    except InvalidInput as refused:
        return _page(request, admin, _language(language), 422, error=refused.message)
    await commit(session)
    return back_to(f"/admin/widget/strings?language={language}&saved=1")
