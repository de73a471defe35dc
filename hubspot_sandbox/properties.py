"""CRM properties API v3: list, read and create property definitions (409 when taken)."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hubspot_sandbox import shapes
from hubspot_sandbox.auth import require_token
from hubspot_sandbox.bodies import json_object, required_str
from hubspot_sandbox.errors import HubSpotError, not_found, validation_error
from hubspot_sandbox.records import Property
from hubspot_sandbox.sandbox import sandbox_of

NAME = re.compile(r"^[a-z][a-z0-9_]*$")
KINDS = {
    "contact": "contacts",
    "ticket": "tickets",
    "note": "notes",
    "0-1": "contacts",
    "0-5": "tickets",
    "0-46": "notes",
}
OPTION_FIELD_TYPES = {"checkbox", "radio", "select", "booleancheckbox"}


def object_kind(request: Request) -> str:
    kind = str(request.path_params["objectType"]).lower()
    kind = KINDS.get(kind, kind)
    if kind not in ("contacts", "tickets", "notes"):
        raise not_found(f"Unknown object type {kind}")
    return kind


async def list_properties(request: Request) -> Response:
    store = sandbox_of(request).store
    require_token(request)
    kind = object_kind(request)
    found = [shapes.crm_property(p) for (k, _), p in store.properties.items() if k == kind]
    return JSONResponse({"results": found})


async def get_property(request: Request) -> Response:
    store = sandbox_of(request).store
    require_token(request)
    name = request.path_params["propertyName"]
    prop = store.properties.get((object_kind(request), name))
    if prop is None:
        raise not_found(f"Unable to find property {name}")
    return JSONResponse(shapes.crm_property(prop))


async def create_property(request: Request) -> Response:
    store = sandbox_of(request).store
    require_token(request)
    kind = object_kind(request)
    body = await json_object(request)
    name = required_str(body, "name")
    if not NAME.match(name):
        raise validation_error(f"Property name {name!r} must be lowercase letters, digits and _")
    if (kind, name) in store.properties:
        raise HubSpotError(409, f"Property named '{name}' already exists.", "OBJECT_ALREADY_EXISTS")
    options = body.get("options") or []
    if body.get("type") == "enumeration" and body.get("fieldType") not in OPTION_FIELD_TYPES:
        raise validation_error("enumeration properties need a checkbox, radio or select fieldType")
    prop = Property(
        object_type=kind,
        name=name,
        label=required_str(body, "label"),
        type=required_str(body, "type"),
        field_type=required_str(body, "fieldType"),
        group_name=required_str(body, "groupName"),
        options=[dict(o) for o in options],
        created_at=store.clock.now(),
        description=str(body.get("description") or ""),
    )
    store.properties[(kind, name)] = prop
    return JSONResponse(shapes.crm_property(prop), status_code=201)


routes = [
    Route("/crm/v3/properties/{objectType}", list_properties, methods=["GET"]),
    Route("/crm/v3/properties/{objectType}", create_property, methods=["POST"]),
    Route("/crm/v3/properties/{objectType}/{propertyName}", get_property, methods=["GET"]),
]
