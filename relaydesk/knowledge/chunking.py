"""Split Markdown, text and HTML documents into passages small enough to answer from."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

MAX_CHARS = 700
_TAG = re.compile(r"<[^>]+>")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")


@dataclass(frozen=True)
class Chunk:
    title: str
    heading: str
    text: str
    language: str = ""  # the document's (ISO 639-1); "" when unknown


def html_to_text(source: str) -> str:
    source = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", source)
    source = re.sub(r"(?i)<h([1-6])[^>]*>", lambda m: "\n" + "#" * int(m.group(1)) + " ", source)
    source = re.sub(r"(?i)</(p|div|li|h[1-6]|br|tr)>|<br\s*/?>", "\n", source)
    return html.unescape(_TAG.sub(" ", source))


def chunk_document(title: str, body: str, language: str = "") -> list[Chunk]:
    """Passages grouped under their nearest heading, cut at paragraph boundaries."""
    if "<" in body and _TAG.search(body):
        body = html_to_text(body)
    chunks: list[Chunk] = []
    heading = title
    buffer: list[str] = []

    def flush() -> None:
        text = "\n\n".join(buffer).strip()
        if text:
            chunks.append(Chunk(title, heading, text, language))
        buffer.clear()

    for paragraph in re.split(r"\n\s*\n", body):
        paragraph = paragraph.strip()
        match = _HEADING.match(paragraph.splitlines()[0]) if paragraph else None
        if match:
            flush()
            heading = match.group(2).strip()
            paragraph = "\n".join(paragraph.splitlines()[1:]).strip()
        if not paragraph:
            continue
        if buffer and sum(len(p) for p in buffer) + len(paragraph) > MAX_CHARS:
            flush()
        buffer.append(paragraph)
    flush()
    return chunks
