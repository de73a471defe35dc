"""`GET /demo`: a sample company page with the widget, as a customer would install it."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

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
