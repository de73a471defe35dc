"""PostgreSQL connections of `db.create_engine` use a prepared statement's generic plan from its
first run, rather than planning it anew for each of its first five runs."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from relaydesk.db import create_engine

from .services import unavailable

PREPARE = "PREPARE by_id(varchar) AS SELECT name FROM organizations WHERE id = $1"


@pytest.mark.parametrize("settings", ["ours", "postgresql's default"])
async def test_a_statements_first_run_uses_its_generic_plan(
    database_urls: dict[str, str], settings: str
) -> None:
    if "postgresql" not in database_urls:
        unavailable("PostgreSQL is not reachable on this machine")
    engine = create_engine(database_urls["postgresql"], pool_size=1, max_overflow=0)
    try:
        async with engine.connect() as connection:
            if settings != "ours":
                await connection.execute(text("SET plan_cache_mode = auto"))
            await connection.execute(text(PREPARE))
            plan = (await connection.execute(text("EXPLAIN EXECUTE by_id('org-1')"))).scalars()
            lines = "\n".join(plan)
            await connection.execute(text("DEALLOCATE by_id"))
    finally:
        await engine.dispose()
    # A generic plan keeps the parameter; a custom plan has the value in its place.
    if settings == "ours":
        assert "$1" in lines and "org-1" not in lines, lines
    else:
        assert "org-1" in lines and "$1" not in lines, lines
