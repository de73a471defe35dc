"""Reading request bodies: JSON parsed and checked against HubSpot's schema."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from hubspot_sandbox.errors import validation_error
from hubspot_sandbox.versions import documented_path


async def json_body(request: Request) -> Any:
    """The parsed JSON body, refused with HubSpot's 400 when unparsable or off-schema."""
    raw = await request.body()
    try:
        body = json.loads(raw or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise validation_error(f"Invalid input JSON on line {getattr(exc, 'lineno', 1)}") from exc
    request.app.state.sandbox.validator.check(request.method, documented_path(request), body)
    return body


async def json_object(request: Request) -> dict[str, Any]:
    body = await json_body(request)
    if not isinstance(body, dict):
        raise validation_error("Invalid input JSON: expected an object")
    return body


def required_str(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise validation_error(f"Invalid input JSON: {name}: required field is missing")
    return value


def optional_str(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str | int):
        raise validation_error(f"Invalid input JSON: {name}: expected string")
    return None if value is None else str(value)


def required_list(body: dict[str, Any], name: str) -> list[Any]:
    value = body.get(name)
    if not isinstance(value, list):
        raise validation_error(f"Invalid input JSON: {name}: required field is missing")
    return value


def string_map(body: dict[str, Any], name: str) -> dict[str, str]:
    """A CRM `properties` map; HubSpot stores every value as a string."""
    value = body.get(name, {})
    if not isinstance(value, dict):
        raise validation_error(f"Invalid input JSON: {name}: expected an object")
    return {str(k): stringify(v) for k, v in value.items()}


def stringify(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def query_list(request: Request, name: str) -> list[str]:
    """`?properties=a,b&properties=c` → `["a", "b", "c"]`."""
    return [v for raw in request.query_params.getlist(name) for v in raw.split(",") if v]
