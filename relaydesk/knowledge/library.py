"""Managing an organization's knowledge: import files, list, delete, re-index.

Every change bumps `Organization.kb_version`, so each process's `IndexCache` rebuilds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePath

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..errors import InvalidInput, NotFound, UnsupportedMedia
from ..models import KnowledgeDocument, Organization
from .documents import add_document

SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm")
_HTML_TITLE = re.compile(r"(?is)<title[^>]*>(.*?)</title>")


def title_of(name: str, body: str) -> str:
    """The first Markdown heading, the HTML <title>, or the file's name."""
    found = _HTML_TITLE.search(body)
    if found and found.group(1).strip():
        return found.group(1).strip()
    for line in body.splitlines()[:20]:
        if line.startswith("#"):
            return line.lstrip("# ").strip()
    return PurePath(name).stem.replace("-", " ").replace("_", " ") or "Untitled"


@dataclass(frozen=True)
class ParsedFile:
    title: str
    body: str
    source: str


def parse_file(name: str, data: bytes) -> ParsedFile:
    """A file's text and title, or a clear refusal (wrong kind, not UTF-8, empty)."""
    if PurePath(name).suffix.lower() not in SUFFIXES:
        raise UnsupportedMedia(f"{name}: only Markdown, text and HTML files are accepted")
    try:
        body = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{name}: the file is not UTF-8 text") from exc
    if not body.strip():
        raise InvalidInput(f"{name}: the file is empty")
    return ParsedFile(title_of(name, body), body, name)


async def add_parsed(
    session: AsyncSession, organization: Organization, parsed: ParsedFile
) -> KnowledgeDocument:
    return await add_document(session, organization, parsed.title, parsed.body, parsed.source)


async def documents_of(session: AsyncSession, organization_id: str) -> list[KnowledgeDocument]:
    docs = await session.scalars(
        select(KnowledgeDocument)
        .where(KnowledgeDocument.organization_id == organization_id)
        .order_by(KnowledgeDocument.created_at.desc(), KnowledgeDocument.title)
    )
    return list(docs)


async def document_count(session: AsyncSession, organization_id: str) -> int:
    query = select(func.count()).where(KnowledgeDocument.organization_id == organization_id)
    return int(await session.scalar(query) or 0)


async def delete_document(session: AsyncSession, organization: Organization, doc_id: str) -> None:
    result = await session.execute(
        delete(KnowledgeDocument).where(
            KnowledgeDocument.id == doc_id, KnowledgeDocument.organization_id == organization.id
        )
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise NotFound("no such document")
    await reindex(session, organization)


async def reindex(session: AsyncSession, organization: Organization) -> None:
    """Make every process rebuild this organization's index on its next question."""
    await session.execute(
        update(Organization)
        .where(Organization.id == organization.id)
        .values(kb_version=Organization.kb_version + 1)
    )
