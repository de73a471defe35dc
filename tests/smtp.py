"""A real SMTP server for tests (aiosmtpd on a free loopback port) and what it received."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope

from relaydesk.settings import SmtpSettings

from .support import free_port, wait_for


@dataclass
class SmtpServer:
    """A real SMTP server (aiosmtpd) on a free loopback port; what it received, parsed."""

    port: int
    messages: list[EmailMessage]

    def settings(self) -> SmtpSettings:
        """SMTP settings that send to this server."""
        return SmtpSettings(
            host="127.0.0.1", port=self.port, tls="none", from_address="desk@relaydesk.test"
        )

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    async def wait_for_messages(
        self, count: int, timeout: float = 15.0, to: str | None = None
    ) -> list[EmailMessage]:
        """Wait until at least `count` messages arrived (for `to`, if given); fail at the
        deadline."""

        async def arrived() -> list[EmailMessage] | None:
            found = self.to(to) if to else list(self.messages)
            return found if len(found) >= count else None

        return await wait_for(arrived, timeout)


@contextmanager
def running_smtp() -> Iterator[SmtpServer]:
    """An SMTP server for as long as the block runs (a module's server may need one)."""
    messages: list[EmailMessage] = []
    controller = Controller(Collector(messages), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield SmtpServer(controller.port, messages)
    finally:
        controller.stop()


class Collector:
    def __init__(self, messages: list[EmailMessage]) -> None:
        self.messages = messages

    async def handle_DATA(self, server: object, session: object, envelope: Envelope) -> str:
        raw = (envelope.original_content or b"").replace(b"\r\n", b"\n")  # lines as written
        self.messages.append(BytesParser(policy=policy.default).parsebytes(raw))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"
