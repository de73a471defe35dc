"""A real SMTP server for tests (aiosmtpd on a free loopback port) and what it received."""

from __future__ import annotations

from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from aiosmtpd.smtp import Envelope

from relaydesk.settings import SmtpSettings

from .support import wait_for


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

    async def wait_for_messages(self, count: int, timeout: float = 15.0) -> list[EmailMessage]:
        """Wait until at least `count` messages arrived; fail at the deadline."""

        async def arrived() -> list[EmailMessage] | None:
            return list(self.messages) if len(self.messages) >= count else None

        return await wait_for(arrived, timeout)


class Collector:
    def __init__(self, messages: list[EmailMessage]) -> None:
        self.messages = messages

    async def handle_DATA(self, server: object, session: object, envelope: Envelope) -> str:
        raw = (envelope.original_content or b"").replace(b"\r\n", b"\n")  # lines as written
        self.messages.append(BytesParser(policy=policy.default).parsebytes(raw))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"
