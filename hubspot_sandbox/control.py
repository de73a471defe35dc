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
from hubspot_sandbox.project import parse_project
from hubspot_sandbox.records import CrmObject, Owner, StoredFile, Thread
from hubspot_sandbox.sandbox import Sandbox, sandbox_of
from hubspot_sandbox.store import PRO, TIERS
from hubspot_sandbox.subscriptions import settings_shape, subscription_shape

JsonDict = dict[str, Any]


async def body_of(request: Request) -> JsonDict:
    raw = await request.body()
    body = await request.json() if raw else {}
    if not isinstance(body, dict):
        raise validation_error("expected a JSON object")
    return body


async def target(request: Request) -> tuple[Sandbox, JsonDict]:
    """The portal a control call acts in (`portalId` in the body or query, else the first) and
    the call's body."""
    body = await body_of(request)
    root: Sandbox = request.app.state.sandbox
    wanted = body.get("portalId") or request.query_params.get("portalId")
    return (root.portal(wanted) if wanted else root.first), body


async def thread_target(request: Request) -> tuple[Sandbox, Thread, JsonDict]:
    """The thread named in the path and its portal (thread ids are unique across portals); a
    `portalId` given with it must be the thread's own."""
    sandbox, body = await target(request)
    thread_id = request.path_params["threadId"]
    named = body.get("portalId") or request.query_params.get("portalId")
    candidates = [sandbox] if named else list(sandbox.portals.values())
    for portal in candidates:
        thread = portal.store.threads.get(thread_id)
        if thread is not None:
            return portal, thread, body
    raise not_found(f"Thread {thread_id} not found")


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
    portals = [
        {"portalId": p.config.portal_id, "name": p.store.name} for p in sandbox.portals.values()
    ]
    crm = {
        kind: [crm_state(sandbox, o) for o in store.objects[kind].values()]
        for kind in ("contacts", "tickets", "notes")
    }
    return crm | {
        "portal": {
            "portalId": config.portal_id,
            "name": store.name,
            "appId": config.app_id,
            "now": iso(sandbox.clock.now()),
        },
        "portals": portals,
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


async def configure_project(request: Request) -> Response:
    """The app as a developer-platform project: `{"app": <app-hsmeta.json>, "webhooks":
    <webhooks-hsmeta.json>}` set its scopes, redirect URLs, target URL and subscriptions."""
    sandbox, body = await target(request)
    project = parse_project(body.get("app"), body.get("webhooks"))
    sandbox.app.configure_project(project)
    subs = [subscription_shape(s) for s in sandbox.app.subscriptions.values()]
    answer = {
        "scopes": list(project.scopes),
        "redirectUrls": list(project.redirect_uris),
        "targetUrl": project.target_url,
        "subscriptions": subs,
    }
    return JSONResponse(answer)


async def add_portal(request: Request) -> Response:
    """Another portal the app can be installed in, seeded like the first."""
    sandbox, body = await target(request)
    name = str(body.get("name") or "").strip()
    tier = str(body.get("tier") or PRO)
    if not name or tier not in TIERS:
        raise validation_error(f"name is required and tier is one of {', '.join(TIERS)}")
    portal = sandbox.add_portal(name, tier)
    token = portal.config.private_app_token
    answer = {
        "portalId": portal.config.portal_id,
        "name": name,
        "tier": tier,
        "privateAppToken": token,
    }
    return JSONResponse(answer, status_code=201)


async def reply(request: Request) -> Response:
    """A rep replies: `{"text", "agent"?, "attachments"?, "richText"?, "webhookDelayMs"?}`; the
    delay holds the channel webhook back, as a slow or retried delivery of HubSpot's would be."""
    sandbox, thread, body = await thread_target(request)
    text = str(body.get("text") or "")
    eggs = attachment_eggs(sandbox, body.get("attachments") or [])
    if not text and not eggs:
        raise validation_error("text or attachments are required")
    owner = agent(sandbox, thread, body.get("agent"))
    delay_s = float(body.get("webhookDelayMs") or 0) / 1000
    message = threads.agent_message(
        sandbox, thread, owner, text, body.get("richText"), eggs, "HUBSPOT", delay_s
    )
    return JSONResponse(shapes.message(message), status_code=201)


async def comment(request: Request) -> Response:
    sandbox, thread, body = await thread_target(request)
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
    sandbox, thread, _ = await thread_target(request)
    threads.set_status(sandbox, thread, "CLOSED", source="CONVERSATIONS")
    return JSONResponse(shapes.thread(thread))


async def reopen(request: Request) -> Response:
    sandbox, thread, _ = await thread_target(request)
    threads.set_status(sandbox, thread, "OPEN", source="CONVERSATIONS")
    return JSONResponse(shapes.thread(thread))


async def assign(request: Request) -> Response:
    sandbox, thread, body = await thread_target(request)
    wanted = body.get("agent")
    owner = agent(sandbox, thread, str(wanted)) if wanted else None
    threads.assign(sandbox, thread, owner, source="CONVERSATIONS")
    return JSONResponse(shapes.thread(thread))


async def edit_ticket(request: Request) -> Response:
    root, body = await target(request)
    wanted = request.path_params["ticketId"]
    found = [
        (p, p.store.objects["tickets"][wanted])
        for p in root.portals.values()
        if wanted in p.store.objects["tickets"]
    ]
    if not found:
        raise not_found("Ticket not found")
    [(sandbox, ticket)] = found
    properties = {k: str(v) for k, v in body.get("properties", {}).items()}
    ticket_events(sandbox, ticket, objects.update(sandbox.store, ticket, properties), "CRM_UI")
    return JSONResponse(shapes.crm_object(ticket, everything=True))


async def faults(request: Request) -> Response:
    sandbox, body = await target(request)
    if request.method == "POST":
        sandbox.faults.update({k: v for k, v in body.items() if k != "portalId"})
    return JSONResponse(sandbox.faults.snapshot())


async def advance_clock(request: Request) -> Response:
    sandbox, body = await target(request)
    sandbox.clock.advance(float(body.get("seconds", 0)))
    return JSONResponse({"now": iso(sandbox.clock.now())})


async def revoke_tokens(request: Request) -> Response:
    sandbox, body = await target(request)
    wanted = body.get("refresh_token")
    named = body.get("portalId") or request.query_params.get("portalId")
    for token in sandbox.store.refresh_tokens.values():
        if wanted in (None, token.token) and (
            not named or token.portal_id == sandbox.config.portal_id
        ):
            token.revoked = True
    return JSONResponse({"revoked": wanted or "all"})


THREAD = "/_sandbox/threads/{threadId}"
routes = [
    Route("/_sandbox/state", get_state, methods=["GET"]),
    Route("/_sandbox/requests", get_requests, methods=["GET"]),
    Route("/_sandbox/webhooks", get_webhooks, methods=["GET"]),
    Route("/_sandbox/reset", reset, methods=["POST"]),
    Route("/_sandbox/portals", add_portal, methods=["POST"]),
    Route("/_sandbox/project", configure_project, methods=["POST"]),
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
