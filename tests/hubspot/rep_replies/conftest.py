"""A relaydesk server wired to a HubSpot sandbox of its own (per backend), and a visitor whose
conversation was handed off: an org connected over OAuth, a channel account, a sandbox thread."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hubspot_sandbox import RunningSandbox, SandboxConfig, start_sandbox_sync
from relaydesk.db import create_engine, session_factory
from relaydesk.settings import HubSpotSettings

from ...databases import migrated_databases
from ...support import RunningServer, free_port, server_settings, start_server
from .world import Pair, World, handed_off_world

TEST_SECRET = "rep-replies-test-client-secret"


@pytest.fixture(scope="session")
def pairs() -> Iterator[dict[str, Pair]]:
    running: dict[str, Pair] = {}
    yield running
    for pair in running.values():
        pair.server.stop()
        pair.sandbox.stop_sync()


@pytest.fixture(scope="session")
def rep_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Databases of their own: the shared test servers' workers must not take these jobs."""
    with migrated_databases(tmp_path_factory.mktemp("rep-db"), "relaydesk_rep") as urls:
        yield urls


@pytest.fixture(scope="session")
def pair(
    backend: str,
    rep_databases: dict[str, str],
    pairs: dict[str, Pair],
    tmp_path_factory: pytest.TempPathFactory,
) -> Pair:
    """A sandbox signing with TEST_SECRET and a server that trusts it, one pair per backend."""
    if backend not in pairs:
        sandbox = start_sandbox_sync(
            SandboxConfig(
                client_secret=TEST_SECRET,
                app_id=7700001,  # its own app: other tests' channel rows never get in the way
                search_index_delay_s=0.05,
                webhook_retry_delays_s=(0.05, 0.2),
                rate_limit_per_10s=None,
                search_rate_limit_per_s=None,
            )
        )
        pairs[backend] = Pair(sandbox, start_pair_server(sandbox, rep_databases[backend],
                                                          tmp_path_factory))  # fmt: skip
    return pairs[backend]


def start_pair_server(
    sandbox: RunningSandbox, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> RunningServer:
    port = free_port()
    settings = server_settings(database_url, tmp_path_factory.mktemp("rep-replies"), port)
    config = sandbox.config
    settings.hubspot = HubSpotSettings(
        client_id=config.client_id,
        client_secret=config.client_secret,
        app_id=config.app_id,
        developer_api_key=config.developer_api_key,
        base_url=sandbox.base_url,
        app_base_url=sandbox.base_url,
        timeout_s=5.0,
    )
    return start_server(settings, port)


_engines: dict[str, async_sessionmaker[AsyncSession]] = {}


@pytest.fixture
def rows(pair: Pair) -> async_sessionmaker[AsyncSession]:
    url = pair.server.settings.database_url
    if url not in _engines:
        _engines[url] = session_factory(create_engine(url))
    return _engines[url]


@pytest_asyncio.fixture(loop_scope="session")
async def world(pair: Pair, rows: async_sessionmaker[AsyncSession]) -> AsyncIterator[World]:
    handed_off = await handed_off_world(pair, rows)
    yield handed_off
    await handed_off.http.aclose()  # the visitor's connections to the server
