"""Upload quotas: one visitor, and all of an organization's visitors together, store at most
their quota in 24 hours (an anonymous visitor once stored 150 MiB in 1.8 s)."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from relaydesk.db import create_engine, session_factory
from relaydesk.models import Attachment
from relaydesk.upload_quota import _refusal

from .databases import migrated_sqlite
from .orgs import Org, make_org
from .support import RunningServer, WidgetClient, free_port, server_settings, start_server

MIB = 1024 * 1024


async def upload(visitor: WidgetClient, data: bytes, name: str = "notes.txt") -> httpx.Response:
    http: httpx.AsyncClient = visitor.http
    return await http.post(
        "/api/widget/v1/uploads",
        files={"file": (name, io.BytesIO(data), "text/plain")},
        headers=visitor.auth,
    )


async def test_one_visitor_stores_at_most_their_daily_quota_even_in_parallel(
    client: httpx.AsyncClient, org: Org, server: RunningServer
) -> None:
    limits = server.settings.limits
    assert limits.visitor_upload_bytes_per_day == 50 * MIB  # the documented default
    visitor = WidgetClient(client, org.widget_key)
    await visitor.start()
    file = b"a" * limits.max_upload_bytes  # 10 MiB, the largest one file may be
    answers = await asyncio.gather(*(upload(visitor, file) for _ in range(8)))
    codes = sorted(a.status_code for a in answers)
    assert codes == [201] * 5 + [429] * 3, codes
    refused = next(a for a in answers if a.status_code == 429)
    assert refused.json()["error"]["code"] == "upload_quota_exceeded"
    assert 23 * 3600 < int(refused.headers["retry-after"]) <= 24 * 3600
    assert (await upload(visitor, b"one more line")).status_code == 429

    other = WidgetClient(client, org.widget_key)  # another visitor of the organization
    await other.start()
    assert (await upload(other, b"my notes")).status_code == 201


@pytest.fixture(scope="module")
def small_quota(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server whose organizations may take 3 KiB of uploads a day."""
    directory: Path = tmp_path_factory.mktemp("quota")
    url = migrated_sqlite(directory / "relaydesk.db")
    port = free_port()
    settings = server_settings(url, directory, port)
    settings.limits.organization_upload_bytes_per_day = 3 * 1024
    running = start_server(settings, port)
    yield running
    running.stop()


async def test_an_organization_stores_at_most_its_daily_quota_from_all_visitors(
    small_quota: RunningServer,
) -> None:
    engine = create_engine(small_quota.settings.database_url)
    sessions = session_factory(engine)
    org, elsewhere = await make_org(sessions), await make_org(sessions)
    async with httpx.AsyncClient(base_url=small_quota.base_url, timeout=10) as http:
        accepted = []
        for _ in range(4):  # fresh visitors, as a script would make them
            visitor = WidgetClient(http, org.widget_key)
            await visitor.start()
            accepted.append((await upload(visitor, b"x" * 1024)).status_code)
        assert accepted == [201, 201, 201, 429]
        other = WidgetClient(http, elsewhere.widget_key)  # another organization is unaffected
        await other.start()
        assert (await upload(other, b"x" * 1024)).status_code == 201
    async with sessions() as session:
        stored = await session.scalar(
            select(func.sum(Attachment.size)).where(Attachment.organization_id == org.id)
        )
    assert stored == 3 * 1024
    files = list((small_quota.settings.upload_dir / org.id).iterdir())
    assert len(files) == 3  # the refused upload's file was not kept
    await engine.dispose()


def test_the_wait_is_never_longer_than_the_window() -> None:
    """An upload made in parallel may be stamped a moment after the refused request began: the
    refusal still asks for no more than 24 hours."""
    now = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
    stamped_after = _refusal("you have uploaded", 50 * MIB, now + timedelta(seconds=2), now)
    assert stamped_after.retry_after == 24 * 3600
    oldest_an_hour_ago = _refusal("you have uploaded", 50 * MIB, now - timedelta(hours=1), now)
    assert oldest_an_hour_ago.retry_after == 23 * 3600
