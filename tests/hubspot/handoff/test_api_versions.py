"""HubSpot's API version is one setting: a full handoff at 2026-09 and at v3, every request on
that version's paths (no `/v4/` at 2026-09) and every body fitting its version's document."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from pydantic import ValidationError

from hubspot_sandbox import RunningSandbox
from hubspot_sandbox.config import default_openapi_dir
from hubspot_sandbox.validation import template_pattern
from relaydesk.hubspot.api import paths as ops
from relaydesk.runtime import Runtime
from relaydesk.settings import ApiVersion, Settings

from ...services import unavailable
from ..versions import assert_version
from .world import (
    Person,
    connect,
    drain,
    failed_jobs,
    handed_off_conversation,
    new_organization,
    reset,
    sandbox_requests,
    sandbox_state,
    schema_problems,
    world_settings,
)


def test_an_unknown_api_version_is_refused_when_settings_load(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RELAYDESK_HUBSPOT__API_VERSION", "2025-09")
    with pytest.raises(ValidationError, match="2026-09"):
        Settings()
    monkeypatch.setenv("RELAYDESK_HUBSPOT__API_VERSION", "v3")
    assert Settings().hubspot.api_version == "v3"
    monkeypatch.delenv("RELAYDESK_HUBSPOT__API_VERSION")
    assert Settings().hubspot.api_version == "2026-09"


@pytest.mark.parametrize("version", ["2026-09", "2026-03"])
def test_every_dated_path_is_one_its_documents_describe(version: ApiVersion) -> None:
    """Each row's path at `version` is in HubSpot's document of that version, unless the row
    says why it keeps an older one (2026-03 has only the custom channel's document here)."""
    folder = default_openapi_dir()
    if not folder.is_dir():
        unavailable(f"{folder} is absent")
    documented = [
        template_pattern(template)
        for file in folder.glob(f"*.{version}.json")
        for template in json_paths(file)
    ]
    rows = {name: o for name, o in vars(ops).items() if isinstance(o, ops.Operation)}
    assert len(rows) >= 28
    for name, row in rows.items():
        path = ops.Paths(version)(row, **dict.fromkeys(parameters(row.template(version)), "1"))
        if row.why:
            assert row.template(version) == row.v3, name
        elif version == "2026-09" or "custom-channels" in path:
            assert any(p.fullmatch(path) for p in documented), (name, path)
        assert "/v4/" not in path, name


def json_paths(file: Path) -> list[str]:
    return list(json.loads(file.read_text()).get("paths", {}))


def parameters(template: str) -> list[str]:
    return [part[1:-1] for part in template.split("/") if part.startswith("{")]


@pytest.fixture(params=["2026-09", "v3"])
def api_version(request: pytest.FixtureRequest) -> ApiVersion:
    version: ApiVersion = request.param
    return version


@pytest_asyncio.fixture(loop_scope="session")
async def versioned(
    handoff_backend: str,
    handoff_databases: dict[str, str],
    handoff_sandbox: RunningSandbox,
    api_version: ApiVersion,
    tmp_path: Path,
) -> AsyncIterator[Runtime]:
    """A relaydesk process whose HubSpot calls use `api_version`, on a freshly reset sandbox."""
    await reset(handoff_sandbox)
    settings = world_settings(handoff_databases[handoff_backend], tmp_path, handoff_sandbox)
    settings.hubspot = settings.hubspot.model_copy(update={"api_version": api_version})
    built = Runtime.build(settings)
    await built.start()
    yield built
    await built.close()


async def test_a_full_handoff_speaks_the_configured_version(
    versioned: Runtime, handoff_sandbox: RunningSandbox, api_version: ApiVersion
) -> None:
    """OAuth (contact, thread with files, ticket, note) and private-app (CRM note) handoffs."""
    if not (handoff_sandbox.config.openapi_dir and handoff_sandbox.config.openapi_dir.is_dir()):
        unavailable("HubSpot's OpenAPI documents (../shared/hubspot-openapi) are not here")
    person = Person("Jane Doe", "jane@example.com", verified=True)
    for mode in ("oauth", "private_app"):
        organization_id = await new_organization(versioned)
        await connect(versioned, handoff_sandbox, organization_id, mode=mode)
        await handed_off_conversation(versioned, organization_id, person, messages=6, files=2)
    await drain(versioned)
    assert await failed_jobs(versioned.sessions) == []

    state = await sandbox_state(handoff_sandbox)
    assert len(state["threads"]) == 1 and len(state["tickets"]) == 2 and state["notes"]
    assert len(state["files"]) == 2
    requests = await sandbox_requests(handoff_sandbox)
    assert len(requests) > 20
    # 404 and 409 are lookups answered (no contact by that email yet; it exists already).
    assert [r for r in requests if r["status"] >= 400 and r["status"] not in (404, 409)] == []
    if api_version == "2026-09":
        assert [r["path"] for r in requests if "/v4/" in r["path"]] == []
    assert_version(api_version, requests)
    assert schema_problems(handoff_sandbox, requests) == []
