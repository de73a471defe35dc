"""Handoff settings: the level, the four toggles, the plain-language handoff topics with what
each would catch, and the language the team reads the handoff record in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from ...assistant.configuration import load_policy, save_policy, topics_from_text
from ...assistant.policy import AI_FIRST, AI_ONLY, BALANCED, QUICK, HandoffPolicy
from ...assistant.rep_record import TEAM_LANGUAGES
from ...assistant.topic_preview import preview_topics
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


async def _page(
    request: Request,
    admin: CurrentAdmin,
    session: SessionDep,
    policy: HandoffPolicy,
    status: int = 200,
    **extra: object,
) -> Response:
    previews = await preview_topics(session, admin.organization.id, policy.topics)
    return render(
        request,
        admin,
        "handoff.html",
        status,
        policy=policy,
        levels=LEVEL_CHOICES,
        toggles=TOGGLES,
        team_languages=TEAM_LANGUAGES,
        previews=previews,
        **extra,
    )


def _wanted(
    level: Annotated[int, Form(ge=0, le=3)] = QUICK,
    on_request: Annotated[bool, Form()] = False,
    on_frustration: Annotated[bool, Form()] = False,
    on_unproductive: Annotated[bool, Form()] = False,
    on_cannot_answer: Annotated[bool, Form()] = False,
    topics: Annotated[str, Form(max_length=20_000)] = "",
    team_language: Annotated[str, Form(max_length=16)] = "en",
) -> HandoffPolicy:
    """The settings as the form states them."""
    return HandoffPolicy(
        level,
        on_request,
        on_frustration,
        on_unproductive,
        on_cannot_answer,
        tuple(topics_from_text(topics)),
        team_language,
    )


Wanted = Annotated[HandoffPolicy, Depends(_wanted)]


@router.get("/handoff")
async def handoff_settings(request: Request, admin: CurrentAdmin, session: SessionDep) -> Response:
    policy = await load_policy(session, admin.organization.id)
    return await _page(
        request, admin, session, policy, saved=request.query_params.get("saved") == "1"
    )


@router.post("/handoff")
async def save(request: Request, admin: Manager, session: SessionDep, wanted: Wanted) -> Response:
    try:
        await save_policy(session, admin.organization.id, wanted)
    except InvalidInput as refused:
        return await _page(request, admin, session, wanted, refused.status, error=refused.message)
    await commit(session)
    return back_to("/admin/handoff?saved=1")


@router.post("/handoff/preview")
async def preview(
    request: Request, admin: Manager, session: SessionDep, wanted: Wanted
) -> Response:
    """The form as typed, not saved, with what its topics would catch."""
    return await _page(request, admin, session, wanted, previewing=True)
