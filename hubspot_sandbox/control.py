"""The `/_sandbox/` control API: what tests and the demo use to look inside and act as a rep."""

from __future__ import annotations

import base64
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hubspot_sandbox import associations, objects, shapes, threads
from hubspot_sandbox.clock import iso
from hubspot_sandbox.crm import ticket_events
from hubspot_sandbox.errors import not_found, validation_error
from hubspot_sandbox.records import CrmObject, Owner, StoredFile, Thread
from hubspot_sandbox.sandbox import Sandbox, sandbox_of
from hubspot_sandbox.subscriptions import settings_shape, subscription_shape

JsonDict = dict[str, Any]


async def body_of(request: Request) -> JsonDict:
    raw = await request.body()
    body = await request.json() if raw else {}
    if not isinstance(body, dict):
        raise validation_error("expected a JSON object")
    return body


def thread_or_404(sandbox: Sandbox, request: Request) -> Thread:
    thread = sandbox.store.threads.get(request.path_params["threadId"])
    if thread is None:
        raise not_found(f"Thread {request.path_params['threadId']} not found")
    return thread


def agent(sandbox: Sandbox, thread: Thread | None, wanted: str | None) -> Owner:
    """The rep acting: named by email, id, user id, actor id or name; else the assignee."""
    key = wanted or (thread.assigned_to if thread else None)
    owner = sandbox.store.owner_by(key) if key else sandbox.store.owners[0]
    if owner is None:
        raise validation_error(f"No rep {wanted!r} in this portal")
    return owner


def attachment_eggs(sandbox: Sandbox, items: list[Any]) -> list[JsonDict]:
    """File ids, `{fileId}` objects, or `{name, contentType, base64}` uploaded on the spot."""
    eggs = []
    for item in items:
        if isinstance(item, dict) and "base64" in item:
            item = upload_inline(sandbox, item).id
        file_id = item.get("fileId") if isinstance(item, dict) else item
        eggs.append({"type": "FILE", "fileId": str(file_id)})
    return eggs


def upload_inline(sandbox: Sandbox, item: JsonDict) -> StoredFile:
    name, _, ext = str(item.get("name", "file")).rpartition(".")
    stored = StoredFile(
        sandbox.store.next_id("files"),
        name or ext,
        ext if name else "",
        "/conversations",
        "PRIVATE",
        base64.b64decode(item["base64"]),
        str(item.get("contentType", "application/octet-stream")),
        sandbox.clock.now(),
    )
    sandbox.store.files[stored.id] = stored
    return stored


def crm_state(sandbox: Sandbox, obj: CrmObject) -> JsonDict:
    linked = {
        kind: [
            {"id": to_id, "typeIds": [a.type_id for a in items]}
            for to_id, items in associations.links(
                sandbox.store, obj.object_type, obj.id, kind
            ).items()
        ]
        for kind in ("contacts", "tickets", "notes", "threads")
    }
    return shapes.crm_object(obj, everything=True) | {"associations": linked}


def thread_state(t: Thread) -> JsonDict:
    return shapes.thread(t, with_ticket=True) | {
        "integrationThreadId": t.integration_thread_id,
        "messages": [shapes.message(m) for m in t.messages if m.type == "MESSAGE"],
        "comments": [shapes.message(m) for m in t.messages if m.type == "COMMENT"],
    }


def state(sandbox: Sandbox) -> JsonDict:
    store, config = sandbox.store, sandbox.config
    crm = {
        kind: [crm_state(sandbox, o) for o in store.objects[kind].values()]
        for kind in ("contacts", "tickets", "notes")
    }
    return crm | {
        "portal": {
            "portalId": config.portal_id,
            "appId": config.app_id,
            "now": iso(sandbox.clock.now()),
        },
        "threads": [thread_state(t) for t in store.threads.values()],
        "files": [
            shapes.file(f, config.public_base_url, config.portal_id) for f in store.files.values()
        ],
        "channels": [shapes.channel(c) | {"archived": c.archived} for c in store.channels.values()],
        "channelAccounts": [shapes.channel_account(a) for a in store.channel_accounts.values()],
        "properties": [
            shapes.crm_property(p) | {"objectType": p.object_type}
            for p in store.properties.values()
            if not p.hubspot_defined
        ],
        "owners": [shapes.owner(o, store.seeded_at) for o in store.owners],
        "inboxes": [shapes.inbox(i) for i in store.inboxes.values()],
        "webhooks": {
            "settings": settings_shape(sandbox) if store.webhook_target_url else None,
            "subscriptions": [subscription_shape(s) for s in store.subscriptions.values()],
        },
        "oauth": {
            "refreshTokens": len(store.refresh_tokens),
            "accessTokens": len(store.access_tokens),
        },
    }


async def get_state(request: Request) -> Response:
    return JSONResponse(state(sandbox_of(request)))


async def get_requests(request: Request) -> Response:
    found = [
        {
            "method": r.method,
            "path": r.path,
            "query": r.query,
            "body": r.body,
            "status": r.status,
            "at": iso(r.at),
        }
        for r in sandbox_of(request).store.requests
    ]
    return JSONResponse({"requests": found})


async def get_webhooks(request: Request) -> Response:
    found = [
        {
            "id": d.id,
            "kind": d.kind,
            "url": d.url,
            "types": d.subscription_types,
            "state": d.state,
            "attempts": d.attempts,
            "payload": d.payload,
        }
        for d in sandbox_of(request).store.deliveries
    ]
    return JSONResponse({"deliveries": found})


async def reset(request: Request) -> Response:
    sandbox_of(request).reset()
    return JSONResponse({"status": "reset"})


async def reply(request: Request) -> Response:
    sandbox = sandbox_of(request)
    thread = thread_or_404(sandbox, request)
    body = await body_of(request)
    text = str(body.get("text") or "")
    eggs = attachment_eggs(sandbox, body.get("attachments") or [])
    if not text and not eggs:
        raise validation_error("text or attachments are required")
    owner = agent(sandbox, thread, body.get("agent"))
    message = threads.agent_message(
        sandbox, thread, owner, text, body.get("richText"), eggs, "HUBSPOT"
    )
    return JSONResponse(shapes.message(message), status_code=201)


async def comment(request: Request) -> Response:
    sandbox = sandbox_of(request)
    thread = thread_or_404(sandbox, request)
    body = await body_of(request)
    owner = agent(sandbox, thread, body.get("agent"))
    message = threads.add_comment(
        sandbox,
        thread,
        str(body.get("text") or ""),
        None,
        attachment_eggs(sandbox, body.get("attachments") or []),
        owner.actor_id,
        "HUBSPOT",
    )
    return JSONResponse(shapes.message(message), status_code=201)


async def close(request: Request) -> Response:
    sandbox = sandbox_of(request)
    thread = thread_or_404(sandbox, request)
    threads.set_status(sandbox, thread, "CLOSED", source="CONVERSATIONS")
    return JSONResponse(shapes.thread(thread))


async def reopen(request: Request) -> Response:
    sandbox = sandbox_of(request)
    thread = thread_or_404(sandbox, request)
    threads.set_status(sandbox, thread, "OPEN", source="CONVERSATIONS")
    return JSONResponse(shapes.thread(thread))


async def assign(request: Request) -> Response:
    sandbox = sandbox_of(request)
    thread = thread_or_404(sandbox, request)
    wanted = (await body_of(request)).get("agent")
    owner = agent(sandbox, thread, str(wanted)) if wanted else None
    threads.assign(sandbox, thread, owner, source="CONVERSATIONS")
    return JSONResponse(shapes.thread(thread))


async def edit_ticket(request: Request) -> Response:
    sandbox = sandbox_of(request)
    ticket = sandbox.store.objects["tickets"].get(request.path_params["ticketId"])
    if ticket is None:
        raise not_found("Ticket not found")
    properties = {k: str(v) for k, v in (await body_of(request)).get("properties", {}).items()}
    ticket_events(sandbox, ticket, objects.update(sandbox.store, ticket, properties), "CRM_UI")
    return JSONResponse(shapes.crm_object(ticket, everything=True))


async def faults(request: Request) -> Response:
    sandbox = sandbox_of(request)
    if request.method == "POST":
        sandbox.faults.update(await body_of(request))
    return JSONResponse(sandbox.faults.snapshot())


async def advance_clock(request: Request) -> Response:
    sandbox = sandbox_of(request)
    sandbox.clock.advance(float((await body_of(request)).get("seconds", 0)))
    return JSONResponse({"now": iso(sandbox.clock.now())})


async def revoke_tokens(request: Request) -> Response:
    sandbox = sandbox_of(request)
    wanted = (await body_of(request)).get("refresh_token")
    for token in sandbox.store.refresh_tokens.values():
        if wanted in (None, token.token):
            token.revoked = True
    return JSONResponse({"revoked": wanted or "all"})


THREAD = "/_sandbox/threads/{threadId}"
routes = [
    Route("/_sandbox/state", get_state, methods=["GET"]),
    Route("/_sandbox/requests", get_requests, methods=["GET"]),
    Route("/_sandbox/webhooks", get_webhooks, methods=["GET"]),
    Route("/_sandbox/reset", reset, methods=["POST"]),
    Route("/_sandbox/faults", faults, methods=["GET", "POST"]),
    Route("/_sandbox/clock/advance", advance_clock, methods=["POST"]),
    Route("/_sandbox/tokens/revoke", revoke_tokens, methods=["POST"]),
    Route("/_sandbox/tickets/{ticketId}", edit_ticket, methods=["POST"]),
    Route(THREAD + "/reply", reply, methods=["POST"]),
    Route(THREAD + "/comment", comment, methods=["POST"]),
    Route(THREAD + "/close", close, methods=["POST"]),
    Route(THREAD + "/reopen", reopen, methods=["POST"]),
    Route(THREAD + "/assign", assign, methods=["POST"]),
]
