"""Everything a database holds, as text, for tests that must find nothing of an erased visitor:
SQLite's own dump (`iterdump`), and on PostgreSQL every row of every table as its text form."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url


async def dump_text(url: str) -> str:
    if url.startswith("sqlite"):
        return await asyncio.to_thread(_sqlite_dump, make_url(url).database or "")
    return await _postgres_dump(url)


def _sqlite_dump(path: str) -> str:
    connection = sqlite3.connect(path)
    try:
        return "\n".join(connection.iterdump())
    finally:
        connection.close()


async def _postgres_dump(url: str) -> str:
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        tables = await connection.fetch(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
        lines = []
        for table in tables:
            name = table["table_name"].replace('"', '""')
            rows = await connection.fetch(f'SELECT t::text AS row FROM "{name}" t')
            lines += [f"{name}: {row['row']}" for row in rows]
        return "\n".join(lines)
    finally:
        await connection.close()


def files_containing(folder: Path, needles: list[str]) -> list[tuple[Path, str]]:
    """Every file under `folder` whose bytes contain one of the needles."""
    found = []
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found += [(path, n) for n in needles if n.encode() in data]
    return found


async def raw_sqlite(url: str) -> bytes:
    """The SQLite file's bytes once its write-ahead log is folded in and emptied: what a disk
    holds, free pages included."""
    path = make_url(url).database or ""
    return await asyncio.to_thread(_checkpointed_bytes, path)


def _checkpointed_bytes(path: str) -> bytes:
    connection = sqlite3.connect(path, timeout=30)
    try:
        busy, _, _ = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        assert busy == 0, "the checkpoint could not finish"
    finally:
        connection.close()
    wal = Path(path + "-wal")
    return Path(path).read_bytes() + (wal.read_bytes() if wal.exists() else b"")
