"""Knowledge documents stored per organization, and the cached retrieval index built from them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..assistant.language import detect_language
from ..errors import InvalidInput
from ..models import KnowledgeDocument, Organization
from .chunking import chunk_document
from .index import KnowledgeIndex

SAMPLE_DIR = Path(__file__).parent / "sample"
MAX_DOCUMENT_CHARS = 2_000_000
DETECT_CHARS = 2000
DEFAULT_LANGUAGE = "en"


async def add_document(
    session: AsyncSession,
    organization: Organization,
    title: str,
    body: str,
    source: str = "",
    language: str | None = None,
) -> KnowledgeDocument:
    """Store a document; its language is detected from its text unless given."""
    if not body.strip():
        raise InvalidInput("the document is empty")
    if len(body) > MAX_DOCUMENT_CHARS:
        raise InvalidInput(f"documents are limited to {MAX_DOCUMENT_CHARS} characters")
    doc = KnowledgeDocument(
        organization_id=organization.id,
        title=title[:300],
        body=body,
        source=source[:500],
        language=language or document_language(title, body),
    )
    session.add(doc)
    await session.execute(
        update(Organization)
        .where(Organization.id == organization.id)
        .values(kb_version=Organization.kb_version + 1)
    )
    return doc


async def add_sample_documents(session: AsyncSession, organization: Organization) -> int:
    paths = sorted(SAMPLE_DIR.glob("*.md"))
    for path in paths:
        body = path.read_text(encoding="utf-8")
        title = body.splitlines()[0].lstrip("# ").strip() or path.stem
        await add_document(session, organization, title, body, source=f"sample/{path.name}")
    return len(paths)


def document_language(title: str, body: str) -> str:
    """The language an article is written in, judged by its title and first paragraphs."""
    return detect_language(f"{title}\n{body[:DETECT_CHARS]}") or DEFAULT_LANGUAGE


class IndexCache:
    """One index per organization, rebuilt when the organization's `kb_version` moves."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[int, KnowledgeIndex]] = {}

    async def get(
        self, session: AsyncSession, organization_id: str, version: int
    ) -> KnowledgeIndex:
        """The index for `version` of the organization's knowledge (built on first use)."""
        cached = self._cache.get(organization_id)
        if cached is not None and cached[0] == version:
            return cached[1]
        docs = await session.scalars(
            select(KnowledgeDocument)
            .where(KnowledgeDocument.organization_id == organization_id)
            .order_by(KnowledgeDocument.created_at)
        )
        chunks = [
            c
            for d in docs
            for c in chunk_document(
                d.title, d.body, d.language or document_language(d.title, d.body)
            )
        ]
        index = KnowledgeIndex(chunks)
        self._cache[organization_id] = (version, index)
        return index
