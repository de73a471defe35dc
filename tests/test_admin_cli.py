"""`relaydesk create-admin`, `relaydesk kb add` and the demo owner, on a fresh database."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from relaydesk.accounts import credentials, memberships_of, password_matches, record_sign_in
from relaydesk.cli import main
from relaydesk.db import commit, create_engine, session_factory
from relaydesk.demo import ensure_demo_organization
from relaydesk.models import KnowledgeDocument, Organization
from relaydesk.vault import Vault

from .databases import migrated_sqlite
from .support import SECRET


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = migrated_sqlite(tmp_path / "cli.db")
    monkeypatch.setenv("RELAYDESK_DATABASE_URL", url)
    monkeypatch.setenv("RELAYDESK_SECRET_KEY", SECRET)
    return url


async def _roles(url: str, email: str, password: str) -> list[tuple[str, str]]:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            found = await credentials(session, email)
            matched = await password_matches(found, password)
            user = await record_sign_in(session, found, matched)
            return [(m.organization.name, m.role) for m in await memberships_of(session, user.id)]
    finally:
        await engine.dispose()


def test_create_admin_makes_the_first_owner(
    database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    main(["create-admin", "Founder@Example.test", "--org", "Acme", "--password-stdin"])
    out = capsys.readouterr().out
    assert "created organization 'Acme'" in out and "password" not in out.split("\n", 1)[1]
    roles = asyncio.run(_roles(database, "founder@example.test", "a long enough password"))
    assert roles == [("Acme", "owner")]

    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    with pytest.raises(SystemExit, match="at least 8"):
        main(["create-admin", "second@example.test", "--org", "Acme", "--password-stdin"])


def test_kb_add_imports_a_folder_with_a_progress_bar(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    main(["create-admin", "kb@example.test", "--org", "Docs Inc", "--password-stdin"])
    folder = tmp_path / "help"
    (folder / "nested").mkdir(parents=True)
    for i in range(25):
        (folder / f"article-{i:02}.md").write_text(f"# Article {i}\n\nBody {i}.")
    (folder / "nested" / "page.html").write_text("<title>Nested page</title><p>Hello</p>")
    (folder / "image.png").write_bytes(b"\x89PNG")  # not knowledge: skipped
    capsys.readouterr()
    main(["kb", "add", str(folder), "--org", "Docs Inc"])
    captured = capsys.readouterr()
    assert "added 26 documents to 'Docs Inc'" in captured.out
    assert "\r[" in captured.err and "26/26" in captured.err

    async def titles() -> tuple[int, int]:
        engine = create_engine(database)
        async with session_factory(engine)() as session:
            count = await session.scalar(select(func.count()).select_from(KnowledgeDocument))
            version = await session.scalar(select(Organization.kb_version))
        await engine.dispose()
        return int(count or 0), int(version or 0)

    assert asyncio.run(titles()) == (26, 26)
    with pytest.raises(SystemExit, match="no such file"):
        main(["kb", "add", str(tmp_path / "missing"), "--org", "Docs Inc"])


def test_the_demo_has_an_owner_who_signs_in_with_demo(database: str) -> None:
    async def seed_twice() -> None:
        engine = create_engine(database)
        for _ in range(2):  # a second `relaydesk demo` finds everything as it was
            async with session_factory(engine)() as session:
                await ensure_demo_organization(session, Vault(SECRET))
                await commit(session)
        await engine.dispose()

    asyncio.run(seed_twice())
    assert asyncio.run(_roles(database, "admin@demo.local", "demo")) == [("Demo", "owner")]
