"""SQL statements per visitor message: the round trip's statements counted in the server.

The real app serves in this process (as the tests run it) so a SQLAlchemy event hook sees every
statement it sends, and `hot_sql.listeners` those run on the driver; visitors send questions
one at a time, each waiting for the AI's answer frame, and the statements are counted by kind
(the first words of the SQL).
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import websockets
from sqlalchemy import event
from sqlalchemy.engine import Engine

from relaydesk import hot_sql
from relaydesk.db import commit, create_engine, session_factory
from relaydesk.knowledge.documents import add_sample_documents
from relaydesk.migrate import upgrade
from relaydesk.organizations import create_organization
from relaydesk.vault import Vault
from tests.support import SECRET, free_port, server_settings, start_server

from .roundtrip import QUESTIONS

TABLES = (
    *("outbox_", "messages", "conversations", "visitors", "organizations", "attachments"),
    *("knowledge", "ai_", "hubspot", "handoff", "webhook"),
)


def _kind(statement: str) -> str:
    """The statement's verb and the first table it names."""
    words = statement.split()
    table = next((w for w in words if w.startswith(TABLES)), "")
    return f"{words[0]} {table}".strip()


async def _seed(url: str) -> str:
    engine = create_engine(url)
    async with session_factory(engine)() as session:
        organization = await create_organization(session, Vault(SECRET), "Statements")
        await add_sample_documents(session, organization)
        await commit(session)
    await engine.dispose()
    return organization.widget_key


async def _converse(base_url: str, widget_key: str, visitors: int, rounds: int,
                    counted: Counter[str]) -> int:  # fmt: skip
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        sent = 0
        for _ in range(visitors):
            session = (await http.post("/api/widget/v1/sessions",
                                       json={"widget_key": widget_key})).json()  # fmt: skip
            token = session["visitor_token"]
            ws_url = base_url.replace("http://", "ws://") + f"/api/widget/v1/ws?token={token}"
            async with websockets.connect(ws_url) as ws:
                await ws.recv()  # hello
                counted["on"] = 1  # what a session and a socket cost is not the message's
                for i in range(rounds):
                    body = {"client_id": uuid.uuid4().hex, "text": QUESTIONS[i % len(QUESTIONS)]}
                    headers = {"authorization": f"Bearer {token}"}
                    answer = await http.post("/api/widget/v1/messages", json=body,
                                             headers=headers)  # fmt: skip
                    answer.raise_for_status()
                    await _ai_answer(ws)
                    sent += 1
                counted["on"] = 0
        return sent


async def _ai_answer(ws: Any) -> None:
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), 30))
        if frame["type"] == "message.created" and frame["message"]["role"] == "ai":
            return


def run(database_url: str | None = None, visitors: int = 4, rounds: int = 5) -> float:
    counted: Counter[str] = Counter()

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if counted["on"]:
            counted[_kind(statement)] += 1

    def count_hot(statement: str) -> None:  # run on the driver, beside SQLAlchemy's events
        if counted["on"]:
            counted[_kind(statement)] += 1

    def count_commit(_conn: Any) -> None:
        if counted["on"]:
            counted["COMMIT"] += 1

    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite+aiosqlite:///{tmp}/statements.db"
        upgrade(url)
        widget_key = asyncio.run(_seed(url))
        port = free_port()
        server = start_server(server_settings(url, Path(tmp), port), port)
        event.listen(Engine, "before_cursor_execute", count)
        event.listen(Engine, "commit", count_commit)
        hot_sql.listeners.append(count_hot)
        try:
            sent = asyncio.run(_converse(server.base_url, widget_key, visitors, rounds, counted))
        finally:
            event.remove(Engine, "before_cursor_execute", count)
            event.remove(Engine, "commit", count_commit)
            hot_sql.listeners.remove(count_hot)
            server.stop()
    del counted["on"]
    commits = counted.pop("COMMIT", 0) / sent
    per_message = sum(counted.values()) / sent
    kinds = ", ".join(f"{k} {n / sent:g}" for k, n in counted.most_common())
    print(f"SQL statements per visitor message (send -> AI answer), {url.split('+')[0]}: "
          f"{per_message:g} ({kinds}) in {commits:g} transactions")  # fmt: skip
    return per_message
