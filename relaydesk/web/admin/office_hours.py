"""Office hours: time zone, weekly schedule, holidays, what a handoff does outside them, and
the reply time a visitor is told to expect after a live handoff."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from ...db import commit
from ...errors import InvalidInput
from ...models import utcnow
from ...office_hours import (
    DAYS,
    availability,
    office_hours_of,
    parse,
    stored_form,
    update_office_hours,
)
from ..deps import SessionDep
from .deps import CurrentAdmin, Manager, back_to, render

router = APIRouter()

DAY_NAMES = dict(zip(DAYS, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                            "Saturday", "Sunday"), strict=True))  # fmt: skip
OUTSIDE_CHOICES = [
    ("handoff", "Hand off anyway", "A person takes over; the visitor is told when the team is "
     "next in."),
    ("email", "Answer by email", "The HubSpot ticket, thread and note are made as usual, and the "
     "visitor is told they will hear back by email (asked for their address if we have none)."),
    ("ai", "Keep the AI on", "The AI keeps helping and offers the email route; a visitor who "
     "leaves an address is handed off, to be answered by email."),
]  # fmt: skip
FIELD_LIMIT = 2000


def _page(
    request: Request, admin: CurrentAdmin, form: dict[str, Any], status: int = 200, **extra: Any
) -> Response:
    now = availability(office_hours_of(admin.organization), utcnow())
    return render(
        request, admin, "office_hours.html", status,
        form=form, days=DAY_NAMES, choices=OUTSIDE_CHOICES, now=now, **extra,
    )  # fmt: skip


@router.get("/office-hours")
async def office_hours_page(request: Request, admin: CurrentAdmin) -> Response:
    form = stored_form(office_hours_of(admin.organization))
    return _page(request, admin, form, saved=request.query_params.get("saved") == "1")


def _as_stored(form: FormData) -> dict[str, Any]:
    """The form's fields in the stored shape (checked by `office_hours.parse`)."""

    def field(name: str) -> str:
        value = form.get(name)
        return value[:FIELD_LIMIT] if isinstance(value, str) else ""

    return {
        "enabled": field("enabled") == "1",
        "timezone": field("timezone"),
        "week": {day: field(f"day_{day}") for day in DAYS},
        "holidays": field("holidays"),
        "outside": field("outside"),
        "reply_minutes": field("reply_minutes").strip(),
    }


@router.post("/office-hours")
async def save(request: Request, admin: Manager, session: SessionDep) -> Response:
    typed = _as_stored(await request.form())
    try:
        await update_office_hours(session, admin.organization, parse(typed))
    except InvalidInput as refused:
        return _page(request, admin, typed, 422, error=refused.message)
    await commit(session)
    return back_to("/admin/office-hours?saved=1")
