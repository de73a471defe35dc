"""Map our exceptions and request-parsing failures to clear errors, in one place: JSON for the
APIs, a page for a person in the admin's browser."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from ..errors import RateLimited, RelaydeskError
from .admin.deps import render

TITLES = {
    400: "That request could not be used",
    403: "Not allowed",
    404: "Not found",
    405: "Not found",
    409: "That conflicts with what is there",
    413: "Too large",
    422: "That request could not be used",
    429: "Too many requests",
}


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


class FieldProblem(BaseModel):
    field: str = Field(description="Dotted path of the field, empty for the whole body")
    problem: str


class Problem(BaseModel):
    code: str = Field(description="Stable and machine-readable, e.g. `unknown_widget_key`")
    message: str = Field(description="For a person")
    details: list[FieldProblem] | None = Field(default=None, description="On a 422")


class ErrorBody(BaseModel):
    """Every JSON error: `{"error": {"code", "message"}}`."""

    error: Problem


MEANINGS = {
    400: "The body is not valid JSON (`malformed_json`) or not a readable form",
    401: "Missing or invalid credentials (visitor token, API key, identity token, signature)",
    403: "The page's origin is not one the organization allows (`origin_not_allowed`)",
    404: "No such thing for this caller",
    408: "The request body stopped arriving (`body_timeout`)",
    413: "The body or a file is over its limit",
    415: "The file's type is not one the channel accepts",
    422: "The input does not fit; `details` names the fields",
    429: "Too many requests (`rate_limited`); try again after `Retry-After` seconds",
}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}}


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: the errors it can answer, each with the JSON error body."""
    return {
        status: {"model": ErrorBody, "description": MEANINGS[status]}
        | ({"headers": RETRY_AFTER} if status == 429 else {})
        for status in statuses
    }


def answer(
    request: Request,
    status: int,
    code: str,
    message: str,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> Response:
    """The JSON error, or, for a browser on an admin page, the same message as a page."""
    browser = "text/html" in request.headers.get("accept", "")
    if status >= 400 and browser and request.url.path.startswith("/admin"):
        title = TITLES.get(status, "Something went wrong")
        page = render(request, None, "error.html", status, title=title, message=message)
        page.headers.update(headers or {})
        return page
    return JSONResponse(error_body(code, message, **extra), status, headers=headers)


async def relaydesk_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RelaydeskError)
    headers = {}
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(max(1, round(exc.retry_after + 0.5)))
    return answer(request, exc.status, exc.code, exc.message, headers)


async def validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return answer(request, 400, "malformed_json", "the request body is not valid JSON")
    details = [
        {"field": ".".join(str(p) for p in e.get("loc", ())[1:]), "problem": e.get("msg", "")}
        for e in errors
    ]
    message = "; ".join(f"{d['field'] or 'body'}: {d['problem']}" for d in details)
    return answer(request, 422, "invalid_input", message, details=details)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return answer(request, exc.status_code, code, str(exc.detail), exc.headers)


def install(app: FastAPI) -> None:
    app.add_exception_handler(RelaydeskError, relaydesk_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(HTTPException, http_error)
