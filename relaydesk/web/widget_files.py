"""The widget's files: a visitor's upload (attached by the message that names it) and the
download behind a signed attachment URL."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, File, Header, Response, UploadFile

from ..attachment_urls import signed_attachment
from ..db import commit
from ..errors import PayloadTooLarge
from ..files import check_upload, store_upload
from ..payloads import attachment_payload
from . import shapes
from .deps import IpLimited, RuntimeDep, SessionDep, WidgetVisitor
from .downloads import file_response
from .errors import documented
from .inputs import Text
from .widget_api import BODY, VISITOR, message_limits

router = APIRouter(prefix="/api/widget/v1", tags=["widget"], dependencies=[IpLimited])
# What multipart framing adds to a file's bytes, allowed over the limit in Content-Length.
UPLOAD_OVERHEAD = 64 * 1024
A_FILE: dict[int | str, dict[str, Any]] = {200: {"description": "The file", "content": {"*/*": {}}}}


@router.post(
    "/uploads",
    status_code=201,
    response_model=shapes.Attachment,
    responses=documented(*VISITOR, *BODY, 415),
)
async def upload(
    auth: WidgetVisitor,
    session: SessionDep,
    runtime: RuntimeDep,
    file: Annotated[UploadFile, File()],
    content_length: Annotated[int | None, Header(include_in_schema=False)] = None,
) -> dict[str, Any]:
    limits = message_limits(runtime)
    max_bytes = limits.file_bytes
    if content_length is not None and content_length > max_bytes + UPLOAD_OVERHEAD:
        raise PayloadTooLarge(f"file is larger than the limit of {max_bytes} bytes")
    checked = check_upload(file.filename or "file", await file.read(max_bytes + 1), limits)
    attachment = await store_upload(
        session, runtime.files, auth.visitor, checked, runtime.settings.limits
    )
    await commit(session)
    return attachment_payload(attachment, runtime.attachment_urls.for_visitor(auth.visitor.id))


@router.get(
    "/attachments/{attachment_id}/{name}",
    response_class=Response,
    responses=A_FILE | documented(403, 404, 422, 429),
)
async def download(
    attachment_id: Text,
    name: str,
    exp: int,
    sig: str,
    session: SessionDep,
    runtime: RuntimeDep,
) -> Response:
    """The file behind a signed URL (`Attachment.url`); 403 `link_expired` once it expired."""
    signer = runtime.attachment_urls
    attachment = await signed_attachment(session, signer, attachment_id, exp, sig)
    data = await runtime.files.get(attachment.storage_key)
    return file_response(attachment, data, f"private, max-age={max(0, exp - int(time.time()))}")
