"""How long the analytics of a busy month take, and the retention sweep that deletes it:
`python -m bench analytics` seeds one organization with `count` conversations over 30 days
(four messages each, a handoff in every fourth) in a fresh SQLite file (or `--database-url`)."""

from __future__ import annotations

import asyncio
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert

from relaydesk.analytics import report
from relaydesk.db import commit, create_engine, session_factory
from relaydesk.migrate import upgrade
from relaydesk.models import Conversation, Handoff, Message, Organization, Visitor, new_id, utcnow
from relaydesk.organizations import create_organization
from relaydesk.outbox import Wakeup
from relaydesk.retention_sweep import RetentionSweep
from relaydesk.vault import Vault

SECRET = "bench-secret-key-that-is-long-enough-000000"


async def _seed(url: str, count: int) -> str:
    engine = create_engine(url)
    sessions = session_factory(engine)
    now = utcnow()
    async with sessions() as session:
        org = await create_organization(session, Vault(SECRET), "Bench")
        visitors, conversations, messages, handoffs = [], [], [], []
        for n in range(count):
            at = now - timedelta(days=1 + n % 29, minutes=n % 600)
            visitor, conversation = new_id(), new_id()
            visitors.append({"id": visitor, "organization_id": org.id, "custom_data": {}})
            conversations.append({
                "id": conversation, "organization_id": org.id, "visitor_id": visitor,
                "state": "closed", "closed_by": "visitor", "created_at": at, "updated_at": at,
                "closed_at": at, "csat_score": 1 + n % 5, "last_seq": 4, "custom_data": {},
            })  # fmt: skip
            for seq, role in enumerate(("visitor", "ai", "visitor", "ai"), 1):
                messages.append({
                    "id": new_id(), "conversation_id": conversation, "seq": seq, "role": role,
                    "text": f"question number {n % 97} about invoices and parcels {seq}",
                    "sources": [{"title": "t"}] if role == "ai" and n % 3 else [],
                    "created_at": at + timedelta(minutes=seq),
                })  # fmt: skip
            if n % 4 == 0:
                handoffs.append({"id": new_id(), "conversation_id": conversation,
                                 "reasons": ["frustration"], "created_at": at})  # fmt: skip
        for model, rows in ((Visitor, visitors), (Conversation, conversations),
                            (Message, messages), (Handoff, handoffs)):  # fmt: skip
            await session.execute(insert(model), rows)
        await commit(session)
    await engine.dispose()
    return org.id


async def _measure(url: str, count: int) -> None:
    organization_id = await _seed(url, count)
    engine = create_engine(url)
    sessions = session_factory(engine)
    today = utcnow().date()
    async with sessions() as session:
        started = time.perf_counter()
        found = await report(session, organization_id, today - timedelta(days=29), today)
        took = time.perf_counter() - started
    print(f"analytics of {found.conversations} conversations ({4 * count} messages): "
          f"{took * 1000:.0f} ms")  # fmt: skip
    async with sessions() as session:
        organization = await session.get(Organization, organization_id)
        assert organization is not None
        organization.retention_days = 1
        await commit(session)
    started = time.perf_counter()
    swept = await RetentionSweep(sessions, Wakeup()).sweep_organization(organization_id, utcnow())
    took = time.perf_counter() - started
    print(f"retention sweep of {swept.conversations} conversations: {took * 1000:.0f} ms")
    await engine.dispose()


def run(database_url: str | None = None, count: int = 10_000) -> None:
    with tempfile.TemporaryDirectory() as directory:
        url = database_url or f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}"
        upgrade(url)
        asyncio.run(_measure(url, count))
