"""A relaydesk server as a customer runs it, for the browser tests of handoffs: HubSpot is a
sandbox of its own, mail goes to a real SMTP server, the follow-up delays are seconds, and
each organization is connected to the sandbox portal through the same setup the demo uses."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hubspot_sandbox import RunningSandbox, SandboxConfig, start_sandbox_sync
from relaydesk.db import commit, create_engine, session_factory
from relaydesk.files import MessageLimits
from relaydesk.hubspot.api.integration import HubSpot
from relaydesk.hubspot.connect.demo_connection import connect_demo, sandbox_settings
from relaydesk.hubspot.connect.flows import Setup
from relaydesk.migrate import upgrade
from relaydesk.models import Organization
from relaydesk.office_hours import parse, update_office_hours
from relaydesk.settings import FollowUpSettings, SmtpSettings
from relaydesk.vault import Vault

from ..orgs import Org, make_org
from ..smtp import SmtpServer, running_smtp
from ..support import SECRET, RunningServer, free_port, server_settings, start_server
from .site import Site


@dataclass
class Desk:
    server: RunningServer
    sandbox: RunningSandbox
    smtp: SmtpServer
    sessions: async_sessionmaker[AsyncSession]
    folder: Path

    async def connected_org(self, site: Site) -> Org:
        """An organization whose widget runs on `site`, connected to the sandbox portal."""
        org = await make_org(self.sessions, origins=[site.base_url])
        settings = self.server.settings
        hubspot = HubSpot.build(settings.hubspot)
        setup = Setup(
            hubspot, self.sessions, Vault(SECRET), SECRET, self.server.base_url,
            MessageLimits.of(settings.limits),
        )  # fmt: skip
        try:
            await connect_demo(setup, org.id, self.folder / org.id)
        finally:
            await hubspot.close()
        return org

    async def set_office_hours(self, org: Org, **hours: Any) -> None:
        async with self.sessions() as session:
            organization = await session.get(Organization, org.id)
            assert organization is not None
            await update_office_hours(session, organization, parse(hours))
            await commit(session)

    async def sandbox_state(self) -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=self.sandbox.base_url, timeout=10) as control:
            answer = await control.get("/_sandbox/state")
        answer.raise_for_status()
        state: dict[str, Any] = answer.json()
        return state

    async def control(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=self.sandbox.base_url, timeout=10) as control:
            answer = await control.post(path, json=body)
        assert answer.status_code < 300, answer.text
        found: dict[str, Any] = answer.json()
        return found


FOLLOW_UP = FollowUpSettings(
    no_rep_after_s=2.0, unread_mail_after_s=2.0, mail_batch_window_s=600.0, scan_every_s=0.3
)


@contextmanager
def running_desk(
    folder: Path, followup: FollowUpSettings = FOLLOW_UP, smtp_down: bool = False
) -> Iterator[Desk]:
    """The desk; with `smtp_down` its mail goes to a port where no server listens."""
    sandbox = start_sandbox_sync(
        SandboxConfig(
            search_index_delay_s=0.05,
            webhook_retry_delays_s=(0.05, 0.2),
            rate_limit_per_10s=None,
            search_rate_limit_per_s=None,
        )
    )
    url = f"sqlite+aiosqlite:///{folder / 'relaydesk.db'}"
    upgrade(url)
    engine = create_engine(url)
    try:
        with running_smtp() as smtp:
            port = free_port()
            settings = server_settings(
                url, folder, port, hubspot=sandbox_settings(sandbox.base_url),
                smtp=smtp.settings(), followup=followup,
            )  # fmt: skip
            if smtp_down:
                settings.smtp = SmtpSettings(
                    host="127.0.0.1", port=free_port(), tls="none", timeout_s=2
                )
            settings.worker.max_attempts = 3
            settings.worker.max_backoff_s = 0.5
            server = start_server(settings, port)
            try:
                yield Desk(server, sandbox, smtp, session_factory(engine), folder)
            finally:
                server.stop()
    finally:
        sandbox.stop_sync()
