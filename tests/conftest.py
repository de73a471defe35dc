"""Fixtures: a migrated database on SQLite and on PostgreSQL, a real server, an organization."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, async_playwright
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from relaydesk.db import create_engine, session_factory

from . import chromium
from .chromium import CHROMIUM, CHROMIUM_ARGS
from .databases import migrated_databases
from .orgs import Org, make_org
from .services import unavailable
from .smtp import SmtpServer, running_smtp
from .support import (
    RunningServer,
    free_port,
    server_settings,
    start_server,
)

TESTS = Path(__file__).parent


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


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    with running_smtp() as running:
        yield running


@pytest_asyncio.fixture(loop_scope="session", scope="session")
async def browser() -> AsyncIterator[Browser]:
    """Real Chromium, driven by Playwright; one for the whole run."""
    if not chromium.installed():
        unavailable(f"Chromium is not installed at {CHROMIUM}")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


@pytest_asyncio.fixture(loop_scope="session")
async def page(browser: Browser) -> AsyncIterator[Page]:
    """A fresh visitor: a browser context of its own (empty localStorage)."""
    context = await browser.new_context()
    yield await context.new_page()
    await context.close()
