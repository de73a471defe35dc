"""Uploads no message took are deleted after `limits.unattached_upload_ttl_h`, row and file, by
a recurring outbox job: durable across a crash, harmless when run twice. They used to stay
forever."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from relaydesk import events
from relaydesk.db import commit, create_engine, session_factory
from relaydesk.files import LocalFileStore
from relaydesk.models import Attachment, OutboxJob, Visitor, new_id, utcnow
from relaydesk.outbox import Wakeup
from relaydesk.upload_sweep import UploadSweep

from .databases import migrated_sqlite
from .orgs import make_org
from .support import RunningServer, WidgetClient, free_port, server_settings, start_server, wait_for

TTL_H = 2 / 3600  # two seconds


@pytest.fixture(scope="module")
def quick_sweep(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server whose uploads wait two seconds for a message."""
    directory = tmp_path_factory.mktemp("sweep")
    url = migrated_sqlite(directory / "relaydesk.db")
    port = free_port()
    settings = server_settings(url, directory, port)
    settings.limits.unattached_upload_ttl_h = TTL_H
    running = start_server(settings, port)
    yield running
    running.stop()


async def test_an_upload_no_message_took_is_deleted_row_and_file(
    quick_sweep: RunningServer,
) -> None:
    engine = create_engine(quick_sweep.settings.database_url)
    sessions = session_factory(engine)
    org = await make_org(sessions)
    async with httpx.AsyncClient(base_url=quick_sweep.base_url, timeout=10) as http:
        visitor = WidgetClient(http, org.widget_key)
        await visitor.start()
        ids = []
        for name in ("kept.txt", "forgotten.txt"):
            files = {"file": (name, io.BytesIO(b"notes"), "text/plain")}
            answer = await http.post("/api/widget/v1/uploads", files=files, headers=visitor.auth)
            assert answer.status_code == 201, answer.text
            ids.append(answer.json()["id"])
        kept, forgotten = ids
        sent = await visitor.send("my notes", attachment_ids=[kept])
        assert sent.status_code == 201, sent.text

        async def rows() -> dict[str, str]:
            async with sessions() as session:
                found = await session.execute(
                    select(Attachment.id, Attachment.storage_key).where(Attachment.id.in_(ids))
                )
                return {row.id: row.storage_key for row in found}

        async def swept() -> bool:
            return forgotten not in await rows()

        stored = await rows()
        await wait_for(swept, timeout=15)
        uploads = quick_sweep.settings.upload_dir

        async def file_gone() -> bool:
            return not (uploads / stored[forgotten]).exists()

        await wait_for(file_gone, timeout=10)
        assert list(await rows()) == [kept] and (uploads / stored[kept]).exists()
        late = await visitor.send("and this one", attachment_ids=[forgotten])
        assert late.status_code == 422
    await engine.dispose()


async def test_the_sweep_is_durable_and_idempotent(tmp_path: Path) -> None:
    url = migrated_sqlite(tmp_path / "relaydesk.db")
    engine = create_engine(url)
    sessions = session_factory(engine)
    files = LocalFileStore(tmp_path / "uploads")
    org = await make_org(sessions, sample_kb=False)
    async with sessions() as session:
        visitor = Visitor(organization_id=org.id, custom_data={})
        session.add(visitor)
        await session.flush()
        keys = []
        for age_h in (30, 1):  # one older than the TTL of a day, one younger
            attachment_id = new_id()
            key = f"{org.id}/{attachment_id}"
            await files.put(key, b"notes")
            session.add(
                Attachment(
                    id=attachment_id, organization_id=org.id, visitor_id=visitor.id,
                    name="notes.txt", content_type="text/plain", size=5, sha256="0" * 64,
                    storage_key=key, created_at=utcnow() - timedelta(hours=age_h),
                )
            )  # fmt: skip
            keys.append(key)
        await commit(session)
    old, young = keys
    sweep = UploadSweep(sessions, Wakeup(), files, ttl_h=24)

    await sweep.sweep({})
    # The rows are gone and the files' removal is queued with them: a crash now loses nothing.
    async with sessions() as session:
        left = list(await session.scalars(select(Attachment.storage_key)))
        jobs = list(
            await session.scalars(select(OutboxJob).where(OutboxJob.kind == events.FILES_DELETE))
        )
    assert left == [young]
    assert [job.payload for job in jobs] == [{"keys": [old]}]
    assert (files.root / old).exists()

    await sweep.sweep({})  # run again (a retried job): nothing more is queued
    async with sessions() as session:
        queued = await session.scalars(
            select(OutboxJob).where(OutboxJob.kind == events.FILES_DELETE)
        )
        assert len(list(queued)) == 1
    for _ in range(2):  # and the files' job may run twice
        await sweep.delete_files(jobs[0].payload)
    assert not (files.root / old).exists() and (files.root / young).exists()
    await engine.dispose()
