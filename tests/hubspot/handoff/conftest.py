"""Fixtures of the handoff tests: a sandbox with its schema checks, a database per backend of
their own (the shared test server's worker must not take these jobs), a runtime on both."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from hubspot_sandbox import RunningSandbox
from relaydesk.runtime import Runtime

from ...databases import migrated_databases
from ...services import unavailable
from ...support import FAST_RETRY, FAST_SYNC
from .world import reset, world_settings


@pytest.fixture(scope="session")
def handoff_sandbox(hubspot_sandbox: RunningSandbox) -> RunningSandbox:
    """The HubSpot tests' one sandbox process (each test resets it)."""
    return hubspot_sandbox


@pytest.fixture(scope="session")
def handoff_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    with migrated_databases(tmp_path_factory.mktemp("handoff"), "relaydesk_handoff") as urls:
        yield urls


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def handoff_backend(request: pytest.FixtureRequest, handoff_databases: dict[str, str]) -> str:
    if request.param not in handoff_databases:
        unavailable("PostgreSQL is not reachable on this machine")
    return str(request.param)


@pytest_asyncio.fixture(loop_scope="session")
async def runtime(
    handoff_backend: str,
    handoff_databases: dict[str, str],
    handoff_sandbox: RunningSandbox,
    tmp_path: Path,
) -> AsyncIterator[Runtime]:
    """A relaydesk process on its own database, talking to a freshly reset sandbox."""
    await reset(handoff_sandbox)
    settings = world_settings(handoff_databases[handoff_backend], tmp_path, handoff_sandbox)
    built = Runtime.build(settings, retry=FAST_RETRY, sync_options=FAST_SYNC)
    await built.start()
    yield built
    await built.close()
