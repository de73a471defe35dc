"""Fixtures: a migrated database on SQLite and on PostgreSQL, a real server, an organization."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import asyncpg
import httpx
import pytest
import pytest_asyncio
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from relaydesk.db import commit, create_engine, session_factory
from relaydesk.knowledge.documents import add_sample_documents
from relaydesk.migrate import upgrade
from relaydesk.models import Organization
from relaydesk.organizations import create_api_key, create_organization, identity_secret
from relaydesk.settings import SmtpSettings
from relaydesk.vault import Vault

from .services import unavailable
from .support import (
    SECRET,
    RunningServer,
    free_port,
    server_settings,
    start_server,
    wait_for,
)

PG_ADMIN_DSN = os.environ.get("RELAYDESK_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def _postgres_available() -> bool:
    async def probe() -> bool:
        try:
            conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=3)
        except (OSError, asyncpg.PostgresError):
            return False
        await conn.close()
        return True

    return asyncio.run(probe())


async def _pg_admin(sql: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextmanager
def migrated_databases(directory: Path, prefix: str) -> Iterator[dict[str, str]]:
    """A migrated SQLite file and, where PostgreSQL answers, a throwaway migrated database."""
    urls = {"sqlite": f"sqlite+aiosqlite:///{directory / 'relaydesk.db'}"}
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    has_pg = _postgres_available()
    if has_pg:
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
        base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
        urls["postgresql"] = f"{base}/{name}"
    for url in urls.values():
        upgrade(url)
    try:
        yield urls
    finally:
        if has_pg:
            asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def database_urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """One migrated database per backend for the whole run (tests isolate by organization)."""
    with migrated_databases(tmp_path_factory.mktemp("db"), "relaydesk_test") as urls:
        yield urls


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, database_urls: dict[str, str]) -> str:
    if request.param not in database_urls:
        unavailable("PostgreSQL is not reachable on this machine")
    return str(request.param)


@pytest.fixture(scope="session")
def servers() -> Iterator[dict[str, RunningServer]]:
    running: dict[str, RunningServer] = {}
    yield running
    for server in running.values():
        server.stop()


@pytest.fixture(scope="session")
def server(
    backend: str,
    database_urls: dict[str, str],
    servers: dict[str, RunningServer],
    tmp_path_factory: pytest.TempPathFactory,
) -> RunningServer:
    """The real app served by uvicorn, one per backend for the whole run."""
    if backend not in servers:
        port = free_port()
        data_dir = tmp_path_factory.mktemp(f"data-{backend}")
        servers[backend] = start_server(
            server_settings(database_urls[backend], data_dir, port), port
        )
    return servers[backend]


@pytest.fixture(scope="session")
def sqlite_server(
    database_urls: dict[str, str],
    servers: dict[str, RunningServer],
    tmp_path_factory: pytest.TempPathFactory,
) -> RunningServer:
    """For tests whose subject is not storage (browser tests): the embedded default."""
    if "sqlite" not in servers:
        port = free_port()
        data_dir = tmp_path_factory.mktemp("data-sqlite")
        servers["sqlite"] = start_server(
            server_settings(database_urls["sqlite"], data_dir, port), port
        )
    return servers["sqlite"]


_engines: dict[str, AsyncEngine] = {}


@pytest_asyncio.fixture(loop_scope="session")
async def db(server: RunningServer) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on the server's database, for setting up and asserting rows."""
    url = server.settings.database_url
    if url not in _engines:
        _engines[url] = create_engine(url, pool_size=2, max_overflow=4)
    yield session_factory(_engines[url])


@dataclass
class Org:
    id: str
    widget_key: str
    api_key: str
    identity_secret: str


async def make_org(
    sessions: async_sessionmaker[AsyncSession],
    *,
    origins: list[str] | None = None,
    sample_kb: bool = True,
) -> Org:
    vault = Vault(SECRET)
    async with sessions() as session:
        organization: Organization = await create_organization(
            session, vault, f"Org {uuid.uuid4().hex[:6]}", allowed_origins=origins
        )
        if sample_kb:
            await add_sample_documents(session, organization)
        _, key = await create_api_key(session, organization)
        await commit(session)
    return Org(organization.id, organization.widget_key, key, identity_secret(vault, organization))


@pytest_asyncio.fixture(loop_scope="session")
async def org(db: async_sessionmaker[AsyncSession]) -> Org:
    return await make_org(db)


@pytest_asyncio.fixture(loop_scope="session")
async def client(server: RunningServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as http:
        yield http


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path


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


class _Collector:
    def __init__(self, messages: list[EmailMessage]) -> None:
        self.messages = messages

    async def handle_DATA(self, server: object, session: object, envelope: Envelope) -> str:
        raw = (envelope.original_content or b"").replace(b"\r\n", b"\n")  # lines as written
        self.messages.append(BytesParser(policy=policy.default).parsebytes(raw))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    messages: list[EmailMessage] = []
    controller = Controller(_Collector(messages), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield SmtpServer(controller.port, messages)
    finally:
        controller.stop()
