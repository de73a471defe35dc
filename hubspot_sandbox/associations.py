"""CRM associations v4: typed links between records, stored in both directions."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hubspot_sandbox.auth import require_token
from hubspot_sandbox.bodies import json_body
from hubspot_sandbox.clock import iso
from hubspot_sandbox.errors import not_found, validation_error
from hubspot_sandbox.records import Association
from hubspot_sandbox.sandbox import sandbox_of
from hubspot_sandbox.store import Store

JsonDict = dict[str, Any]

OBJECT_TYPES = {
    "contact": "contacts",
    "contacts": "contacts",
    "0-1": "contacts",
    "ticket": "tickets",
    "tickets": "tickets",
    "0-5": "tickets",
    "note": "notes",
    "notes": "notes",
    "0-46": "notes",
    "thread": "threads",
    "threads": "threads",
    "conversation": "threads",
    "conversations": "threads",
}
OBJECT_TYPE_IDS = {"contacts": "0-1", "tickets": "0-5", "notes": "0-46", "threads": "0-11"}

# HubSpot-defined association types (from → to) and their inverse.
DEFAULT_TYPES: dict[tuple[str, str], int] = {
    ("contacts", "tickets"): 15,
    ("tickets", "contacts"): 16,
    ("tickets", "notes"): 227,
    ("notes", "tickets"): 228,
    ("contacts", "notes"): 201,
    ("notes", "contacts"): 202,
    ("tickets", "threads"): 32,
    ("threads", "tickets"): 32,
}
EXTRA_TYPES: dict[tuple[str, str], set[int]] = {("tickets", "threads"): {278}}


def object_type(name: str) -> str:
    normalized = OBJECT_TYPES.get(name.lower())
    if normalized is None:
        raise validation_error(f"Unable to infer object type from: {name}")
    return normalized


def exists(store: Store, kind: str, id: str) -> bool:
    if kind == "threads":
        return id in store.threads
    record = store.objects[kind].get(id)
    return record is not None and not record.archived


def check_spec(from_type: str, to_type: str, category: str, type_id: int) -> None:
    allowed = {DEFAULT_TYPES.get((from_type, to_type))} | EXTRA_TYPES.get(
        (from_type, to_type), set()
    )
    if category != "HUBSPOT_DEFINED" or type_id not in allowed:
        raise validation_error(
            f"{category} association type {type_id} is not valid from "
            f"{from_type} to {to_type}; allowed: {sorted(a for a in allowed if a)}"
        )


def associate(
    store: Store, from_type: str, from_id: str, to_type: str, to_id: str, type_id: int | None = None
) -> None:
    """Links two records (both directions); raises HubSpot's 400 for unknown types or records."""
    type_id = type_id if type_id is not None else DEFAULT_TYPES.get((from_type, to_type))
    if type_id is None:
        raise validation_error(f"No association between {from_type} and {to_type}")
    check_spec(from_type, to_type, "HUBSPOT_DEFINED", type_id)
    for kind, id in ((from_type, from_id), (to_type, to_id)):
        if not exists(store, kind, id):
            raise validation_error(f"One or more associations are invalid: {kind} {id} not found")
    inverse = (
        DEFAULT_TYPES[(to_type, from_type)]
        if type_id == DEFAULT_TYPES[(from_type, to_type)]
        else type_id
    )
    for link in (
        Association(from_type, from_id, to_type, to_id, "HUBSPOT_DEFINED", type_id),
        Association(to_type, to_id, from_type, from_id, "HUBSPOT_DEFINED", inverse),
    ):
        if link not in store.associations:
            store.associations.append(link)
    link_thread(store, from_type, from_id, to_type, to_id)


def link_thread(store: Store, from_type: str, from_id: str, to_type: str, to_id: str) -> None:
    pair = {from_type: from_id, to_type: to_id}
    if "threads" in pair and "tickets" in pair:
        store.threads[pair["threads"]].ticket_id = pair["tickets"]


def apply_inline(store: Store, from_type: str, from_id: str, items: list[JsonDict]) -> None:
    """The `associations` of a CRM create body; HubSpot checks them before creating."""
    for item in items:
        to_id = str(item["to"]["id"])
        for spec in item.get("types", []):
            to_type = target_type(from_type, int(spec["associationTypeId"]))
            check_spec(
                from_type, to_type, spec["associationCategory"], int(spec["associationTypeId"])
            )
            associate(store, from_type, from_id, to_type, to_id, int(spec["associationTypeId"]))


def target_type(from_type: str, type_id: int) -> str:
    for (source, target), known in DEFAULT_TYPES.items():
        if source == from_type and (
            known == type_id or type_id in EXTRA_TYPES.get((source, target), ())
        ):
            return target
    raise validation_error(f"association type {type_id} is not valid from {from_type}")


def links(store: Store, from_type: str, from_id: str, to_type: str) -> dict[str, list[Association]]:
    found: dict[str, list[Association]] = {}
    for a in store.associations:
        if (a.from_type, a.from_id, a.to_type) == (from_type, from_id, to_type):
            found.setdefault(a.to_id, []).append(a)
    return found


def association_shape(to_id: str, items: list[Association]) -> JsonDict:
    types = [{"category": a.category, "typeId": a.type_id, "label": None} for a in items]
    return {"toObjectId": to_id, "associationTypes": types}


async def put_default(request: Request) -> Response:
    store = sandbox_of(request).store
    require_token(request)
    p = request.path_params
    from_type, to_type = object_type(p["fromObjectType"]), object_type(p["toObjectType"])
    associate(store, from_type, p["fromObjectId"], to_type, p["toObjectId"])
    now = iso(store.clock.now())
    results = [
        {
            "from": {"id": a.from_id},
            "to": {"id": a.to_id},
            "associationSpec": {"associationCategory": a.category, "associationTypeId": a.type_id},
        }
        for a in store.associations
        if {a.from_id, a.to_id} == {p["fromObjectId"], p["toObjectId"]}
    ]
    return JSONResponse(
        {"status": "COMPLETE", "results": results, "startedAt": now, "completedAt": now}
    )


async def put_labelled(request: Request) -> Response:
    store = sandbox_of(request).store
    require_token(request)
    p = request.path_params
    specs = await json_body(request)
    if not isinstance(specs, list) or not specs:
        raise validation_error("Invalid input JSON: expected a list of association types")
    from_type, to_type = object_type(p["objectType"]), object_type(p["toObjectType"])
    for spec in specs:
        check_spec(
            from_type,
            to_type,
            spec.get("associationCategory", ""),
            int(spec.get("associationTypeId", 0)),
        )
        associate(
            store,
            from_type,
            p["objectId"],
            to_type,
            p["toObjectId"],
            int(spec["associationTypeId"]),
        )
    return JSONResponse(
        {
            "fromObjectTypeId": OBJECT_TYPE_IDS[from_type],
            "fromObjectId": p["objectId"],
            "toObjectTypeId": OBJECT_TYPE_IDS[to_type],
            "toObjectId": p["toObjectId"],
            "labels": [],
        },
        status_code=201,
    )


async def list_associations(request: Request) -> Response:
    store = sandbox_of(request).store
    require_token(request)
    p = request.path_params
    from_type, to_type = object_type(p["objectType"]), object_type(p["toObjectType"])
    if not exists(store, from_type, p["objectId"]):
        raise not_found(f"{from_type} {p['objectId']} not found")
    found = links(store, from_type, p["objectId"], to_type)
    return JSONResponse({"results": [association_shape(k, v) for k, v in found.items()]})


async def delete_associations(request: Request) -> Response:
    store = sandbox_of(request).store
    require_token(request)
    p = request.path_params
    pair = {p["objectId"], p["toObjectId"]}
    store.associations = [a for a in store.associations if {a.from_id, a.to_id} != pair]
    return Response(status_code=204)


PREFIX = "/crm/v4/objects/{objectType}/{objectId}/associations"
routes = [
    Route(
        "/crm/v4/objects/{fromObjectType}/{fromObjectId}/associations/default/{toObjectType}/{toObjectId}",
        put_default,
        methods=["PUT"],
    ),
    Route(PREFIX + "/{toObjectType}", list_associations, methods=["GET"]),
    Route(PREFIX + "/{toObjectType}/{toObjectId}", put_labelled, methods=["PUT"]),
    Route(PREFIX + "/{toObjectType}/{toObjectId}", delete_associations, methods=["DELETE"]),
]
