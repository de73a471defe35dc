"""The unsubscribe link of a reply email: `GET` asks (a link scanner following it changes
nothing), `POST` unsubscribes; a mail client's one-click unsubscribe (RFC 8058) posts too."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from ..away_wording import word
from ..db import commit
from ..errors import Unauthorized
from ..mail_links import read_unsubscribe_token
from ..models import Organization, Visitor
from ..unread_replies import unsubscribe
from ..widget_strings import RIGHT_TO_LEFT
from .deps import RuntimeDep, SessionDep

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


async def _team(session: SessionDep, visitor: Visitor | None) -> str:
    organization = await session.get(Organization, visitor.organization_id) if visitor else None
    return (organization.widget_title or organization.name) if organization else ""


def _page(
    request: Request, language: str, text: str, ask: str | None, status: int = 200
) -> HTMLResponse:
    direction = "rtl" if language in RIGHT_TO_LEFT else "ltr"
    context = {"language": language, "dir": direction, "text": text, "button": ask}
    return templates.TemplateResponse(request, "unsubscribe.html", context, status_code=status)


@router.get("/mail/unsubscribe/{token}", response_class=HTMLResponse)
async def ask(
    token: str, request: Request, session: SessionDep, runtime: RuntimeDep
) -> HTMLResponse:
    try:
        link = read_unsubscribe_token(runtime.secret, token)
    except Unauthorized as refused:
        return _page(request, "en", refused.message, None, 404)
    team = await _team(session, await session.get(Visitor, link.visitor_id))
    text = word("unsubscribe_confirm", link.language, name=team)
    return _page(request, link.language, text, word("unsubscribe_button", link.language))


@router.post("/mail/unsubscribe/{token}", response_class=HTMLResponse)
async def confirm(
    token: str, request: Request, session: SessionDep, runtime: RuntimeDep
) -> HTMLResponse:
    try:
        link = read_unsubscribe_token(runtime.secret, token)
    except Unauthorized as refused:
        return _page(request, "en", refused.message, None, 404)
    visitor = await unsubscribe(session, link.visitor_id)
    await commit(session)
    text = word("unsubscribed", link.language, name=await _team(session, visitor))
    return _page(request, link.language, text, None)
