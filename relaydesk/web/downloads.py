"""A stored file sent to a browser: shown inline only when it is an image or a PDF, never
sniffed, sandboxed, and named in a header every client can read."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Response

from ..models import Attachment


def file_response(attachment: Attachment, data: bytes, cache_control: str) -> Response:
    inline = (
        attachment.content_type.startswith("image/") or attachment.content_type == "application/pdf"
    )
    disposition = "inline" if inline else "attachment"
    return Response(
        data,
        media_type=attachment.content_type,
        headers={
            "Content-Disposition": content_disposition(disposition, attachment.name),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox",
            "Cache-Control": cache_control,
        },
    )


def content_disposition(disposition: str, name: str) -> str:
    """RFC 6266: an ASCII `filename` for old clients and the real name, UTF-8 and
    percent-encoded, in `filename*` (a header carries only Latin-1, so a Chinese or Cyrillic
    name written as it is made the download fail)."""
    fallback = "".join(c if " " <= c <= "~" and c not in '"\\' else "_" for c in name)
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
