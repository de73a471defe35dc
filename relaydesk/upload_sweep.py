"""Uploads no message took within `limits.unattached_upload_ttl_h` are deleted, row and file.

The worker queues an `uploads.sweep` job every quarter of that time (at most hourly); the job's
dedupe key names the interval, so however many workers run, each interval is swept once. The
sweep deletes the rows in batches and, in each batch's transaction, queues a `files.delete` job
with their files: a file goes only once its row is gone, and a crash between the two leaves
the job to finish it. Running either job again is harmless.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from . import events
from .db import commit
from .files import FileStore
from .jobs import FilesDelete, dump, load
from .models import Attachment, new_id, utcnow
from .outbox import Wakeup, enqueue

BATCH = 500


class UploadSweep:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        wakeup: Wakeup,
        files: FileStore,
        ttl_h: float,
    ) -> None:
        self.sessions = sessions
        self.wakeup = wakeup
        self.files = files
        self.ttl = timedelta(hours=ttl_h)
        self.every_s = min(3600.0, self.ttl.total_seconds() / 4)

    async def schedule(self, session: AsyncSession) -> None:
        """Queue this interval's sweep, unless another worker already did."""
        key = f"{events.UPLOADS_SWEEP}:{int(time.time() // self.every_s)}"
        await enqueue(
            session, self.wakeup, events.UPLOADS_SWEEP, {}, ordering_key=key, dedupe_key=key
        )

    async def sweep(self, payload: dict[str, Any]) -> None:
        """The `uploads.sweep` job: every upload older than the TTL that no message took."""
        older_than = utcnow() - self.ttl
        while True:
            async with self.sessions() as session:
                keys = await discard_unattached(session, older_than, BATCH)
                if keys:
                    key = f"{events.FILES_DELETE}:{new_id()}"
                    await enqueue(
                        session, self.wakeup, events.FILES_DELETE, dump(FilesDelete(keys)),
                        ordering_key=key, dedupe_key=key,
                    )  # fmt: skip
                await commit(session)
            if len(keys) < BATCH:
                return

    async def delete_files(self, payload: dict[str, Any]) -> None:
        """The `files.delete` job."""
        for key in load(FilesDelete, payload).keys:
            await self.files.delete(key)


async def discard_unattached(session: AsyncSession, older_than: datetime, limit: int) -> list[str]:
    """Delete up to `limit` uploads made before `older_than` that no message took; returns
    their storage keys. A message taking one meanwhile keeps it (the delete checks again)."""
    chosen = (
        select(Attachment.id)
        .where(Attachment.message_id.is_(None), Attachment.created_at < older_than)
        .limit(limit)
    )
    deleted = await session.execute(
        delete(Attachment)
        .where(Attachment.id.in_(chosen.scalar_subquery()), Attachment.message_id.is_(None))
        .returning(Attachment.storage_key)
    )
    return list(deleted.scalars())
