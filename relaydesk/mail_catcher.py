"""The demo's mail catcher: an SMTP server on loopback (aiosmtpd) that keeps each message it
receives as a file, so the demo's pages can show what relaydesk sent (`web/demo.py`)."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope

from .settings import Settings

MAX_SHOWN = 200


def demo_mail_dir(settings: Settings) -> Path:
    return settings.data_dir / "demo-mail"


class _Keeper:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def handle_DATA(self, server: object, session: object, envelope: Envelope) -> str:  # noqa: N802
        raw = envelope.original_content or b""
        name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.eml"
        (self.folder / name).write_bytes(raw)
        return "250 Message accepted for delivery"


def start_catcher(folder: Path, host: str = "127.0.0.1", port: int = 8025) -> Controller:
    """Start catching mail on `host:port` in a thread of its own; `stop()` the result."""
    folder.mkdir(parents=True, exist_ok=True)
    controller = Controller(_Keeper(folder), hostname=host, port=port)
    controller.start()
    return controller


def caught(folder: Path) -> list[dict[str, Any]]:
    """The messages caught, oldest first: to, subject, text, html and when each arrived."""
    if not folder.is_dir():
        return []
    files = sorted(folder.glob("*.eml"))[-MAX_SHOWN:]
    return [_summary(path) for path in files]


def _summary(path: Path) -> dict[str, Any]:
    raw = path.read_bytes().replace(b"\r\n", b"\n")
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    arrived = datetime.fromtimestamp(int(path.name.split("-")[0]) / 1e9, UTC)
    return {
        "to": str(message["To"] or ""),
        "subject": str(message["Subject"] or ""),
        "text": _part(message, "plain"),
        "html": _part(message, "html"),
        "received_at": arrived.isoformat(),
    }


def _part(message: EmailMessage, kind: str) -> str | None:
    part = message.get_body(preferencelist=(kind,))
    return str(part.get_content()) if part is not None else None
