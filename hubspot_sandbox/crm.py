"""CRM objects API v3 for contacts, tickets and notes: create, read, update, search, upsert."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hubspot_sandbox import associations, objects, search, shapes
from hubspot_sandbox.auth import require_token
from hubspot_sandbox.bodies import json_object, query_list, required_list, string_map
from hubspot_sandbox.clock import iso
from hubspot_sandbox.errors import not_found, validation_error
from hubspot_sandbox.records import CrmObject
from hubspot_sandbox.sandbox import Sandbox, sandbox_of
from hubspot_sandbox.subscriptions import app_event, emit

JsonDict = dict[str, Any]
SINGULAR = {"contacts": "contact", "tickets": "ticket", "notes": "note"}


def object_kind(request: Request) -> str:
    kind = str(request.path_params["objectType"])
    if kind not in SINGULAR:
        raise not_found(f"Unknown object type {kind}")
    return kind


def record_or_404(sandbox: Sandbox, kind: str, request: Request) -> CrmObject:
    key = request.path_params["objectId"]
    obj = objects.find(sandbox.store, kind, key, request.query_params.get("idProperty"))
    if obj is None:
        raise not_found("Object not found.  objectId are usually numeric.")
    return obj


def with_associations(
    sandbox: Sandbox, obj: CrmObject, shape: JsonDict, kinds: list[str]
) -> JsonDict:
    found = {}
    for name in kinds:
        kind = associations.object_type(name)
        linked = associations.links(sandbox.store, obj.object_type, obj.id, kind)
        results = [
            {"id": to_id, "type": f"{SINGULAR.get(obj.object_type)}_to_{name.rstrip('s')}"}
            for to_id in linked
        ]
        found[name] = {"results": results}
    return shape | ({"associations": found} if found else {})


def ticket_events(sandbox: Sandbox, obj: CrmObject, changed: dict[str, str], source: str) -> None:
    if obj.object_type == "tickets":
        emit(
            sandbox,
            *(
                app_event(
                    sandbox,
                    "ticket.propertyChange",
                    obj.id,
                    propertyName=name,
                    propertyValue=value,
                    changeSource=source,
                )
                for name, value in changed.items()
            ),
        )


async def create_object(request: Request) -> Response:
    sandbox, kind = sandbox_of(request), object_kind(request)
    require_token(request)
    body = await json_object(request)
    links = body.get("associations") or []
    for item in links:
        for spec in item.get("types", []):
            target = associations.target_type(kind, int(spec["associationTypeId"]))
            if not associations.exists(sandbox.store, target, str(item["to"]["id"])):
                raise validation_error(
                    f"One or more associations are invalid: {target} {item['to']['id']} not found"
                )
    obj = objects.create(sandbox.store, kind, string_map(body, "properties"))
    associations.apply_inline(sandbox.store, kind, obj.id, links)
    if kind == "tickets":
        emit(sandbox, app_event(sandbox, "ticket.creation", obj.id))
    return JSONResponse(shapes.crm_object(obj, everything=True), status_code=201)


async def get_object(request: Request) -> Response:
    sandbox, kind = sandbox_of(request), object_kind(request)
    require_token(request)
    obj = record_or_404(sandbox, kind, request)
    shape = shapes.crm_object(obj, query_list(request, "properties"))
    return JSONResponse(with_associations(sandbox, obj, shape, query_list(request, "associations")))


async def update_object(request: Request) -> Response:
    sandbox, kind = sandbox_of(request), object_kind(request)
    require_token(request)
    body = await json_object(request)
    obj = record_or_404(sandbox, kind, request)
    changed = objects.update(sandbox.store, obj, string_map(body, "properties"))
    ticket_events(sandbox, obj, changed, "API")
    return JSONResponse(shapes.crm_object(obj, everything=True))


async def archive_object(request: Request) -> Response:
    sandbox, kind = sandbox_of(request), object_kind(request)
    require_token(request)
    record_or_404(sandbox, kind, request).archived = True
    return Response(status_code=204)


def delete_for_privacy(sandbox: Sandbox, contact: CrmObject) -> None:
    """The contact and its associations go for good; subscribed apps hear
    `contact.privacyDeletion` and, in a delivery of its own, `contact.deletion`."""
    store = sandbox.store
    del store.objects["contacts"][contact.id]
    gone = ("contacts", contact.id)
    store.associations = [
        a
        for a in store.associations
        if gone not in ((a.from_type, a.from_id), (a.to_type, a.to_id))
    ]
    for thread in store.threads.values():
        if thread.contact_id == contact.id:
            thread.contact_id = None
    emit(sandbox, app_event(sandbox, "contact.privacyDeletion", contact.id))
    emit(sandbox, app_event(sandbox, "contact.deletion", contact.id, changeFlag="DELETED"))


async def gdpr_delete(request: Request) -> Response:
    """HubSpot's permanent, privacy-compliant delete of a contact (by id, or by a unique property
    such as `email`): the record and its associations go, and the app hears it as
    `contact.privacyDeletion` and, separately, as `contact.deletion`. An email that finds no
    contact is answered the same way (HubSpot blocks the address from then on)."""
    sandbox = sandbox_of(request)
    if object_kind(request) != "contacts":
        raise not_found("GDPR delete is available for contacts only")
    require_token(request)
    body = await json_object(request)
    key = body.get("objectId")
    if not isinstance(key, str) or not key:
        raise validation_error("objectId is required")
    store = sandbox.store
    contact = objects.find(store, "contacts", key, body.get("idProperty"))
    if contact is None:
        if body.get("idProperty") in (None, "hs_object_id"):
            raise not_found("Object not found.  objectId are usually numeric.")
        return Response(status_code=204)
    delete_for_privacy(sandbox, contact)
    return Response(status_code=204)


async def list_objects(request: Request) -> Response:
    sandbox, kind = sandbox_of(request), object_kind(request)
    require_token(request)
    limit = min(int(request.query_params.get("limit", 10)), 100)
    after = int(request.query_params.get("after", 0))
    records = [o for o in sandbox.store.objects[kind].values() if not o.archived]
    page = records[after : after + limit]
    body: JsonDict = {
        "results": [shapes.crm_object(o, query_list(request, "properties")) for o in page]
    }
    if after + limit < len(records):
        body["paging"] = {"next": {"after": str(after + limit)}}
    return JSONResponse(body)


async def search_objects(request: Request) -> Response:
    sandbox, kind = sandbox_of(request), object_kind(request)
    require_token(request)
    body = await json_object(request)
    records = list(sandbox.store.objects[kind].values())
    page, total, offset = search.search(records, body, sandbox.clock.now())
    wanted = [str(p) for p in body.get("properties") or []]
    result: JsonDict = {"total": total, "results": [shapes.crm_object(o, wanted) for o in page]}
    if offset + len(page) < total:
        result["paging"] = {"next": {"after": str(offset + len(page))}}
    return JSONResponse(result)


async def batch_upsert(request: Request) -> Response:
    sandbox, kind = sandbox_of(request), object_kind(request)
    require_token(request)
    inputs = required_list(await json_object(request), "inputs")
    started = iso(sandbox.clock.now())
    results = [upsert_one(sandbox, kind, item) for item in inputs]
    return JSONResponse(
        {
            "status": "COMPLETE",
            "results": results,
            "startedAt": started,
            "completedAt": iso(sandbox.clock.now()),
        }
    )


def upsert_one(sandbox: Sandbox, kind: str, item: JsonDict) -> JsonDict:
    id_property = item.get("idProperty") or "hs_object_id"
    properties = string_map(item, "properties")
    obj = objects.find(sandbox.store, kind, str(item["id"]), id_property)
    if obj is None:
        extra = {} if id_property == "hs_object_id" else {id_property: str(item["id"])}
        obj = objects.create(sandbox.store, kind, extra | properties)
        return shapes.crm_object(obj, everything=True) | {"new": True}
    ticket_events(sandbox, obj, objects.update(sandbox.store, obj, properties), "API")
    return shapes.crm_object(obj, everything=True) | {"new": False}


async def batch_read(request: Request) -> Response:
    sandbox, kind = sandbox_of(request), object_kind(request)
    require_token(request)
    body = await json_object(request)
    id_property = body.get("idProperty")
    wanted = [str(p) for p in body.get("properties") or []]
    found = [
        objects.find(sandbox.store, kind, str(i.get("id")), id_property)
        for i in required_list(body, "inputs")
    ]
    now = iso(sandbox.clock.now())
    results = [shapes.crm_object(o, wanted) for o in found if o is not None]
    return JSONResponse(
        {"status": "COMPLETE", "results": results, "startedAt": now, "completedAt": now}
    )


PREFIX = "/crm/v3/objects/{objectType}"
routes = [
    Route(PREFIX, list_objects, methods=["GET"]),
    Route(PREFIX, create_object, methods=["POST"]),
    Route(PREFIX + "/search", search_objects, methods=["POST"]),
    Route(PREFIX + "/gdpr-delete", gdpr_delete, methods=["POST"]),
    Route(PREFIX + "/batch/upsert", batch_upsert, methods=["POST"]),
    Route(PREFIX + "/batch/read", batch_read, methods=["POST"]),
    Route(PREFIX + "/{objectId}", get_object, methods=["GET"]),
    Route(PREFIX + "/{objectId}", update_object, methods=["PATCH"]),
    Route(PREFIX + "/{objectId}", archive_object, methods=["DELETE"]),
]
