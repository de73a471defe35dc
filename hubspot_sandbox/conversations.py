"""Conversations inbox & messages API v3: inboxes, threads, their messages and comments, actors."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hubspot_sandbox import shapes, threads
from hubspot_sandbox.auth import require_token
from hubspot_sandbox.bodies import json_object, required_list, required_str
from hubspot_sandbox.clock import iso
from hubspot_sandbox.errors import not_found, validation_error
from hubspot_sandbox.records import Thread
from hubspot_sandbox.sandbox import Sandbox, sandbox_of

JsonDict = dict[str, Any]
BUILT_IN_CHANNELS = {"1000": "Chat", "1002": "Email"}


def thread_or_404(sandbox: Sandbox, request: Request) -> Thread:
    thread = sandbox.store.threads.get(request.path_params["threadId"])
    if thread is None:
        raise not_found(f"Thread {request.path_params['threadId']} not found")
    return thread


def page(items: list[JsonDict], request: Request, default_limit: int = 100) -> JsonDict:
    """HubSpot's forward paging: `after` is an opaque cursor (here, an offset)."""
    limit = min(int(request.query_params.get("limit", default_limit)), 500)
    limit = min(limit, sandbox_of(request).faults.page_size or limit)
    after = int(request.query_params.get("after") or 0)
    body: JsonDict = {"results": items[after : after + limit]}
    if after + limit < len(items):
        body["paging"] = {"next": {"after": str(after + limit)}}
    return body


async def list_inboxes(request: Request) -> Response:
    sandbox = sandbox_of(request)
    require_token(request)
    found = [shapes.inbox(i) for i in sandbox.store.inboxes.values()]
    return JSONResponse({"total": len(found)} | page(found, request))


async def get_inbox(request: Request) -> Response:
    sandbox = sandbox_of(request)
    require_token(request)
    inbox = sandbox.store.inboxes.get(request.path_params["inboxId"])
    if inbox is None:
        raise not_found(f"Inbox {request.path_params['inboxId']} not found")
    return JSONResponse(shapes.inbox(inbox))


async def list_channels(request: Request) -> Response:
    sandbox = sandbox_of(request)
    require_token(request)
    found = [{"id": k, "name": v} for k, v in BUILT_IN_CHANNELS.items()] + [
        {"id": c.id, "name": c.name} for c in sandbox.store.channels.values() if not c.archived
    ]
    return JSONResponse({"total": len(found)} | page(found, request))


async def list_channel_accounts(request: Request) -> Response:
    sandbox = sandbox_of(request)
    require_token(request)
    q = request.query_params
    channel_ids, inbox_ids = set(q.getlist("channelId")), set(q.getlist("inboxId"))
    found = [
        shapes.channel_account(a)
        for a in sandbox.store.channel_accounts.values()
        if (not channel_ids or a.channel_id in channel_ids)
        and (not inbox_ids or a.inbox_id in inbox_ids)
    ]
    return JSONResponse({"total": len(found)} | page(found, request))


async def get_channel_account(request: Request) -> Response:
    sandbox = sandbox_of(request)
    require_token(request)
    account = sandbox.store.channel_accounts.get(request.path_params["channelAccountId"])
    if account is None:
        raise not_found("Channel account not found")
    return JSONResponse(shapes.channel_account(account))


def thread_matches(t: Thread, q: Any) -> bool:
    wanted = {
        "inboxId": t.inbox_id,
        "associatedContactId": t.contact_id,
        "associatedTicketId": t.ticket_id,
        "threadStatus": t.status,
    }
    return all(q.get(k) in (None, v) for k, v in wanted.items()) and (
        t.archived == (q.get("archived") == "true")
    )


async def list_threads(request: Request) -> Response:
    sandbox = sandbox_of(request)
    require_token(request)
    q = request.query_params
    found = [t for t in sandbox.store.threads.values() if thread_matches(t, q)]
    if q.get("sort", "id").lstrip("-") == "latestMessageTimestamp":
        found.sort(
            key=lambda t: t.latest_message_at or t.created_at, reverse=q["sort"].startswith("-")
        )
    with_ticket = q.get("association") == "TICKET"
    return JSONResponse(page([shapes.thread(t, with_ticket) for t in found], request))


async def get_thread(request: Request) -> Response:
    sandbox = sandbox_of(request)
    require_token(request)
    thread = thread_or_404(sandbox, request)
    return JSONResponse(shapes.thread(thread, request.query_params.get("association") == "TICKET"))


async def update_thread(request: Request) -> Response:
    sandbox = sandbox_of(request)
    require_token(request)
    body = await json_object(request)
    thread = thread_or_404(sandbox, request)
    if body.get("archived") is False:
        thread.archived = False
    elif body.get("status") in ("OPEN", "CLOSED"):
        threads.set_status(sandbox, thread, body["status"])
    else:
        raise validation_error("Only status (OPEN or CLOSED) or archived=false can be updated")
    return JSONResponse(shapes.thread(thread))


async def archive_thread(request: Request) -> Response:
    sandbox = sandbox_of(request)
    require_token(request)
    thread_or_404(sandbox, request).archived = True
    return Response(status_code=204)


async def list_messages(request: Request) -> Response:
    sandbox = sandbox_of(request)
    require_token(request)
    thread = thread_or_404(sandbox, request)
    found = [shapes.message(m) for m in thread.messages]
    if request.query_params.get("sort", "").startswith("-"):
        found.reverse()
    return JSONResponse(page(found, request))


async def get_message(request: Request) -> Response:
    sandbox = sandbox_of(request)
    require_token(request)
    thread = thread_or_404(sandbox, request)
    message = next((m for m in thread.messages if m.id == request.path_params["messageId"]), None)
    if message is None:
        raise not_found(f"Message {request.path_params['messageId']} not found")
    shape = shapes.message(message)
    if request.url.path.endswith("/original-content"):
        return JSONResponse({"text": shape["text"], "richText": shape["richText"]})
    return JSONResponse(shape)


async def post_message(request: Request) -> Response:
    sandbox = sandbox_of(request)
    require_token(request)
    body = await json_object(request)
    thread = thread_or_404(sandbox, request)
    text, attachments = required_str(body, "text"), required_list(body, "attachments")
    if body.get("type") == "COMMENT":
        message = threads.add_comment(
            sandbox,
            thread,
            text,
            body.get("richText"),
            attachments,
            f"I-{sandbox.config.app_id}",
            "INTEGRATION",
        )
        return JSONResponse(shapes.message(message), status_code=201)
    if body.get("type") != "MESSAGE":
        raise validation_error("type must be MESSAGE or COMMENT")
    owner = sandbox.store.owner_by(required_str(body, "senderActorId"))
    if owner is None or not body["senderActorId"].startswith("A-"):
        raise validation_error(
            f"senderActorId {body['senderActorId']} is not a user of this portal"
        )
    if (body.get("channelId"), body.get("channelAccountId")) != (
        thread.channel_id,
        thread.channel_account_id,
    ):
        raise validation_error("channelId and channelAccountId must be the thread's")
    message = threads.agent_message(
        sandbox, thread, owner, text, body.get("richText"), attachments, "INTEGRATION"
    )
    return JSONResponse(shapes.message(message), status_code=201)


async def put_assignee(request: Request) -> Response:
    sandbox = sandbox_of(request)
    require_token(request)
    thread = thread_or_404(sandbox, request)
    if request.method == "DELETE":
        threads.assign(sandbox, thread, None)
        return Response(status_code=204)
    actor_id = required_str(await json_object(request), "actorId")
    owner = sandbox.store.owner_by(actor_id)
    if owner is None:
        raise validation_error(f"Actor {actor_id} is not a user of this portal")
    threads.assign(sandbox, thread, owner)
    return JSONResponse(shapes.thread(thread))


def actor(sandbox: Sandbox, actor_id: str) -> JsonDict | None:
    prefix, _, key = actor_id.partition("-")
    if prefix == "A":
        owner = sandbox.store.owner_by(actor_id)
        return shapes.agent_actor(owner) if owner else None
    if prefix == "V":
        contact = sandbox.store.objects["contacts"].get(key)
        if contact is None:
            return None
        p = contact.properties
        name = " ".join(filter(None, (p.get("firstname"), p.get("lastname")))) or p.get("email")
        return {"id": actor_id, "type": "VISITOR", "name": name, "email": p.get("email")}
    if prefix == "I" and key == str(sandbox.config.app_id):
        return {"id": actor_id, "type": "INTEGRATOR", "name": "relaydesk"}
    if actor_id == "S-hubspot":
        return {"id": actor_id, "type": "SYSTEM", "name": "HubSpot"}
    return None


async def get_actor(request: Request) -> Response:
    sandbox = sandbox_of(request)
    require_token(request)
    found = actor(sandbox, request.path_params["actorId"])
    if found is None:
        raise not_found(f"Actor {request.path_params['actorId']} not found")
    return JSONResponse(found)


async def batch_read_actors(request: Request) -> Response:
    sandbox = sandbox_of(request)
    require_token(request)
    inputs = required_list(await json_object(request), "inputs")
    found = [a for a in (actor(sandbox, str(i)) for i in inputs) if a is not None]
    now = iso(sandbox.clock.now())
    return JSONResponse(
        {"status": "COMPLETE", "results": found, "startedAt": now, "completedAt": now}
    )


BASE = "/conversations/v3/conversations"
THREAD = BASE + "/threads/{threadId}"
routes = [
    Route(BASE + "/inboxes", list_inboxes, methods=["GET"]),
    Route(BASE + "/inboxes/{inboxId}", get_inbox, methods=["GET"]),
    Route(BASE + "/channels", list_channels, methods=["GET"]),
    Route(BASE + "/channel-accounts", list_channel_accounts, methods=["GET"]),
    Route(BASE + "/channel-accounts/{channelAccountId}", get_channel_account, methods=["GET"]),
    Route(BASE + "/threads", list_threads, methods=["GET"]),
    Route(THREAD, get_thread, methods=["GET"]),
    Route(THREAD, update_thread, methods=["PATCH"]),
    Route(THREAD, archive_thread, methods=["DELETE"]),
    Route(THREAD + "/messages", list_messages, methods=["GET"]),
    Route(THREAD + "/messages", post_message, methods=["POST"]),
    Route(THREAD + "/messages/{messageId}", get_message, methods=["GET"]),
    Route(THREAD + "/messages/{messageId}/original-content", get_message, methods=["GET"]),
    Route(THREAD + "/assignee", put_assignee, methods=["POST"]),
    Route(
        "/conversations/conversations/v3/threads/{threadId}/assignee",
        put_assignee,
        methods=["PUT", "DELETE"],
    ),
    Route(BASE + "/actors/batch/read", batch_read_actors, methods=["POST"]),
    Route(BASE + "/actors/{actorId}", get_actor, methods=["GET"]),
]
