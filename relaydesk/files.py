"""Uploads: the limits of one message, type sniffed from the content (never trusted from the
client), storage."""

from __future__ import annotations

import asyncio
import hashlib
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import filetype
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .errors import InvalidInput, PayloadTooLarge, UnsupportedMedia
from .models import Attachment, Visitor, new_id
from .settings import LimitSettings
from .upload_quota import UploadQuotaExceeded, check_upload_quota

ALLOWED_TYPES = {
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
    "text/plain",
    "text/csv",
    "application/zip",
}
# What a file name's extension may claim for each sniffed type.
COMPATIBLE_EXTENSIONS = {
    "image/png": {".png"},
    "image/jpeg": {".jpg", ".jpeg"},
    "image/gif": {".gif"},
    "image/webp": {".webp"},
    "application/pdf": {".pdf"},
    "text/plain": {".txt", ".log", ".md", ""},
    "text/csv": {".csv"},
    "application/zip": {".zip"},
}


@dataclass(frozen=True)
class MessageLimits:
    """What one visitor message may carry: the widget shows and enforces these numbers, and
    the HubSpot custom channel declares the same ones as its capabilities."""

    text_length: int
    file_bytes: int
    files: int = 5
    total_bytes: int = 20 * 1024 * 1024
    types: tuple[str, ...] = tuple(sorted(ALLOWED_TYPES))

    @classmethod
    def of(cls, limits: LimitSettings) -> MessageLimits:
        return cls(limits.max_text_length, limits.max_upload_bytes)

    def widget_config(self) -> dict[str, Any]:
        extensions = sorted({e for t in self.types for e in COMPATIBLE_EXTENSIONS[t] if e})
        return {
            "max_text_length": self.text_length,
            "max_upload_bytes": self.file_bytes,
            "max_files": self.files,
            "max_total_upload_bytes": self.total_bytes,
            "accepted_types": list(self.types),
            "accepted_extensions": extensions,
        }


# The product's limits (the channel relaydesk registers in HubSpot declares these).
MESSAGE_LIMITS = MessageLimits.of(LimitSettings())


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    content_type: str
    data: bytes
    sha256: str


def check_upload(name: str, data: bytes, limits: MessageLimits) -> CheckedUpload:
    """Validate an upload; the stored type is what the bytes are, and the name must agree."""
    if len(data) > limits.file_bytes:
        raise PayloadTooLarge(f"file is larger than the limit of {limits.file_bytes} bytes")
    if not data:
        raise InvalidInput("file is empty", code="empty_file")
    clean = safe_name(name)
    content_type = sniff(data, clean)
    if content_type not in limits.types:
        raise UnsupportedMedia(f"files of type {content_type} are not accepted")
    ext = Path(clean).suffix.lower()
    if ext not in COMPATIBLE_EXTENSIONS[content_type]:
        raise UnsupportedMedia(
            f"the file's content is {content_type}, which does not match its name {clean!r}",
            code="disguised_file",
        )
    return CheckedUpload(clean, content_type, data, hashlib.sha256(data).hexdigest())


async def check_message_files(
    session: AsyncSession, visitor_id: str, ids: list[str], limits: MessageLimits
) -> None:
    """A message carries at most `limits.files` files of at most `limits.total_bytes` in all."""
    if len(set(ids)) > limits.files:
        raise InvalidInput(f"a message carries at most {limits.files} files", code="too_many_files")
    if not ids:
        return
    total = await session.scalar(
        select(func.coalesce(func.sum(Attachment.size), 0)).where(
            Attachment.id.in_(ids), Attachment.visitor_id == visitor_id
        )
    )
    if int(total or 0) > limits.total_bytes:
        raise PayloadTooLarge(
            f"the files of one message are limited to {limits.total_bytes} bytes in all"
        )


def sniff(data: bytes, name: str) -> str:
    kind = filetype.guess(data[:8192])
    if kind is not None:
        return str(kind.mime)
    if _is_text(data):
        return "text/csv" if name.lower().endswith(".csv") else "text/plain"
    return "application/octet-stream"


def _is_text(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(sample) - 3  # a multi-byte character cut by the sample
    return True


def safe_name(name: str) -> str:
    base = Path(name.replace("\\", "/")).name
    base = re.sub(r"[^\w.\- ]", "_", base).strip(" .")[:200]
    return base or "file"


def guess_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


class FileStore(Protocol):
    async def put(self, key: str, data: bytes) -> None: ...
    async def get(self, key: str) -> bytes: ...
    async def delete(self, key: str) -> None: ...


class LocalFileStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise InvalidInput("bad storage key")
        return path

    async def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        await asyncio.to_thread(_write, path, data)

    async def get(self, key: str) -> bytes:
        return await asyncio.to_thread(self._path(key).read_bytes)

    async def delete(self, key: str) -> None:
        """Remove the file; one already gone is fine (a sweep that ran twice)."""
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)


async def store_upload(
    session: AsyncSession,
    store: FileStore,
    visitor: Visitor,
    upload: CheckedUpload,
    limits: LimitSettings,
) -> Attachment:
    """Keep the bytes and record the attachment, within the visitor's and the organization's
    upload quotas; it joins a message when the visitor sends one (or is swept away)."""
    size = len(upload.data)
    await check_upload_quota(session, visitor, size, limits, lock=False)  # before any writing
    attachment_id = new_id()
    key = f"{visitor.organization_id}/{attachment_id}"
    await store.put(key, upload.data)  # no lock is held while the file is written
    try:
        await check_upload_quota(session, visitor, size, limits, lock=True)
    except UploadQuotaExceeded:
        await store.delete(key)
        raise
    attachment = Attachment(
        id=attachment_id,
        organization_id=visitor.organization_id,
        visitor_id=visitor.id,
        name=upload.name,
        content_type=upload.content_type,
        size=len(upload.data),
        sha256=upload.sha256,
        storage_key=key,
    )
    session.add(attachment)
    await session.flush()
    return attachment
