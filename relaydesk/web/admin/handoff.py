"""Handoff settings: the level, the four toggles and the plain-language handoff topics."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from ...assistant.configuration import load_policy, save_policy, topics_from_text
from ...assistant.policy import AI_FIRST, AI_ONLY, BALANCED, QUICK, HandoffPolicy
from ...db import commit
from ...errors import InvalidInput
from ..deps import SessionDep
from .deps import CurrentAdmin, Manager, back_to, render

router = APIRouter()

LEVEL_CHOICES = [
    (AI_ONLY, "AI only", "The AI answers everything; requests for a person are declined politely."),
    (QUICK, "Quick handoff", "A person takes over as soon as the visitor asks or a rule applies."),
    (BALANCED, "Balanced", "Before handing off, the AI asks for the visitor's email address."),
    (AI_FIRST, "AI first", "The AI tries to help first and keeps trying through frustration."),
]
TOGGLES = [
    ("on_request", "The visitor asks for a person"),
    ("on_frustration", "The visitor is frustrated"),
    ("on_unproductive", "The conversation goes in circles (the visitor repeats themself)"),
    ("on_cannot_answer", 'The AI cannot answer (two misses in a row, three at "AI first")'),
]


def _page(
    request: Request, admin: CurrentAdmin, policy: HandoffPolicy, status: int = 200, **extra: object
) -> Response:
    return render(
        request,
        admin,
        "handoff.html",
        status,
        policy=policy,
        levels=LEVEL_CHOICES,
        toggles=TOGGLES,
        **extra,
    )


@router.get("/handoff")
async def handoff_settings(request: Request, admin: CurrentAdmin, session: SessionDep) -> Response:
    policy = await load_policy(session, admin.organization.id)
    return _page(request, admin, policy, saved=request.query_params.get("saved") == "1")


@router.post("/handoff")
async def save(
    request: Request,
    admin: Manager,
    session: SessionDep,
    level: Annotated[int, Form(ge=0, le=3)] = QUICK,
    on_request: Annotated[bool, Form()] = False,
    on_frustration: Annotated[bool, Form()] = False,
    on_unproductive: Annotated[bool, Form()] = False,
    on_cannot_answer: Annotated[bool, Form()] = False,
    topics: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    wanted = HandoffPolicy(
        level,
        on_request,
        on_frustration,
        on_unproductive,
        on_cannot_answer,
        tuple(topics_from_text(topics)),
    )
    try:
        await save_policy(session, admin.organization.id, wanted)
    except InvalidInput as refused:
        return _page(request, admin, wanted, refused.status, error=refused.message)
    await commit(session)
    return back_to("/admin/handoff?saved=1")
