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


async def raw_sqlite(url: str, copy: Path) -> bytes:
    """The bytes of every page of the SQLite database (free pages included), as a disk holds
    them: copied page by page through SQLite's backup API, which reads the live database
    (its write-ahead log included) without changing it."""
    return await asyncio.to_thread(_page_copy, make_url(url).database or "", copy)


def _page_copy(path: str, copy: Path) -> bytes:
    source, target = sqlite3.connect(path, timeout=30), sqlite3.connect(copy)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    return copy.read_bytes()
