"""Alembic, driven from Python: `relaydesk migrate` and the readiness check use this."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str) -> None:
    """Bring the database to the newest schema (runs its own event loop: call from sync code)."""
    _ensure_sqlite_dir(database_url)
    command.upgrade(alembic_config(database_url), "heads")


@cache
def head_revisions() -> frozenset[str]:
    """Every head: work from parallel branches may add migrations that a merge joins later."""
    return frozenset(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def _ensure_sqlite_dir(url: str) -> None:
    if url.startswith("sqlite") and ":///" in url:
        path = url.split(":///", 1)[1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
