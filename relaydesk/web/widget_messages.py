"""A visitor's message, the widget's busiest call, served by a plain Starlette endpoint.

FastAPI's request handling (its dependency solving, exit stacks and body handling) cost this
call about as much as storing the message. `serve` does the same steps in the same order
instead: the body read as FastAPI reads it (malformed JSON is a 400), the address's rate limit,
the sender locked (401 / 403), then the body validated (422), with the same errors. The
operation is still declared in `widget_api` (`post_message`, which calls the same `send`), so
/openapi.json describes it as before; this endpoint is routed ahead of it (`web/app.py`).
"""

from __future__ import annotations

import email.message
import json
from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import Field, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .. import conversations
from ..db import commit
from ..errors import InvalidInput, RateLimited
from ..files import MessageLimits, check_message_files
from ..models import Attachment
from ..payloads import message_payload
from ..runtime import Runtime
from .deps import Sender, get_sender, limit_ip
from .inputs import Body, Text

PATH = "/api/widget/v1/messages"


class MessageIn(Body):
    client_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    text: Text = ""
    attachment_ids: list[Text] = Field(default_factory=list, max_length=10)


async def send(
    session: AsyncSession, runtime: Runtime, sender: Sender, body: MessageIn
) -> JSONResponse:
    """Store the message (once per `client_id`) and answer it: 201, or 200 for a repeat."""
    limits = MessageLimits.of(runtime.settings.limits)
    if len(body.text) > limits.text_length:
        raise InvalidInput(
            f"text is longer than {limits.text_length} characters", code="text_too_long"
        )
    await check_message_files(session, sender.id, body.attachment_ids, limits)
    per_minute = runtime.settings.limits.visitor_messages_per_minute
    wait = await runtime.limiter.acquire(f"visitor:{sender.id}", per_minute / 60, per_minute / 3)
    if wait:
        raise RateLimited("you are sending messages too quickly", retry_after=wait)
    message, created = await conversations.post_visitor_message(
        session,
        runtime.effects,
        sender,
        client_id=body.client_id,
        text=body.text,
        attachment_ids=body.attachment_ids,
        locked=True,
        answerer=runtime.replies,
    )
    attachments: list[Attachment] = []  # a new message has no files but those it was sent
    if body.attachment_ids or not created:
        attachments = (await conversations.attachments_of(session, [message])).get(message.id, [])
    payload = message_payload(message, attachments, runtime.attachment_urls.for_visitor(sender.id))
    await commit(session)
    # Rendered as is: the payload is built to the documented shape, and validating it again
    # against the response model cost as much as storing the message.
    return JSONResponse(payload, status_code=201 if created else 200)


async def serve(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    value = await json_body(request)
    await limit_ip(request, runtime)
    headers = request.headers
    async with runtime.sessions() as session:
        sender = await get_sender(
            session, runtime, headers.get("authorization"), headers.get("origin")
        )
        return await send(session, runtime, sender, message_in(value))


NO_BODY = object()


async def json_body(request: Request) -> Any:
    """The body as FastAPI reads one: JSON when the content type says so, else the bytes (a
    422 then), `NO_BODY` when empty; malformed JSON is a 400, as is a body that cannot be read
    (a refusal of `BodyLimit` then answers instead)."""
    try:
        raw = await request.body()
        return _parsed(raw, request.headers.get("content-type")) if raw else NO_BODY
    except json.JSONDecodeError as exc:
        error = {
            "type": "json_invalid",
            "loc": ("body", exc.pos),
            "msg": "JSON decode error",
            "input": {},
            "ctx": {"error": exc.msg},
        }
        raise RequestValidationError([error], body=exc.doc) from exc
    except Exception as exc:
        raise HTTPException(400, "There was an error parsing the body") from exc


def _parsed(raw: bytes, content_type: str | None) -> Any:
    if not content_type:
        return raw
    parsed = email.message.Message()
    parsed["content-type"] = content_type
    subtype = parsed.get_content_subtype()
    if parsed.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    ):
        return json.loads(raw)
    return raw


def message_in(value: Any) -> MessageIn:
    """The body validated as FastAPI validates a body parameter, its errors under `body`."""
    if value is NO_BODY:
        missing = {"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}
        raise RequestValidationError([missing])
    try:
        return MessageIn.model_validate(value, from_attributes=True)
    except ValidationError as exc:
        errors = [
            {**error, "loc": ("body", *error["loc"])} for error in exc.errors(include_url=False)
        ]
        raise RequestValidationError(errors) from exc
