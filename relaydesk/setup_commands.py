"""CLI commands that set an installation up or look after its data: `create-admin`, `kb add`,
`erase-visitor` (thin shells)."""

from __future__ import annotations

import getpass
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from .accounts import ensure_owner
from .db import commit
from .erasure import Erased, erase_visitors, remove_files, visitors_named
from .errors import RelaydeskError
from .knowledge.library import SUFFIXES, add_parsed, parse_file
from .models import Organization
from .organizations import create_organization
from .outbox import Wakeup
from .runtime import Runtime
from .settings import Settings

MIN_PASSWORD = 8


class CommandFailed(SystemExit):
    def __init__(self, message: str) -> None:
        super().__init__(f"relaydesk: {message}")


async def find_organization(session: AsyncSession, ref: str | None) -> Organization | None:
    """By id, widget key or name; without a reference, the only organization there is."""
    if ref is None:
        if await session.scalar(select(func.count()).select_from(Organization)) != 1:
            return None
        return await session.scalar(select(Organization))
    found = await session.scalars(
        select(Organization).where(
            or_(Organization.id == ref, Organization.widget_key == ref, Organization.name == ref)
        )
    )
    matches = list(found)
    if len(matches) > 1:
        raise CommandFailed(f"several organizations match {ref!r}; use the id")
    return matches[0] if matches else None


def read_password(from_stdin: bool) -> tuple[str, bool]:
    """The new password and whether to print it (generated ones are shown once)."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            raise CommandFailed("the passwords differ")
    else:
        return secrets.token_urlsafe(12), True
    if len(password) < MIN_PASSWORD:
        raise CommandFailed(f"use at least {MIN_PASSWORD} characters")
    return password, False


async def create_admin(settings: Settings, email: str, org_ref: str | None, stdin: bool) -> None:
    password, show = read_password(stdin)
    runtime = Runtime.build(settings)
    try:
        async with runtime.sessions() as session:
            organization = await find_organization(session, org_ref)
            if organization is None:
                name = org_ref or "My organization"
                organization = await create_organization(session, runtime.vault, name)
                print(f"created organization {name!r} (widget key {organization.widget_key})")
            await ensure_owner(session, organization, email, password)
            await commit(session)
        print(f"{email} is an owner of {organization.name!r}; sign in at /admin/login")
        if show:
            print(f"password (shown once): {password}")
    finally:
        await runtime.close()


def knowledge_files(paths: list[str]) -> Iterator[Path]:
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES)
        elif path.is_file():
            yield path
        else:
            raise CommandFailed(f"{raw}: no such file or folder")


class ProgressBar:
    """`[#####-----] 12/40 name` redrawn in place on stderr."""

    def __init__(self, total: int, out: TextIO | None = None, width: int = 30) -> None:
        self.total, self.out, self.width, self.done = total, out or sys.stderr, width, 0

    def step(self, label: str) -> None:
        self.done += 1
        filled = self.width * self.done // max(1, self.total)
        bar = "#" * filled + "-" * (self.width - filled)
        self.out.write(f"\r[{bar}] {self.done}/{self.total} {label[-40:]:<40}")
        self.out.flush()

    def finish(self) -> None:
        self.out.write("\n")


async def kb_add(settings: Settings, paths: list[str], org_ref: str | None) -> None:
    files = list(knowledge_files(paths))
    runtime = Runtime.build(settings)
    try:
        async with runtime.sessions() as session:
            organization = await find_organization(session, org_ref)
            if organization is None:
                raise CommandFailed("name the organization with --org (id, widget key or name)")
            progress = ProgressBar(len(files))
            for path in files:
                await add_parsed(session, organization, parse_file(str(path), path.read_bytes()))
                progress.step(path.name)
            progress.finish()
            await commit(session)
        print(f"added {len(files)} documents to {organization.name!r}")
    finally:
        await runtime.close()


HUBSPOT_KEPT = (
    "HubSpot records were not deleted; delete the contact there with HubSpot's GDPR delete."
)


async def erase_visitor(
    settings: Settings, org_ref: str, email: str | None, visitor_id: str | None
) -> None:
    """`relaydesk erase-visitor`: erase, commit, remove the files, print the counts."""
    runtime = Runtime.build(settings)
    try:
        async with runtime.sessions() as session:
            organization = await find_organization(session, org_ref)
            if organization is None:
                raise CommandFailed(f"no organization {org_ref!r}")
            try:
                found = await visitors_named(
                    session, organization.id, email=email, visitor_id=visitor_id
                )
            except RelaydeskError as refused:
                raise CommandFailed(refused.message) from refused
            actor = f"cli {_os_user()}"
            erased = await erase_visitors(session, Wakeup(), organization.id, found, actor)
            await commit(session)
        await remove_files(runtime.files, erased)
        print(erasure_report(organization.name, erased))
    finally:
        await runtime.close()


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # a container's user without a name
        return "unknown user"


def erasure_report(organization: str, erased: Erased) -> str:
    lines = [f"erased {erased.visitors} visitor(s) of {organization!r}"]
    lines += [f"  {name.replace('_', ' ')}: {n}" for name, n in erased.counts().items()]
    return "\n".join([*lines, HUBSPOT_KEPT])
