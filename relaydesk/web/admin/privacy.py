"""Privacy: how long conversations are kept (and what the next run deletes), erasing a visitor
(with the count of what went), and the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from ...audit import recent_entries
from ...db import commit
from ...erasure import erase_visitors, remove_files, visitors_named
from ...errors import InvalidInput, NotFound, RelaydeskError
from ...hubspot.connect.connections import find_connection
from ...models import utcnow
from ...retention import preview, set_retention
from ...retention_sweep import next_run
from ..deps import RuntimeDep, SessionDep
from .deps import Manager, back_to, render

router = APIRouter()

# HubSpot's own permanent delete of a contact (its knowledge base), which relaydesk never does.
HUBSPOT_GDPR_DELETE = (
    "https://knowledge.hubspot.com/articles/kcs_article/contacts/"
    "how-do-i-perform-a-gdpr-compliant-delete-in-hubspot"
)
NOBODY = "No visitor of this organization gave that email or has that id; nothing was erased."


async def _page(
    request: Request,
    admin: Manager,
    session: SessionDep,
    runtime: RuntimeDep,
    status: int = 200,
    **extra: object,
) -> Response:
    now = utcnow()
    runs_at = await next_run(session, now)
    connection = await find_connection(session, admin.organization.id)
    portal = connection.portal_id if connection else None
    app_url = runtime.settings.hubspot.app_base_url.rstrip("/")
    return render(
        request,
        admin,
        "privacy.html",
        status,
        preview=await preview(session, admin.organization, runs_at),
        next_run=runs_at if runs_at > now else None,
        audit=await recent_entries(session, admin.organization.id),
        gdpr_delete=HUBSPOT_GDPR_DELETE,
        contact_url=f"{app_url}/contacts/{portal}/record/0-1/" if portal else None,
        **extra,
    )


@router.get("/privacy")
async def privacy(
    request: Request, admin: Manager, session: SessionDep, runtime: RuntimeDep
) -> Response:
    return await _page(request, admin, session, runtime)


@router.post("/privacy/erase")
async def erase(
    request: Request,
    admin: Manager,
    session: SessionDep,
    runtime: RuntimeDep,
    email: Annotated[str, Form(max_length=320)] = "",
    visitor_id: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Erase the visitor named by email or id; the page then shows what went."""
    organization_id = admin.organization.id
    try:
        found = await visitors_named(
            session, organization_id, email=email or None, visitor_id=visitor_id or None
        )
    except NotFound:  # an answer, not a failure: nobody of that email is left here
        return await _page(request, admin, session, runtime, error=NOBODY)
    except RelaydeskError as refused:
        return await _page(request, admin, session, runtime, refused.status, error=refused.message)
    actor = f"admin {admin.user.email}"
    erased = await erase_visitors(session, runtime.wakeup, organization_id, found, actor)
    await commit(session)
    await remove_files(runtime.files, erased)
    return await _page(request, admin, session, runtime, erased=erased)


def _days(value: str) -> int | None:
    """A number of days from the form; blank keeps forever."""
    if not value.strip():
        return None
    try:
        return int(value)
    except ValueError:
        raise InvalidInput(f"{value!r} is not a number of days") from None


@router.post("/privacy/retention")
async def retention(
    request: Request,
    admin: Manager,
    session: SessionDep,
    runtime: RuntimeDep,
    days: Annotated[str, Form(max_length=10)] = "",
    ai_only_days: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    try:
        set_retention(admin.organization, _days(days), _days(ai_only_days))
    except RelaydeskError as refused:  # refused before anything changed
        return await _page(request, admin, session, runtime, refused.status, error=refused.message)
    await commit(session)
    return back_to("/admin/privacy")
