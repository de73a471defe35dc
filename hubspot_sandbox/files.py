"""Files API v3: multipart upload, metadata, signed URLs and downloads of the portal's files."""

from __future__ import annotations

import hashlib
import hmac
import json
import mimetypes

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hubspot_sandbox import shapes
from hubspot_sandbox.auth import require_token
from hubspot_sandbox.clock import iso
from hubspot_sandbox.errors import HubSpotError, not_found, validation_error
from hubspot_sandbox.records import StoredFile
from hubspot_sandbox.sandbox import Sandbox, sandbox_of

ACCESS = {
    "PUBLIC_INDEXABLE",
    "PUBLIC_NOT_INDEXABLE",
    "PRIVATE",
    "HIDDEN_INDEXABLE",
    "HIDDEN_NOT_INDEXABLE",
    "HIDDEN_PRIVATE",
    "SENSITIVE",
    "HIDDEN_SENSITIVE",
}


def upload_options(raw: str | None) -> dict[str, object]:
    try:
        options = json.loads(raw or "")
    except json.JSONDecodeError as exc:
        raise validation_error("options must be a JSON string with an access level") from exc
    if not isinstance(options, dict) or options.get("access") not in ACCESS:
        raise validation_error(f"options.access is required, one of {sorted(ACCESS)}")
    return options


def text_field(value: object) -> str | None:
    return value if isinstance(value, str) else None


def split_name(wanted: str | None, uploaded: str) -> tuple[str, str]:
    base, _, ext = (wanted or uploaded).rpartition(".")
    if not base:
        base, ext = (wanted or uploaded), uploaded.rpartition(".")[2] if "." in uploaded else ""
    return base, ext.lower()


async def upload(request: Request) -> Response:
    sandbox = sandbox_of(request)
    require_token(request)
    if int(request.headers.get("content-length", 0)) > sandbox.config.max_upload_bytes:
        raise HubSpotError(413, "File exceeds the maximum upload size", "VALIDATION_ERROR")
    form = await request.form(max_part_size=sandbox.config.max_upload_bytes)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise validation_error("file is required")
    folder = form.get("folderPath") or form.get("folderId")
    if not isinstance(folder, str) or not folder:
        raise validation_error("Either 'folderId' or 'folderPath' is required")
    options = upload_options(text_field(form.get("options")))
    name, ext = split_name(
        text_field(form.get("fileName")),
        upload.filename or "file",
    )
    content_type = (
        upload.content_type or mimetypes.guess_type(f"x.{ext}")[0] or "application/octet-stream"
    )
    stored = StoredFile(
        sandbox.store.next_id("files"),
        name,
        ext,
        "/" + folder.strip("/"),
        str(options["access"]),
        await upload.read(),
        content_type,
        sandbox.clock.now(),
    )
    sandbox.store.files[stored.id] = stored
    return JSONResponse(file_shape(sandbox, stored), status_code=201)


async def search_files(request: Request) -> Response:
    """Files whose name contains `name` (and of the given ids), as HubSpot's file index shows
    them: a file becomes findable `search_index_delay_s` after its upload."""
    sandbox = sandbox_of(request)
    require_token(request)
    params = request.query_params
    try:
        limit = min(int(params.get("limit", 10)), 100)
    except ValueError as exc:
        raise validation_error("limit must be an integer") from exc
    name = params.get("name")
    ids = set(params.getlist("ids"))
    visible_before = sandbox.clock.now() - sandbox.config.search_index_delay_s
    found = [
        f
        for f in sandbox.store.files.values()
        if f.created_at <= visible_before
        and (name is None or name.lower() in f.name.lower())
        and (not ids or f.id in ids)
    ]
    return JSONResponse({"results": [file_shape(sandbox, f) for f in found[:limit]]})


def file_shape(sandbox: Sandbox, stored: StoredFile) -> dict[str, object]:
    return shapes.file(stored, sandbox.config.public_base_url, sandbox.config.portal_id)


def file_or_404(sandbox: Sandbox, file_id: str) -> StoredFile:
    stored = sandbox.store.files.get(file_id)
    if stored is None:
        raise not_found(f"File {file_id} not found")
    return stored


async def get_file(request: Request) -> Response:
    sandbox = sandbox_of(request)
    require_token(request)
    return JSONResponse(file_shape(sandbox, file_or_404(sandbox, request.path_params["fileId"])))


async def delete_file(request: Request) -> Response:
    sandbox = sandbox_of(request)
    require_token(request)
    del sandbox.store.files[file_or_404(sandbox, request.path_params["fileId"]).id]
    return Response(status_code=204)


def url_signature(sandbox: Sandbox, file_id: str, expires: int) -> str:
    key = (sandbox.config.client_secret + ":files").encode()
    return hmac.new(key, f"{file_id}:{expires}".encode(), hashlib.sha256).hexdigest()


async def signed_url(request: Request) -> Response:
    sandbox = sandbox_of(request)
    require_token(request)
    stored = file_or_404(sandbox, request.path_params["fileId"])
    expires = int(sandbox.clock.now() + int(request.query_params.get("expirationSeconds", 3600)))
    url = (
        f"{sandbox.config.public_base_url}/_files/signed/{stored.id}/{stored.name}.{stored.extension}"
        f"?expires={expires}&signature={url_signature(sandbox, stored.id, expires)}"
    )
    return JSONResponse(
        {
            "url": url,
            "expiresAt": iso(expires),
            "name": stored.name,
            "extension": stored.extension,
            "type": shapes.file_type(stored.content_type),
            "size": len(stored.content),
        }
    )


def content(stored: StoredFile) -> Response:
    disposition = f'attachment; filename="{stored.name}.{stored.extension}"'
    return Response(
        stored.content, media_type=stored.content_type, headers={"Content-Disposition": disposition}
    )


async def download(request: Request) -> Response:
    sandbox = sandbox_of(request)
    require_token(request)
    return content(file_or_404(sandbox, request.path_params["fileId"]))


async def signed_download(request: Request) -> Response:
    """What a signed URL serves; no token needed, the signature and expiry are the permission."""
    sandbox = sandbox_of(request)
    stored = file_or_404(sandbox, request.path_params["fileId"])
    expires = int(request.query_params.get("expires", 0))
    good = hmac.compare_digest(
        url_signature(sandbox, stored.id, expires), request.query_params.get("signature", "")
    )
    if not good or expires < sandbox.clock.now():
        return Response("Signature invalid or expired", status_code=403)
    return content(stored)


async def public_file(request: Request) -> Response:
    sandbox = sandbox_of(request)
    path = "/" + request.path_params["path"]
    stored = next(
        (
            f
            for f in sandbox.store.files.values()
            if f.path == path and f.access.startswith("PUBLIC")
        ),
        None,
    )
    if stored is None:
        return Response("Not found", status_code=404)
    return content(stored)


routes = [
    Route("/files/v3/files", upload, methods=["POST"]),
    Route("/files/v3/files/search", search_files, methods=["GET"]),
    Route("/files/v3/files/{fileId}", get_file, methods=["GET"]),
    Route("/files/v3/files/{fileId}", delete_file, methods=["DELETE"]),
    Route("/files/v3/files/{fileId}/signed-url", signed_url, methods=["GET"]),
    Route("/files/v3/files/{fileId}/download", download, methods=["GET"]),
    Route("/_files/signed/{fileId}/{name}", signed_download, methods=["GET"]),
    Route("/hubfs/{portalId}/{path:path}", public_file, methods=["GET"]),
]
