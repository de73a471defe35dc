"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL: a
column added to a model without its migration (or the other way round) fails here, not in
production."""

from __future__ import annotations

import json
import subprocess
import sys
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


ONLY_THE_MODELS = """
import asyncio, json, sys
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from relaydesk.db import create_engine
from relaydesk.models import Base

def differences(connection):
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return [repr(found) for found in compare_metadata(context, Base.metadata)]

async def main():
    engine = create_engine(sys.argv[1])
    async with engine.connect() as connection:
        found = await connection.run_sync(differences)
    await engine.dispose()
    loaded = sorted(name for name in sys.modules if name.startswith("relaydesk."))
    print(json.dumps({"differences": found, "loaded": loaded}))

asyncio.run(main())
"""


def test_autogenerate_sees_every_table_with_only_the_models_imported(
    backend: str, database_urls: dict[str, str]
) -> None:
    """What `alembic revision --autogenerate` sees: a model module that `relaydesk.models` does
    not import would show as a table to drop."""
    ran = subprocess.run(
        [sys.executable, "-c", ONLY_THE_MODELS, database_urls[backend]],
        capture_output=True,
        text=True,
        check=True,
    )
    seen = json.loads(ran.stdout)
    assert not [name for name in seen["loaded"] if name.startswith("relaydesk.hubspot")]
    assert seen["differences"] == []
