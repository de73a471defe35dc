"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL: a
column added to a model without its migration (or the other way round) fails here, not in
production."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection

from relaydesk.db import create_engine
from relaydesk.models import Base


def differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_the_migrated_schema_matches_the_models(
    backend: str, database_urls: dict[str, str]
) -> None:
    engine = create_engine(database_urls[backend])
    try:
        async with engine.connect() as connection:
            found = await connection.run_sync(differences)
    finally:
        await engine.dispose()
    assert found == []
