"""Migrated databases for the tests. The migrations run once per backend in a test run, into a
template; every database a test asks for is a copy of it (a file copy on SQLite, `CREATE
DATABASE … TEMPLATE` on PostgreSQL), which takes milliseconds instead of a migration's second."""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import asyncpg

from relaydesk.migrate import upgrade

PG_ADMIN_DSN = os.environ.get("RELAYDESK_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_BASE = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


@cache
def postgres_available() -> bool:
    async def probe() -> bool:
        try:
            conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=3)
        except (OSError, asyncpg.PostgresError):
            return False
        await conn.close()
        return True

    return asyncio.run(probe())


async def _pg_admin(sql: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@cache
def _sqlite_template() -> Path:
    directory = Path(tempfile.mkdtemp(prefix="relaydesk-template-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    path = directory / "relaydesk.db"
    upgrade(sqlite_url(path))
    return path


@cache
def _postgres_template() -> str:
    name = f"relaydesk_template_{uuid.uuid4().hex[:8]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    atexit.register(_drop_postgres, name)
    upgrade(f"{PG_BASE}/{name}")
    return name


def _drop_postgres(name: str) -> None:
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def migrated_sqlite(path: Path) -> str:
    """A migrated SQLite database at `path` (its folder is made); its URL."""
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_sqlite_template(), path)
    return sqlite_url(path)


@contextmanager
def migrated_databases(directory: Path, prefix: str) -> Iterator[dict[str, str]]:
    """A migrated SQLite file and, where PostgreSQL answers, a throwaway migrated database."""
    urls = {"sqlite": migrated_sqlite(directory / "relaydesk.db")}
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    has_pg = postgres_available()
    if has_pg:
        template = _postgres_template()
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        urls["postgresql"] = f"{PG_BASE}/{name}"
    try:
        yield urls
    finally:
        if has_pg:
            _drop_postgres(name)


@contextmanager
def empty_database(backend: str, directory: Path, prefix: str) -> Iterator[str]:
    """A database with no schema yet on `backend` (a new SQLite file in `directory`, or a
    throwaway PostgreSQL database), for a test that migrates it step by step; its URL."""
    if backend == "sqlite":
        directory.mkdir(parents=True, exist_ok=True)
        yield sqlite_url(directory / "empty.db")
        return
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{PG_BASE}/{name}"
    finally:
        _drop_postgres(name)
