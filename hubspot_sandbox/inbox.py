"""The inbox page where a person plays the rep: threads, replies, notes, close, assign, ticket."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from hubspot_sandbox import associations, objects, threads
from hubspot_sandbox.control import agent, attachment_eggs
from hubspot_sandbox.crm import delete_for_privacy, ticket_events
from hubspot_sandbox.errors import not_found
from hubspot_sandbox.files import content
from hubspot_sandbox.records import CrmObject, Message, Thread
from hubspot_sandbox.sandbox import Sandbox, sandbox_of

JsonDict = dict[str, Any]


def clock_time(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%d %b %H:%M UTC")


def author(sandbox: Sandbox, message: Message) -> str:
    if message.created_by.startswith("A-"):
        owner = sandbox.store.owner_by(message.created_by)
        return owner.name if owner else message.created_by
    if message.created_by.startswith("I-"):
        return "relaydesk (integration)"
    names = [s.get("name") for s in message.senders if s.get("name")]
    return str(names[0]) if names else message.created_by


def message_view(sandbox: Sandbox, m: Message) -> JsonDict:
    kind = "note" if m.type == "COMMENT" else ("in" if m.direction == "INCOMING" else "out")
    files = [a for a in m.attachments if a.get("type") == "FILE"]
    return {
        "kind": kind,
        "author": author(sandbox, m),
        "text": m.text,
        "at": clock_time(m.sent_at if m.sent_at is not None else m.created_at),
        "files": files,
        "status": (m.status or {}).get("statusType"),
    }


def thread_title(sandbox: Sandbox, t: Thread) -> str:
    contact = sandbox.store.objects["contacts"].get(t.contact_id or "")
    if contact is not None:
        return contact.properties.get("email") or f"Contact {contact.id}"
    visitor = t.visitor or {}
    return str(
        visitor.get("name") or (visitor.get("deliveryIdentifier") or {}).get("value") or t.id
    )


def ticket_of(sandbox: Sandbox, t: Thread) -> CrmObject | None:
    store = sandbox.store
    ids = [t.ticket_id] if t.ticket_id else []
    if t.contact_id:
        ids += list(associations.links(store, "contacts", t.contact_id, "tickets"))
    return next((store.objects["tickets"][i] for i in ids if i in store.objects["tickets"]), None)


def version(t: Thread) -> str:
    return f"{len(t.messages)}:{t.status}:{t.assigned_to}:{t.ticket_id}"


def page_context(sandbox: Sandbox, request: Request, selected: Thread | None) -> JsonDict:
    ordered = sorted(
        sandbox.store.threads.values(),
        key=lambda t: t.latest_message_at or t.created_at,
        reverse=True,
    )
    context: JsonDict = {
        "request": request,
        "config": sandbox.config,
        "owners": sandbox.store.owners,
        "threads": [
            {
                "id": t.id,
                "title": thread_title(sandbox, t),
                "status": t.status,
                "preview": t.messages[-1].text[:80] if t.messages else "",
                "active": selected is not None and t.id == selected.id,
            }
            for t in ordered
        ],
        "thread": None,
    }
    if selected is None:
        return context
    assignee = sandbox.store.owner_by(selected.assigned_to) if selected.assigned_to else None
    contact = sandbox.store.objects["contacts"].get(selected.contact_id or "")
    return context | {
        "thread": selected,
        "title": thread_title(sandbox, selected),
        "assignee": assignee,
        "messages": [message_view(sandbox, m) for m in selected.messages],
        "contact": contact,
        "ticket": ticket_of(sandbox, selected),
        "stages": sandbox.store.pipelines["tickets"][0]["stages"],
        "version": version(selected),
    }


def thread_or_404(sandbox: Sandbox, request: Request) -> Thread:
    thread = sandbox.store.threads.get(request.path_params["threadId"])
    if thread is None:
        raise not_found("Thread not found")
    return thread


def back_to(thread_id: str) -> Response:
    return RedirectResponse(f"/inbox/threads/{thread_id}", status_code=303)


async def index(request: Request) -> Response:
    return RedirectResponse("/inbox", status_code=307)


async def inbox_page(request: Request) -> Response:
    sandbox = sandbox_of(request)
    selected = None
    if "threadId" in request.path_params:
        selected = thread_or_404(sandbox, request)
    context = page_context(sandbox, request, selected)
    page: Response = request.app.state.templates.TemplateResponse(request, "inbox.html", context)
    return page


async def thread_version(request: Request) -> Response:
    return JSONResponse({"version": version(thread_or_404(sandbox_of(request), request))})


async def uploaded_files(form: Any) -> list[JsonDict]:
    found = []
    for item in form.getlist("files"):
        if isinstance(item, UploadFile) and item.filename:
            data = await item.read()
            found.append(
                {
                    "name": item.filename,
                    "base64": base64.b64encode(data).decode(),
                    "contentType": item.content_type or "application/octet-stream",
                }
            )
    return found


async def reply(request: Request) -> Response:
    sandbox = sandbox_of(request)
    thread = thread_or_404(sandbox, request)
    form = await request.form()
    text = str(form.get("text") or "").strip()
    eggs = attachment_eggs(sandbox, await uploaded_files(form))
    if text or eggs:
        owner = agent(sandbox, thread, str(form.get("agent") or "") or None)
        if form.get("kind") == "note":
            threads.add_comment(sandbox, thread, text, None, eggs, owner.actor_id, "HUBSPOT")
        else:
            threads.agent_message(sandbox, thread, owner, text, None, eggs, "HUBSPOT")
    return back_to(thread.id)


async def change_status(request: Request) -> Response:
    sandbox = sandbox_of(request)
    thread = thread_or_404(sandbox, request)
    status = "CLOSED" if request.url.path.endswith("/close") else "OPEN"
    threads.set_status(sandbox, thread, status, source="CONVERSATIONS")
    return back_to(thread.id)


async def assign(request: Request) -> Response:
    sandbox = sandbox_of(request)
    thread = thread_or_404(sandbox, request)
    wanted = str((await request.form()).get("agent") or "")
    threads.assign(
        sandbox, thread, agent(sandbox, thread, wanted) if wanted else None, source="CONVERSATIONS"
    )
    return back_to(thread.id)


async def ticket_stage(request: Request) -> Response:
    sandbox = sandbox_of(request)
    thread = thread_or_404(sandbox, request)
    ticket = ticket_of(sandbox, thread)
    if ticket is not None:
        stage = str((await request.form()).get("stage") or "")
        changed = objects.update(sandbox.store, ticket, {"hs_pipeline_stage": stage})
        ticket_events(sandbox, ticket, changed, "CRM_UI")
    return back_to(thread.id)


async def delete_contact(request: Request) -> Response:
    """A user deletes the thread's contact with HubSpot's GDPR delete (the contact record's
    "Permanently delete" in HubSpot): apps subscribed to `contact.privacyDeletion` hear it."""
    sandbox = sandbox_of(request)
    thread = thread_or_404(sandbox, request)
    contact = sandbox.store.objects["contacts"].get(thread.contact_id or "")
    if contact is not None:
        delete_for_privacy(sandbox, contact)
    return back_to(thread.id)


async def inbox_file(request: Request) -> Response:
    stored = sandbox_of(request).store.files.get(request.path_params["fileId"])
    if stored is None:
        return Response("Not found", status_code=404)
    return content(stored)


THREAD = "/inbox/threads/{threadId}"
routes = [
    Route("/", index, methods=["GET"]),
    Route("/inbox", inbox_page, methods=["GET"]),
    Route(THREAD, inbox_page, methods=["GET"]),
    Route(THREAD + "/version", thread_version, methods=["GET"]),
    Route(THREAD + "/reply", reply, methods=["POST"]),
    Route(THREAD + "/close", change_status, methods=["POST"]),
    Route(THREAD + "/reopen", change_status, methods=["POST"]),
    Route(THREAD + "/assign", assign, methods=["POST"]),
    Route(THREAD + "/ticket-stage", ticket_stage, methods=["POST"]),
    Route(THREAD + "/gdpr-delete-contact", delete_contact, methods=["POST"]),
    Route("/inbox/files/{fileId}", inbox_file, methods=["GET"]),
]
