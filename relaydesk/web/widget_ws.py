"""The widget's WebSocket: pushes frames from the hub, answers the widget's pings.

An idle socket holds little: this handler's frames, waiting for the widget's next frame, and a
`Subscription` with no task or queue of its own (`python -m bench memory` measures it)."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from fastapi import WebSocket, WebSocketDisconnect

from .. import events, frames
from ..db import commit
from ..errors import RelaydeskError
from ..hubspot.inbound.delivery_status import report_sent_to_visitor
from ..realtime import Subscription
from ..runtime import Runtime
from .deps import load_visitor

PATH = "/api/widget/v1/ws"
MAX_FRAME = 4096
UNAUTHORIZED = 4401  # the widget starts a new session
FORBIDDEN = 4403
TOO_MANY = 4429  # the visitor holds the most sockets they may on this node: retry later
TEXT_ONLY = 1003  # RFC 6455 "cannot accept this type of data": a binary frame
MALFORMED = frames.encode(frames.error("malformed_frame", "a frame is a JSON object"))
PONG = frames.encode(frames.pong())


async def widget_socket(websocket: WebSocket) -> None:
    runtime: Runtime = websocket.app.state.runtime
    visitor_id = await _admit(websocket, runtime, websocket.query_params.get("token", ""))
    if visitor_id is None:
        return
    if not runtime.sockets.take(visitor_id):
        await websocket.close(code=TOO_MANY, reason="too many sockets")
        return
    try:
        await _serve(websocket, runtime, visitor_id)
    finally:
        runtime.sockets.give_back(visitor_id)


async def _admit(websocket: WebSocket, runtime: Runtime, token: str) -> str | None:
    """The visitor's id, the socket accepted; None once a refused socket is closed. Only the id
    is kept: an idle socket holds no rows."""
    try:
        async with runtime.sessions() as session:
            auth = await load_visitor(session, runtime, token, websocket.headers.get("origin"))
    except RelaydeskError as exc:
        # Accept, then close with a code the widget can read (a refused handshake is opaque).
        await websocket.accept()
        await websocket.close(
            code=UNAUTHORIZED if exc.status == 401 else FORBIDDEN, reason=exc.code
        )
        return None
    await websocket.accept()
    return auth.visitor.id


async def _serve(websocket: WebSocket, runtime: Runtime, visitor_id: str) -> None:
    channel = events.visitor_channel(visitor_id)
    # Hello means "(re)connected: catch up from the history"; the hub sends it again when it
    # may have lost frames for this socket (Redis was out of reach for a moment).
    hello = frames.encode(frames.hello(visitor_id))
    subscription = Subscription(websocket, resync_frame=hello)
    await runtime.hub.subscribe(channel, subscription)
    metrics = websocket.app.state.metrics
    metrics.ws_connections.inc()
    try:
        await _report_sent(runtime, visitor_id)
        await websocket.send_text(hello)
        await _receive(websocket)
    except WebSocketDisconnect:
        pass
    finally:
        runtime.hub.unsubscribe(channel, subscription)
        metrics.ws_connections.dec()
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):  # it closed meanwhile
            await subscription.stop()


async def _report_sent(runtime: Runtime, visitor_id: str) -> None:
    """The visitor is online again: rep replies that waited for them count as SENT."""
    async with runtime.sessions() as session:
        if await report_sent_to_visitor(session, runtime.wakeup, visitor_id):
            await commit(session)


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
