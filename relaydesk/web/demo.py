"""`GET /demo`: a sample company page with the widget, as a customer would install it; in the
demo, `GET /demo/mail` and `/demo/mail.json`: the mail its catcher received."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from ..mail_catcher import caught, demo_mail_dir
from .deps import RuntimeDep

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


@router.get("/demo", response_class=HTMLResponse)
async def demo_page(
    request: Request, widget_key: str = "demo", mode: str = "floating"
) -> HTMLResponse:
    return templates.TemplateResponse(
        request, "demo.html", {"widget_key": widget_key, "inline": mode == "inline"}
    )


@router.get("/", include_in_schema=False)
async def index() -> HTMLResponse:
    return HTMLResponse('<p>relaydesk is running. See the <a href="/demo">demo page</a>.</p>')


def _caught(runtime: RuntimeDep) -> list[dict[str, Any]]:
    if not runtime.settings.demo:
        raise HTTPException(404, "only the demo catches mail")
    return caught(demo_mail_dir(runtime.settings))


@router.get("/demo/mail.json")
async def demo_mail_json(runtime: RuntimeDep) -> list[dict[str, Any]]:
    return _caught(runtime)


@router.get("/demo/mail", response_class=HTMLResponse)
async def demo_mail(request: Request, runtime: RuntimeDep) -> HTMLResponse:
    mails = list(reversed(_caught(runtime)))  # newest first
    return templates.TemplateResponse(request, "demo_mail.html", {"mails": mails})
