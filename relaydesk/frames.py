"""The frames the server pushes to a visitor's widgets, one builder each, and the one way to
push them: after the transaction that made them true commits.

Each frame's `type` is a name from `events`; a frame is a JSON object on the socket."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from . import events
from .db import on_commit
from .models import Role
from .realtime import Hub, encode_frame

Frame = dict[str, Any]


def message_created(message: dict[str, Any]) -> Frame:
    """A message was written (or moved to a new `seq`): the widget shows it by `seq`."""
    return {"type": events.MESSAGE_CREATED, "message": message}


def message_delta(reply_to_id: str, text: str) -> Frame:
    """The AI's answer so far to one visitor message; `message.created` stays authoritative."""
    return {"type": events.MESSAGE_DELTA, "reply_to_id": reply_to_id, "text": text}


def typing(role: Role, on: bool) -> Frame:
    return {"type": events.TYPING, "role": role, "on": on}


def conversation_updated(conversation: dict[str, Any]) -> Frame:
    """The conversation's state changed (handed off, closed, reopened)."""
    return {"type": events.CONVERSATION_UPDATED, "conversation": conversation}


def hello(visitor_id: str) -> Frame:
    """(Re)connected: the widget catches up from the HTTP history."""
    return {"type": events.HELLO, "visitor_id": visitor_id}


def error(code: str, message: str) -> Frame:
    """A frame from the widget that could not be read."""
    return {"type": events.ERROR, "error": {"code": code, "message": message}}


def pong() -> Frame:
    return {"type": events.PONG}


def encode(frame: Frame) -> str:
    """The text of a frame on the socket, as the hub writes the frames it publishes."""
    return encode_frame(frame)


def push_on_commit(
    session: AsyncSession, hub: Hub, channel: str, frames: Callable[[], Iterable[Frame]]
) -> None:
    """Publish `frames()` on `channel` once `session` commits (built then, not now); a
    rollback publishes nothing."""

    async def push() -> None:
        for frame in frames():
            await hub.publish(channel, frame)

    on_commit(session, push)
