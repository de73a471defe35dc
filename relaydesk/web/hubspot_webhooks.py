"""HubSpot's webhooks: the custom channel's (rep replies) and the app's one webhook URL.

Thin edge: verify the signature over the raw bytes and the public URL HubSpot called, hand the
body to `hubspot.inbound.receive`, commit, answer 2xx. A rep's plain reply is written in that
transaction and reaches the widget as it commits; other events get their outbox job there, which
runs right here once the answer is sent (the receipt's `process`). A forged, altered or stale
request is refused with 401 and counted.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.background import BackgroundTask

from ..db import commit
from ..hubspot.api.signatures import InvalidSignature, verify_signature
from ..hubspot.inbound.parse import MalformedEvent
from ..hubspot.inbound.receive import Endpoint, Receipt, receive
from ..hubspot.inbound.store import connection_by_token
from ..json_text import compact
from ..runtime import Runtime
from . import shapes
from .deps import RuntimeDep, SessionDep
from .errors import documented, error_body
from .inputs import unstorable

log = logging.getLogger(__name__)

router = APIRouter(prefix="/hubspot", tags=["hubspot"])
CHANNEL_PATH = "/hubspot/channel"
# 401 unsigned, forged or stale; 400 signed but not HubSpot's events.
REFUSALS = documented(400, 401, 408, 413)


def public_url(request: Request, public_base_url: str) -> str:
    """The URL HubSpot called: our public base URL, then the path and query exactly as sent."""
    raw_path: bytes = request.scope.get("raw_path") or request.url.path.encode()
    query: str = request.scope.get("query_string", b"").decode("latin-1")
    path = raw_path.decode("latin-1")
    return public_base_url.rstrip("/") + path + (f"?{query}" if query else "")


def refuse(request: Request, endpoint: str, reason: str) -> JSONResponse:
    request.app.state.metrics.hubspot_refused.labels(endpoint).inc()
    client = request.client.host if request.client else "unknown"
    log.warning("refused a HubSpot %s webhook from %s: %s", endpoint, client, reason)
    return JSONResponse(error_body("invalid_signature", reason), 401)


def answer(request: Request, endpoint: str, receipt: Receipt) -> JSONResponse:
    """The receipt, rendered as built (it has the documented shape; validating it again against
    the response model is work on every rep reply); its queued deliveries run once it is sent."""
    stored = receipt.stored
    metrics = request.app.state.metrics
    for outcome in ("new", "duplicate", "unknown"):
        if count := getattr(stored, outcome):
            metrics.hubspot_event(endpoint, outcome).inc(count)
    body: dict[str, Any] = {"received": stored.new, "duplicates": stored.duplicate}
    if stored.unknown:
        body["ignored"] = stored.unknown
        body["status"] = "unknown event types were recorded and ignored"
    background = BackgroundTask(receipt.process) if receipt.queued else None
    return ReceiptResponse(body, background=background)


class ReceiptResponse(JSONResponse):
    """Starlette's JSON, by an encoder built once (its `json.dumps` with options builds one a
    call)."""

    encode = staticmethod(compact(ensure_ascii=False, allow_nan=False))

    def render(self, content: Any) -> bytes:
        return self.encode(content).encode("utf-8")


async def verified(request: Request, runtime: RuntimeDep, endpoint: str) -> bytes | JSONResponse:
    body = await request.body()
    secret = runtime.settings.hubspot.client_secret.get_secret_value()
    url = public_url(request, runtime.settings.public_base_url)
    # The channel signs with v3 only; a legacy app's subscriptions may still come with v1 alone.
    allow_v1 = endpoint == "app" and runtime.settings.hubspot.app_kind == "legacy"
    try:
        if not secret:
            raise InvalidSignature("no HubSpot app client secret is configured")
        verify_signature(secret, request.method, url, body, request.headers, allow_v1)
    except InvalidSignature as refused:
        return refuse(request, endpoint, str(refused))
    return body


async def received(
    runtime: Runtime,
    session: AsyncSession,
    endpoint: Endpoint,
    body: bytes,
    organization_id: str | None = None,
) -> Receipt | JSONResponse:
    try:
        return await receive(runtime.inbound, session, endpoint, body, organization_id)
    except MalformedEvent as exc:
        return JSONResponse(error_body("malformed_event", str(exc)), 400)


@router.post(
    "/channel",
    response_model=shapes.WebhookReceipt,
    response_model_exclude_unset=True,
    responses=REFUSALS,
)
async def channel_webhook(request: Request) -> Any:
    """The custom channel's webhook URL (one per app): rep replies to widget visitors."""
    # Every rep reply comes through here, served as a plain Starlette endpoint (`CHANNEL_PATH`,
    # routed ahead of this declaration in `web/app.py`): the runtime and the session are taken
    # as `get_runtime` and `get_session` give them, and the answer is always a response.
    runtime: Runtime = request.app.state.runtime
    body = await verified(request, runtime, "channel")
    if isinstance(body, JSONResponse):
        return body
    async with runtime.sessions() as session:
        receipt = await received(runtime, session, "channel", body)
        if isinstance(receipt, JSONResponse):
            return receipt
        await commit(session)  # pushes the replies written at once to the widgets
    return answer(request, "channel", receipt)


@router.post(
    "/webhooks",
    response_model=shapes.WebhookReceipt,
    response_model_exclude_unset=True,
    responses=REFUSALS,
)
async def app_webhooks(request: Request, session: SessionDep, runtime: RuntimeDep) -> Any:
    """The app's one webhook URL: conversation and ticket events of every portal that installed
    the app, each routed by its `portalId` when it is processed."""
    return await receive_app_events(request, session, runtime, None)


@router.post(
    "/webhooks/{token}",
    response_model=shapes.WebhookReceipt,
    response_model_exclude_unset=True,
    responses=REFUSALS | documented(422),
)
async def app_webhook(
    token: str,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
) -> Any:
    """The per-organization URL earlier versions handed out (its token is a secret); it keeps
    working for apps still pointed at it, with events limited to that organization."""
    connection = None if unstorable(token) else await connection_by_token(session, token)
    if connection is None:
        return refuse(request, "app", "unknown webhook URL")
    organization_id = connection.organization_id
    return await receive_app_events(request, session, runtime, organization_id)


async def receive_app_events(
    request: Request,
    session: AsyncSession,
    runtime: Runtime,
    organization_id: str | None,
) -> Any:
    """Verify, store (limited to `organization_id` when the URL named one), commit, answer; the
    stored deliveries are processed once the answer is sent."""
    body = await verified(request, runtime, "app")
    if isinstance(body, JSONResponse):
        return body
    receipt = await received(runtime, session, "app", body, organization_id)
    if isinstance(receipt, JSONResponse):
        return receipt
    await commit(session)
    return answer(request, "app", receipt)
