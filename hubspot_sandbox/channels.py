"""Custom channels API: the channel (developer key), its accounts, the messages on it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hubspot_sandbox import shapes, threads
from hubspot_sandbox.auth import require_app_token, require_developer_key
from hubspot_sandbox.bodies import json_object, required_list, required_str
from hubspot_sandbox.conversations import page
from hubspot_sandbox.errors import HubSpotError, not_found, validation_error
from hubspot_sandbox.records import Channel, ChannelAccount, Message
from hubspot_sandbox.sandbox import Sandbox, sandbox_of

JsonDict = dict[str, Any]
READ, WRITE = "conversations.custom_channels.read", "conversations.custom_channels.write"
IDENTIFIER_TYPES = {
    "HS_EMAIL_ADDRESS",
    "HS_PHONE_NUMBER",
    "HS_SHORT_CODE",
    "CHANNEL_SPECIFIC_OPAQUE_ID",
}
THREADING_MODELS = {"INTEGRATION_THREAD_ID", "DELIVERY_IDENTIFIER"}
CHANNEL_FIELDS = {
    "webhookUrl": "webhook_url",
    "channelDescription": "description",
    "channelLogoUrl": "logo_url",
    "channelAccountConnectionRedirectUrl": "connection_redirect_url",
}


def bad_capabilities(message: str) -> HubSpotError:
    return HubSpotError(
        400,
        message,
        "VALIDATION_ERROR",
        sub_category="CustomChannelsError.INVALID_CHANNEL_CAPABILITY_VALUES",
    )


def check_capabilities(capabilities: Any) -> JsonDict:
    if not isinstance(capabilities, dict):
        raise bad_capabilities("capabilities must be an object")
    types = capabilities.get("deliveryIdentifierTypes", [])
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
        raise bad_capabilities("deliveryIdentifierTypes must be an array of strings")
    if set(types) - IDENTIFIER_TYPES:
        raise bad_capabilities(
            f"Unknown deliveryIdentifierTypes: {sorted(set(types) - IDENTIFIER_TYPES)}"
        )
    model = capabilities.get("threadingModel")
    if model is not None and model not in THREADING_MODELS:
        raise bad_capabilities(f"Unknown threadingModel {model}")
    return capabilities


def channel_or_404(sandbox: Sandbox, request: Request) -> Channel:
    channel = sandbox.store.channels.get(request.path_params["channelId"])
    if channel is None or channel.archived:
        raise not_found(f"Channel {request.path_params['channelId']} not found")
    return channel


def account_or_404(sandbox: Sandbox, channel: Channel, account_id: str) -> ChannelAccount:
    account = sandbox.store.channel_accounts.get(account_id)
    if account is None or account.channel_id != channel.id:
        raise not_found(f"Channel account {account_id} not found for channel {channel.id}")
    return account


async def create_channel(request: Request) -> Response:
    sandbox = sandbox_of(request)
    require_developer_key(request)
    body = await json_object(request)
    channel = Channel(
        sandbox.store.next_id("channels"),
        required_str(body, "name"),
        check_capabilities(body.get("capabilities")),
        sandbox.clock.now(),
    )
    for field, attribute in CHANNEL_FIELDS.items():
        setattr(channel, attribute, body.get(field))
    sandbox.store.channels[channel.id] = channel
    return JSONResponse(shapes.channel(channel), status_code=201)


async def list_channels(request: Request) -> Response:
    sandbox = sandbox_of(request)
    require_developer_key(request)
    found = [shapes.channel(c) for c in sandbox.store.channels.values() if not c.archived]
    return JSONResponse({"total": len(found)} | page(found, request))


async def get_channel(request: Request) -> Response:
    sandbox = sandbox_of(request)
    require_developer_key(request)
    return JSONResponse(shapes.channel(channel_or_404(sandbox, request)))


async def update_channel(request: Request) -> Response:
    sandbox = sandbox_of(request)
    require_developer_key(request)
    body = await json_object(request)
    channel = channel_or_404(sandbox, request)
    if "capabilities" in body:
        channel.capabilities = check_capabilities(body["capabilities"])
    if body.get("name"):
        channel.name = str(body["name"])
    for field, attribute in CHANNEL_FIELDS.items():
        if field in body:
            setattr(channel, attribute, body[field])
    return JSONResponse(shapes.channel(channel))


async def archive_channel(request: Request) -> Response:
    sandbox = sandbox_of(request)
    require_developer_key(request)
    channel_or_404(sandbox, request).archived = True
    return Response(status_code=204)


async def create_account(request: Request) -> Response:
    sandbox = sandbox_of(request)
    require_app_token(request, READ, WRITE)
    body = await json_object(request)
    channel = channel_or_404(sandbox, request)
    inbox_id = required_str(body, "inboxId")
    if inbox_id not in sandbox.store.inboxes:
        raise validation_error(
            f"Inbox {inbox_id} does not exist in portal {sandbox.config.portal_id}"
        )
    if not isinstance(body.get("authorized"), bool):
        raise validation_error("Invalid input JSON: authorized: required field is missing")
    account = ChannelAccount(
        sandbox.store.next_id("channel_accounts"),
        channel.id,
        inbox_id,
        required_str(body, "name"),
        body["authorized"],
        sandbox.clock.now(),
        body.get("deliveryIdentifier"),
    )
    sandbox.store.channel_accounts[account.id] = account
    return JSONResponse(shapes.channel_account(account), status_code=201)


async def list_accounts(request: Request) -> Response:
    sandbox = sandbox_of(request)
    require_app_token(request, READ, WRITE)
    channel = channel_or_404(sandbox, request)
    q = request.query_params
    found = [
        shapes.channel_account(a)
        for a in sandbox.store.channel_accounts.values()
        if a.channel_id == channel.id
        and a.archived == (q.get("archived") == "true")
        and (
            not q.get("deliveryIdentifierValue")
            or (a.delivery_identifier or {}).get("value") == q["deliveryIdentifierValue"]
        )
    ]
    return JSONResponse({"total": len(found)} | page(found, request))


async def get_account(request: Request) -> Response:
    sandbox = sandbox_of(request)
    require_app_token(request, READ, WRITE)
    channel = channel_or_404(sandbox, request)
    return JSONResponse(
        shapes.channel_account(
            account_or_404(sandbox, channel, request.path_params["channelAccountId"])
        )
    )


async def update_account(request: Request) -> Response:
    sandbox = sandbox_of(request)
    require_app_token(request, READ, WRITE)
    body = await json_object(request)
    channel = channel_or_404(sandbox, request)
    account = account_or_404(sandbox, channel, request.path_params["channelAccountId"])
    account.name = str(body.get("name") or account.name)
    if isinstance(body.get("authorized"), bool):
        account.authorized = body["authorized"]
    return JSONResponse(shapes.channel_account(account))


def check_publish(sandbox: Sandbox, channel: Channel, body: JsonDict) -> None:
    for name in ("senders", "recipients"):
        people = required_list(body, name)
        if not people or not all(
            isinstance(p, dict) and p.get("deliveryIdentifier") for p in people
        ):
            raise validation_error(f"Invalid input JSON: {name} need a deliveryIdentifier each")
    if body.get("messageDirection") not in ("INCOMING", "OUTGOING"):
        raise validation_error("Invalid input JSON: messageDirection must be INCOMING or OUTGOING")
    if not isinstance(body.get("text"), str):
        raise validation_error("Invalid input JSON: text: required field is missing")
    model = channel.capabilities.get("threadingModel", "INTEGRATION_THREAD_ID")
    if model == "INTEGRATION_THREAD_ID" and not body.get("integrationThreadId"):
        raise validation_error(
            "integrationThreadId is required for channels threaded by INTEGRATION_THREAD_ID"
        )
    check_files(sandbox, channel.capabilities, body.get("attachments") or [])


def check_files(sandbox: Sandbox, capabilities: JsonDict, attachments: list[Any]) -> None:
    """The channel's declared file capabilities: count, size per file and in all, types."""
    limit = capabilities.get("maxFileAttachmentCount")
    if isinstance(limit, int) and len(attachments) > limit:
        raise validation_error(f"Too many attachments: the channel allows {limit}")
    files = [
        sandbox.store.files[str(a.get("fileId"))]
        for a in attachments
        if isinstance(a, dict) and str(a.get("fileId")) in sandbox.store.files
    ]
    per_file = capabilities.get("maxFileAttachmentSizeBytes")
    types = capabilities.get("allowedFileAttachmentMimeTypes")
    for stored in files:
        if isinstance(per_file, int) and len(stored.content) > per_file:
            raise validation_error(
                f"File {stored.id} is {len(stored.content)} bytes; the channel allows {per_file}"
            )
        if isinstance(types, list) and stored.content_type not in types:
            raise validation_error(
                f"File {stored.id} is {stored.content_type}, which the channel does not allow"
            )
    total = capabilities.get("maxTotalFileAttachmentSizeBytes")
    if isinstance(total, int) and sum(len(f.content) for f in files) > total:
        raise validation_error(f"The attachments exceed the channel's {total} bytes in all")


def timestamp_of(body: JsonDict) -> float | None:
    """The message's own time (`timestamp`, ISO-8601), which the inbox shows."""
    try:
        return datetime.fromisoformat(str(body.get("timestamp"))).timestamp()
    except ValueError:
        return None


async def publish_message(request: Request) -> Response:
    sandbox = sandbox_of(request)
    require_app_token(request, WRITE)
    body = await json_object(request)
    channel = channel_or_404(sandbox, request)
    account = account_or_404(sandbox, channel, required_str(body, "channelAccountId"))
    if not account.authorized or account.archived:
        raise validation_error(f"Channel account {account.id} is not authorized")
    check_publish(sandbox, channel, body)
    message = threads.find_published(sandbox, channel.id, body.get("integrationIdempotencyId"))
    if message is None:
        message = threads.publish(sandbox, channel, account, body)
        message.sent_at = timestamp_of(body)
    return JSONResponse(shapes.message(message), status_code=201)


def message_or_404(sandbox: Sandbox, channel: Channel, message_id: str) -> Message:
    message = sandbox.store.messages.get(message_id)
    if message is None or message.channel_id != channel.id:
        raise not_found(f"Message {message_id} not found on channel {channel.id}")
    return message


async def get_message(request: Request) -> Response:
    sandbox = sandbox_of(request)
    require_app_token(request, READ)
    channel = channel_or_404(sandbox, request)
    return JSONResponse(
        shapes.message(message_or_404(sandbox, channel, request.path_params["messageId"]))
    )


async def update_message_status(request: Request) -> Response:
    sandbox = sandbox_of(request)
    require_app_token(request, WRITE)
    body = await json_object(request)
    channel = channel_or_404(sandbox, request)
    message = message_or_404(sandbox, channel, request.path_params["messageId"])
    status = required_str(body, "statusType")
    if status not in ("SENT", "FAILED", "READ"):
        raise validation_error(f"statusType {status} is not one of SENT, FAILED, READ")
    message.status = {"statusType": status}
    if body.get("errorMessage"):
        message.status["failureDetails"] = {
            "errorMessage": body["errorMessage"],
            "errorMessageTokens": {},
        }
    message.updated_at = sandbox.clock.now()
    return JSONResponse(shapes.message(message))


def channel_routes(collection: str, item: str) -> list[Route]:
    return [
        Route(item, get_channel, methods=["GET"]),
        Route(item, update_channel, methods=["PATCH"]),
        Route(item, archive_channel, methods=["DELETE"]),
        Route(item + "/channel-accounts", create_account, methods=["POST"]),
        Route(item + "/channel-accounts", list_accounts, methods=["GET"]),
        Route(item + "/channel-accounts/{channelAccountId}", get_account, methods=["GET"]),
        Route(item + "/channel-accounts/{channelAccountId}", update_account, methods=["PATCH"]),
        Route(item + "/messages", publish_message, methods=["POST"]),
        Route(item + "/messages/{messageId}", get_message, methods=["GET"]),
        Route(item + "/messages/{messageId}", update_message_status, methods=["PATCH"]),
    ] + [
        Route(collection, create_channel, methods=["POST"]),
        Route(collection, list_channels, methods=["GET"]),
    ]


routes = [
    Route("/conversations/custom-channels/v3", create_channel, methods=["POST"]),
    Route("/conversations/custom-channels/v3", list_channels, methods=["GET"]),
    *channel_routes(
        "/conversations/v3/custom-channels", "/conversations/v3/custom-channels/{channelId}"
    ),
    *channel_routes(
        "/conversations/custom-channels/2026-03",
        "/conversations/custom-channels/2026-03/{channelId}",
    ),
]
