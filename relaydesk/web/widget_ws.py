"""The widget's WebSocket: pushes frames from the hub, answers the widget's pings."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from .. import events, frames
from ..db import commit
from ..errors import RelaydeskError
from ..hubspot.inbound.delivery_status import report_sent_to_visitor
from ..realtime import Subscription
from ..runtime import Runtime
from .deps import WidgetAuth, load_visitor

router = APIRouter(prefix="/api/widget/v1")

MAX_FRAME = 4096
UNAUTHORIZED = 4401  # the widget starts a new session
FORBIDDEN = 4403
TOO_MANY = 4429  # the visitor holds the most sockets they may on this node: retry later
TEXT_ONLY = 1003  # RFC 6455 "cannot accept this type of data": a binary frame
MALFORMED = frames.encode(frames.error("malformed_frame", "a frame is a JSON object"))
PONG = frames.encode(frames.pong())


@router.websocket("/ws")
async def widget_socket(websocket: WebSocket, token: str = "") -> None:
    runtime: Runtime = websocket.app.state.runtime
    try:
        async with runtime.sessions() as session:
            auth = await load_visitor(session, runtime, token, websocket.headers.get("origin"))
    except RelaydeskError as exc:
        # Accept, then close with a code the widget can read (a refused handshake is opaque).
        await websocket.accept()
        await websocket.close(
            code=UNAUTHORIZED if exc.status == 401 else FORBIDDEN, reason=exc.code
        )
        return
    await websocket.accept()
    if not runtime.sockets.take(auth.visitor.id):
        await websocket.close(code=TOO_MANY, reason="too many sockets")
        return
    try:
        await _serve(websocket, runtime, auth)
    finally:
        runtime.sockets.give_back(auth.visitor.id)


async def _serve(websocket: WebSocket, runtime: Runtime, auth: WidgetAuth) -> None:
    channel = events.visitor_channel(auth.visitor.id)
    # Hello means "(re)connected: catch up from the history"; the hub sends it again when it
    # may have lost frames for this socket (Redis was out of reach for a moment).
    hello = frames.encode(frames.hello(auth.visitor.id))
    subscription = await runtime.hub.subscribe(channel, resync_frame=hello)
    metrics = websocket.app.state.metrics
    metrics.ws_connections.inc()
    sender = asyncio.create_task(_forward(websocket, subscription))
    await _report_sent(runtime, auth)
    try:
        await websocket.send_text(hello)
        await _receive(websocket)
    except WebSocketDisconnect:
        pass
    finally:
        runtime.hub.unsubscribe(channel, subscription)
        metrics.ws_connections.dec()
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, RuntimeError):
            await sender


async def _report_sent(runtime: Runtime, auth: WidgetAuth) -> None:
    """The visitor is online again: rep replies that waited for them count as SENT."""
    async with runtime.sessions() as session:
        if await report_sent_to_visitor(session, runtime.wakeup, auth.visitor.id):
            await commit(session)


async def _forward(websocket: WebSocket, subscription: Subscription) -> None:
    async for frame in subscription.frames():
        await websocket.send_text(frame)
    # The hub cut this subscriber off (too slow): closing makes the widget resume from history.
    await websocket.close(code=1013, reason="resume")


async def _receive(websocket: WebSocket) -> None:
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        raw = message.get("text")
        if raw is None:
            await websocket.close(code=TEXT_ONLY, reason="text frames only")
            return
        if len(raw) > MAX_FRAME:
            await websocket.close(code=1009, reason="frame too large")
            return
        frame = _parse(raw)
        if frame is None:
            await websocket.send_text(MALFORMED)
        elif frame.get("type") == "ping":
            await websocket.send_text(PONG)


def _parse(raw: str) -> dict[str, Any] | None:
    """A frame from the widget is a JSON object; anything else is None (JSON nested deeper than
    the parser recurses raises RecursionError, not a decode error)."""
    try:
        frame = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    return frame if isinstance(frame, dict) else None
