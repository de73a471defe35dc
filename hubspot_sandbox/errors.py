"""HubSpot's error answers: one exception carrying the status and body HubSpot would send."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response


class HubSpotError(Exception):
    """Raised anywhere in a request; rendered as HubSpot's JSON error body."""

    def __init__(
        self,
        status: int,
        message: str,
        category: str,
        *,
        sub_category: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        context: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.category = category
        self.sub_category = sub_category
        self.errors = errors
        self.context = context
        self.headers = headers or {}
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "status": "error",
            "message": self.message,
            "correlationId": str(uuid.uuid4()),
            "category": self.category,
        }
        optional = {
            "subCategory": self.sub_category,
            "errors": self.errors,
            "context": self.context,
        }
        body.update({k: v for k, v in optional.items() if v is not None})
        body.update(self.extra)
        return body


def validation_error(message: str, errors: list[dict[str, Any]] | None = None) -> HubSpotError:
    return HubSpotError(400, message, "VALIDATION_ERROR", errors=errors)


def not_found(message: str = "resource not found") -> HubSpotError:
    return HubSpotError(404, message, "OBJECT_NOT_FOUND")


def conflict(message: str) -> HubSpotError:
    return HubSpotError(409, message, "CONFLICT")


class OAuthError(Exception):
    """The OAuth endpoints answer with their own flat shape: `{status: "BAD_…", message}`."""

    def __init__(self, status_code: int, status: str, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.status = status
        self.message = message


async def render_hubspot_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HubSpotError)
    return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)


async def render_oauth_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, OAuthError)
    body = {"status": exc.status, "message": exc.message, "correlationId": str(uuid.uuid4())}
    return JSONResponse(body, status_code=exc.status_code)
