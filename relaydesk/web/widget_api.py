"""The widget's HTTP API: sessions, messages, history, read marks (files: `widget_files.py`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import EmailStr, Field

from .. import conversations, organizations, visitors
from ..closing import close_conversation, rate_conversation
from ..db import commit
from ..files import MessageLimits
from ..handoffs import visitor_asks_for_person, visitor_left_email
from ..hubspot.inbound.delivery_status import report_read, report_sent
from ..mail_links import page_of, read_reopen_token
from ..models import Closer
from ..payloads import (
    conversation_payload,
    message_payload,
    visitor_payload,
    widget_config,
)
from ..unread_replies import mark_read
from ..visitor_sessions import resume_or_start
from . import shapes, widget_messages
from .deps import (
    IpLimited,
    MessageSender,
    Origin,
    RuntimeDep,
    SessionDep,
    WidgetVisitor,
    allow_origin,
)
from .errors import documented
from .inputs import Body, Text
from .widget_messages import MessageIn

# Message numbers are 32-bit integers in the database; a larger one is a 422, not a 500.
MAX_SEQ = 2**31 - 1
router = APIRouter(prefix="/api/widget/v1", tags=["widget"], dependencies=[IpLimited])

# What a visitor's call can meet before its own work: a token or origin refused, too many calls;
# and a call with a JSON body, that body refused.
VISITOR = (401, 403, 429)
BODY = (400, 408, 413, 422)
SENT_BEFORE: dict[int | str, dict[str, Any]] = {
    200: {"model": shapes.Message, "description": "The message sent before with this client_id"}
}


class SessionIn(Body):
    widget_key: Text = Field(min_length=1, max_length=64)
    visitor_token: Text | None = Field(default=None, max_length=2000)
    identity_token: Text | None = Field(default=None, max_length=8000)
    # The browser's language (navigator.language): the AI's language for short first messages.
    locale: Text | None = Field(default=None, max_length=100)  # one we cannot read is ignored
    # The page the widget runs on (kept when on the request's origin): a reply email's link
    # reopens the conversation there. The token of such a link, from the page's #fragment.
    page_url: Text | None = Field(default=None, max_length=4000)
    reopen_token: Text | None = Field(default=None, max_length=2000)


class ProfileIn(Body):
    name: Text | None = Field(default=None, max_length=200)
    email: EmailStr | None = None


class CsatIn(Body):
    score: int = Field(ge=1, le=5)
    comment: Text | None = Field(default=None, max_length=2000)


class ReadIn(Body):
    up_to_seq: int = Field(ge=0, le=MAX_SEQ)


def message_limits(runtime: RuntimeDep) -> MessageLimits:
    return MessageLimits.of(runtime.settings.limits)


def _config(runtime: RuntimeDep, organization: Any, locale: str | None) -> dict[str, Any]:
    """The organization's look, its words in the browser's language, the limits of one
    message (what HubSpot's channel takes) and how long a file's URL works."""
    limits = message_limits(runtime)
    urls = {"attachment_url_ttl_s": runtime.settings.attachment_url_ttl_s}
    return (
        widget_config(organization, limits.file_bytes, limits.text_length, locale)
        | limits.widget_config()
        | urls
    )


@router.get("/config", response_model=shapes.WidgetConfig, responses=documented(403, 404, 422, 429))
async def get_config(
    session: SessionDep,
    runtime: RuntimeDep,
    widget_key: Annotated[Text, Query(max_length=64)],
    locale: Annotated[Text | None, Query(max_length=100)] = None,
    origin: Origin = None,
) -> dict[str, Any]:
    """403 on an origin the organization does not allow: the loader then mounts nothing."""
    organization = await organizations.by_widget_key(session, widget_key)
    allow_origin(runtime, organization, origin)
    return _config(runtime, organization, locale)


@router.post(
    "/sessions", response_model=shapes.WidgetSession, responses=documented(*VISITOR, 404, *BODY)
)
async def start_session(
    body: SessionIn, session: SessionDep, runtime: RuntimeDep, origin: Origin = None
) -> dict[str, Any]:
    organization = await organizations.by_widget_key(session, body.widget_key)
    allow_origin(runtime, organization, origin)
    reopen = (
        read_reopen_token(runtime.secret, body.reopen_token, organization.id)
        if body.reopen_token
        else None
    )
    visitor, token = await resume_or_start(
        session,
        runtime.settings,
        runtime.vault,
        organization,
        visitor_token=body.visitor_token,
        identity_token=body.identity_token,
        locale=body.locale,
        page=page_of(body.page_url, origin),
        reopen=reopen,
    )
    reopened_id = reopen.conversation_id if reopen else None
    conversation = await conversations.session_conversation(session, visitor, reopened_id)
    await commit(session)
    return {
        "visitor_token": token,
        "visitor": visitor_payload(visitor),
        "conversation": conversation_payload(conversation) if conversation else None,
        "config": _config(runtime, organization, body.locale),
    }


@router.post("/profile", response_model=shapes.Profile, responses=documented(*VISITOR, *BODY))
async def update_profile(
    body: ProfileIn, auth: WidgetVisitor, session: SessionDep, runtime: RuntimeDep
) -> dict[str, Any]:
    """Name and email; an email left where the AI offered the email route hands off."""
    visitors.update_profile(auth.visitor, body.name, str(body.email) if body.email else None)
    await visitor_left_email(session, runtime.effects, auth.visitor)
    await commit(session)
    return {"visitor": visitor_payload(auth.visitor)}


@router.post(
    "/messages",
    status_code=201,
    response_model=shapes.Message,
    responses=SENT_BEFORE | documented(*VISITOR, *BODY),
)
async def post_message(
    body: MessageIn,
    sender: MessageSender,
    session: SessionDep,
    runtime: RuntimeDep,
) -> JSONResponse:
    # Served by `widget_messages.serve`, routed ahead of this declaration: this documents the
    # operation (a docstring here would be its description) and answers alike.
    return await widget_messages.send(session, runtime, sender, body)


@router.get(
    "/conversations/{conversation_id}/messages",
    response_model=shapes.History,
    responses=documented(*VISITOR, 404, 422),
)
async def history(
    conversation_id: Text,
    auth: WidgetVisitor,
    session: SessionDep,
    runtime: RuntimeDep,
    after_seq: Annotated[int, Query(ge=0, le=MAX_SEQ)] = 0,
) -> dict[str, Any]:
    conversation = await conversations.visitor_conversation(session, auth.visitor, conversation_id)
    messages = await conversations.messages_after(session, conversation, after_seq)
    attachments = await conversations.attachments_of(session, messages)
    links = runtime.attachment_urls.for_visitor(auth.visitor.id)
    if conversation.hubspot_thread_id and await report_sent(
        session, runtime.wakeup, conversation.id
    ):
        await commit(session)  # the visitor is back: HubSpot hears the rep's replies were sent
    return {
        "conversation": conversation_payload(conversation),
        "messages": [message_payload(m, attachments.get(m.id, []), links) for m in messages],
    }


@router.post(
    "/conversations/{conversation_id}/close",
    response_model=shapes.Conversation,
    responses=documented(*VISITOR, 404, 422),
)
async def close(
    conversation_id: Text, auth: WidgetVisitor, session: SessionDep, runtime: RuntimeDep
) -> dict[str, Any]:
    """The visitor ends the conversation (the HubSpot thread is closed too, if there is one)."""
    conversation = await conversations.visitor_conversation(session, auth.visitor, conversation_id)
    await close_conversation(session, runtime.effects, conversation, by=Closer.VISITOR)
    await commit(session)
    return conversation_payload(conversation)


@router.post(
    "/conversations/{conversation_id}/csat",
    response_model=shapes.Conversation,
    responses=documented(*VISITOR, 404, *BODY),
)
async def rate(
    conversation_id: Text, body: CsatIn, auth: WidgetVisitor, session: SessionDep
) -> dict[str, Any]:
    conversation = await conversations.visitor_conversation(session, auth.visitor, conversation_id)
    rate_conversation(conversation, body.score, body.comment)
    await commit(session)
    return conversation_payload(conversation)


@router.post(
    "/conversations/{conversation_id}/read",
    status_code=204,
    responses=documented(*VISITOR, 404, *BODY),
)
async def read(
    conversation_id: Text,
    body: ReadIn,
    auth: WidgetVisitor,
    session: SessionDep,
    runtime: RuntimeDep,
) -> None:
    """The widget showed the messages up to `up_to_seq` (so they are not emailed): HubSpot hears
    the rep's were READ."""
    conversation = await conversations.visitor_conversation(session, auth.visitor, conversation_id)
    mark_read(conversation, body.up_to_seq)
    if conversation.hubspot_thread_id:
        await report_read(session, runtime.wakeup, conversation.id, body.up_to_seq)
    await commit(session)


@router.post("/handoff", response_model=shapes.Conversation, responses=documented(*VISITOR, 422))
async def ask_for_person(
    auth: WidgetVisitor, session: SessionDep, runtime: RuntimeDep
) -> dict[str, Any]:
    """The widget's "talk to a person" button."""
    conversation = await visitor_asks_for_person(session, runtime.effects, auth.visitor)
    await commit(session)
    return conversation_payload(conversation)
