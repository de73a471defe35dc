"""Conversations: the filtered list and one transcript (members may read these)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from ...attachment_urls import AdminLinks, organization_attachment
from ...db import commit
from ...handoffs import admin_hands_off
from ...hubspot.connect.connections import find_connection
from ...hubspot.handoff.status import sync_status
from ...payloads import attachment_payload
from ...transcripts import (
    STATES,
    ConversationFilter,
    hubspot_links,
    list_conversations,
    transcript,
)
from ..deps import RuntimeDep, SessionDep
from ..downloads import file_response
from .deps import CurrentAdmin, Manager, back_to, render

router = APIRouter()


def _parse_filter(
    state: str, handed_off: str, since: str, until: str, text: str
) -> ConversationFilter:
    return ConversationFilter(
        state=state if state in STATES else None,
        handed_off={"yes": True, "no": False}.get(handed_off),
        since=_date(since),
        until=_date(until),
        text=text[:200],
    )


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@router.get("/conversations")
async def conversation_list(
    request: Request,
    admin: CurrentAdmin,
    session: SessionDep,
    state: Annotated[str, Query(max_length=20)] = "",
    handed_off: Annotated[str, Query(max_length=5)] = "",
    since: Annotated[str, Query(max_length=10)] = "",
    until: Annotated[str, Query(max_length=10)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    wanted = _parse_filter(state, handed_off, since, until, q)
    rows = await list_conversations(session, admin.organization.id, wanted)
    return render(request, admin, "conversations.html", rows=rows, wanted=wanted, states=STATES)


@router.get("/conversations/{conversation_id}")
async def conversation_page(
    request: Request,
    admin: CurrentAdmin,
    session: SessionDep,
    runtime: RuntimeDep,
    conversation_id: str,
) -> Response:
    found = await transcript(session, admin.organization.id, conversation_id)
    files = {
        message_id: [attachment_payload(a, AdminLinks()) for a in attachments]
        for message_id, attachments in found.attachments.items()
    }
    connection = await find_connection(session, admin.organization.id)
    portal = connection.portal_id if connection else None
    found.hubspot_links = hubspot_links(
        found.conversation, runtime.settings.hubspot.app_base_url, portal
    )
    mode = connection.mode if connection else "oauth"
    steps = await sync_status(session, conversation_id, mode) if found.handoff else []
    return render(request, admin, "conversation.html", t=found, files=files, steps=steps)


@router.get("/attachments/{attachment_id}")
async def attachment(
    admin: CurrentAdmin, session: SessionDep, runtime: RuntimeDep, attachment_id: str
) -> Response:
    """A file of a conversation, for a signed-in member of its organization only."""
    found = await organization_attachment(session, admin.organization.id, attachment_id)
    return file_response(found, await runtime.files.get(found.storage_key), "private, no-store")


@router.post("/conversations/{conversation_id}/handoff")
async def hand_off_now(
    admin: Manager, session: SessionDep, runtime: RuntimeDep, conversation_id: str
) -> Response:
    """Take the conversation from the AI: it goes to HubSpot like any other handoff."""
    found = await transcript(session, admin.organization.id, conversation_id)
    await admin_hands_off(session, runtime.effects, found.conversation)
    await commit(session)
    return back_to(f"/admin/conversations/{conversation_id}")
