"""The keys most rows leave empty are partial indexes (0020): a message's client id, the message
an AI reply answers, its HubSpot id, and the organization of a webhook delivery or an outbox job
index only the rows that have one. Upgrading a database that holds rows keeps them all (on SQLite
the table of messages is rebuilt while attachments refer to it), gives the schema the models
describe, and a key taken is still refused, by a plain insert and by `ON CONFLICT`."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from alembic import command
from sqlalchemy import Connection, Table, func, insert, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk.attachment_urls import AttachmentSigner
from relaydesk.db import commit, create_engine, session_factory
from relaydesk.messages import AlreadyAnswered, Effects, insert_message, next_slot
from relaydesk.migrate import alembic_config, upgrade
from relaydesk.models import (
    Attachment,
    Base,
    Conversation,
    Message,
    Organization,
    OutboxJob,
    Role,
    Visitor,
    WebhookDelivery,
)
from relaydesk.outbox import Wakeup
from relaydesk.realtime import MemoryHub

from .databases import empty_database
from .test_schema import differences

PREVIOUS = "0019_outbox_waiting"
PARTIAL = {
    "messages": {
        "uq_messages_conversation_client_id": "client_id",
        "uq_messages_reply_to_id": "reply_to_id",
        "uq_messages_hubspot_message_id": "hubspot_message_id",
    },
    "webhook_deliveries": {"ix_webhook_deliveries_organization_id": "organization_id"},
    "outbox_jobs": {"ix_outbox_jobs_organization_id": "organization_id"},
}


def table(model: type[Base]) -> Table:
    return cast(Table, model.__table__)


def message(name: str, seq: int, role: Role, **keys: str) -> dict[str, Any]:
    """A message row; every row names the three keys (an insert of many rows takes its
    columns from the first)."""
    empty = dict.fromkeys(("client_id", "reply_to_id", "hubspot_message_id"))
    return dict(id=name, conversation_id="c", seq=seq, role=role, text=name) | empty | keys


ROWS: list[tuple[type[Base], list[dict[str, Any]]]] = [
    (Organization, [dict(id="o", name="Org", identity_secret_enc="x")]),
    (Visitor, [dict(id="v", organization_id="o")]),
    (Conversation, [dict(id="c", organization_id="o", visitor_id="v", last_seq=5)]),
    (
        Message,
        [
            message("greeting", 1, Role.AI),
            message("question", 2, Role.VISITOR, client_id="client-1"),
            message("answer", 3, Role.AI, reply_to_id="question"),
            message("rep", 4, Role.AGENT, hubspot_message_id="hubspot-1"),
            message("thanks", 5, Role.VISITOR, client_id="client-2"),
        ],
    ),
    (
        Attachment,
        [
            dict(
                id="file",
                organization_id="o",
                visitor_id="v",
                message_id="question",
                name="a.txt",
                content_type="text/plain",
                size=1,
                sha256="0",
                storage_key="k",
            ),
        ],
    ),  # fmt: skip
    (
        WebhookDelivery,
        [
            dict(
                id=f"d{n}",
                organization_id=org,
                external_id=f"e{n}",
                source="channel",
                event_type="x",
                payload={},
            )
            for n, org in enumerate(["o", None, None])
        ],
    ),  # fmt: skip
    (
        OutboxJob,
        [
            dict(kind="k", ordering_key="c", dedupe_key=f"job-{n}", organization_id=org)
            for n, org in enumerate(["o", None, None])
        ],
    ),
]


async def write_rows(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            for model, rows in ROWS:
                await connection.execute(insert(table(model)), rows)
    finally:
        await engine.dispose()


@pytest.fixture
def upgraded(backend: str, tmp_path: Path) -> Iterator[str]:
    """A database at the previous head holding rows, upgraded to the newest schema; its URL."""
    with empty_database(backend, tmp_path / "previous", "relaydesk_partial_keys") as url:
        command.upgrade(alembic_config(url), PREVIOUS)
        asyncio.run(write_rows(url))
        upgrade(url)
        yield url


async def counts(url: str) -> dict[str, int]:
    """The rows of each table `ROWS` wrote into."""
    engine = create_engine(url)
    found = {}
    try:
        async with engine.connect() as connection:
            for model, _ in ROWS:
                rows = select(func.count()).select_from(table(model))
                found[model.__tablename__] = await connection.scalar(rows)
    finally:
        await engine.dispose()
    return found


def indexes(connection: Connection) -> dict[str, dict[str, tuple[bool, str | None]]]:
    """Each index of `PARTIAL`'s tables by name: unique, and its predicate (None: every row).
    SQLite's unnamed unique constraints are left out, PostgreSQL's show as indexes."""
    found: dict[str, dict[str, tuple[bool, str | None]]] = {}
    for name in PARTIAL:
        found[name] = {}
        for index in inspect(connection).get_indexes(name):
            options = index.get("dialect_options", {})
            where = options.get("sqlite_where", options.get("postgresql_where"))
            text = str(where).strip("()").lower() if where is not None else None
            found[name][str(index["name"])] = (bool(index["unique"]), text)
    return found


def unique_keys(connection: Connection) -> set[tuple[str, ...]]:
    return {
        tuple(key["column_names"]) for key in inspect(connection).get_unique_constraints("messages")
    }


async def test_the_upgrade_keeps_every_row_and_gives_the_models_schema(upgraded: str) -> None:
    assert await counts(upgraded) == {model.__tablename__: len(rows) for model, rows in ROWS}
    engine = create_engine(upgraded)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(differences) == []  # blind to predicates
            found = await connection.run_sync(indexes)
            keys = await connection.run_sync(unique_keys)
            attached = await connection.scalar(select(Attachment.message_id))
    finally:
        await engine.dispose()
    assert attached == "question"
    for name, partial in PARTIAL.items():
        for index, column in partial.items():
            assert found[name][index] == (index.startswith("uq_"), f"{column} is not null")
    assert keys == {("conversation_id", "seq")}


async def test_a_key_taken_is_refused_as_before(upgraded: str) -> None:
    taken = [
        message("again", 6, Role.VISITOR, client_id="client-1"),
        message("again", 6, Role.AI, reply_to_id="question"),
        message("again", 6, Role.AGENT, hubspot_message_id="hubspot-1"),
    ]
    engine = create_engine(upgraded)
    try:
        for row in taken:
            with pytest.raises(IntegrityError):
                async with engine.begin() as connection:
                    await connection.execute(insert(table(Message)), row)
        async with engine.begin() as connection:  # a client id is per conversation
            second = dict(id="c2", organization_id="o", visitor_id="v", last_seq=1)
            await connection.execute(insert(table(Conversation)), second)
            other = message("other", 1, Role.VISITOR, client_id="client-1")
            await connection.execute(insert(table(Message)), other | {"conversation_id": "c2"})
        await answer_twice(session_factory(engine))
    finally:
        await engine.dispose()


async def answer_twice(sessions: async_sessionmaker[AsyncSession]) -> None:
    """`ON CONFLICT (reply_to_id) WHERE …` infers the partial key: the second answer to one
    visitor message writes nothing, an answer to another one is written."""
    effects = Effects(MemoryHub(), Wakeup(), AttachmentSigner("secret", 3600))
    async with sessions() as session:
        slot = await next_slot(session, "c")
        with pytest.raises(AlreadyAnswered):
            await insert_message(session, effects, slot, Role.AI, "again", reply_to_id="question")
    async with sessions() as session:
        slot = await next_slot(session, "c")
        await insert_message(session, effects, slot, Role.AI, "welcome", reply_to_id="thanks")
        await commit(session)
    async with sessions() as session:
        answers = await session.scalars(
            select(Message.text).where(Message.reply_to_id.is_not(None))
        )
        assert sorted(answers) == ["answer", "welcome"]


async def test_the_downgrade_brings_the_previous_keys_back_and_keeps_the_rows(
    upgraded: str,
) -> None:
    before = await counts(upgraded)
    command.downgrade(alembic_config(upgraded), PREVIOUS)
    assert await counts(upgraded) == before
    engine = create_engine(upgraded)
    try:
        async with engine.connect() as connection:
            found = await connection.run_sync(indexes)
            keys = await connection.run_sync(unique_keys)
    finally:
        await engine.dispose()
    assert not [i for table in found.values() for i, (_, where) in table.items() if where]
    every = {("conversation_id", "client_id"), ("reply_to_id",), ("hubspot_message_id",)}
    assert keys == every | {("conversation_id", "seq")}
    upgrade(upgraded)
    assert await counts(upgraded) == before
