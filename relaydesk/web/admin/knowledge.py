"""The knowledge base: upload files or paste an article, list, delete, re-index."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from ...db import commit
from ...errors import PayloadTooLarge, RelaydeskError
from ...knowledge.documents import add_document
from ...knowledge.library import add_parsed, delete_document, documents_of, parse_file, reindex
from ..deps import SessionDep
from .deps import Manager, back_to, render

router = APIRouter()
MAX_FILE_BYTES = 5 * 1024 * 1024


async def _page(
    request: Request, admin: Manager, session: SessionDep, status: int = 200, **extra: object
) -> Response:
    docs = await documents_of(session, admin.organization.id)
    return render(request, admin, "knowledge.html", status, documents=docs, **extra)


async def _read(file: UploadFile) -> bytes:
    data = await file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise PayloadTooLarge(f"{file.filename}: files are limited to 5 MB")
    return data


@router.get("/knowledge")
async def knowledge(request: Request, admin: Manager, session: SessionDep) -> Response:
    return await _page(request, admin, session, done=request.query_params.get("done"))


@router.post("/knowledge/upload")
async def upload(
    request: Request,
    admin: Manager,
    session: SessionDep,
    files: Annotated[list[UploadFile], File()],
) -> Response:
    try:
        parsed = [parse_file(f.filename or "upload.txt", await _read(f)) for f in files]
    except RelaydeskError as refused:
        return await _page(request, admin, session, refused.status, error=refused.message)
    for document in parsed:
        await add_parsed(session, admin.organization, document)
    await commit(session)
    return back_to(f"/admin/knowledge?done=added+{len(files)}")


@router.post("/knowledge/article")
async def paste(
    request: Request,
    admin: Manager,
    session: SessionDep,
    title: Annotated[str, Form(min_length=1, max_length=300)],
    body: Annotated[str, Form(max_length=2_000_000)],
) -> Response:
    try:
        await add_document(session, admin.organization, title, body, source="pasted")
    except RelaydeskError as refused:
        return await _page(request, admin, session, refused.status, error=refused.message)
    await commit(session)
    return back_to("/admin/knowledge?done=added+1")


@router.post("/knowledge/reindex")
async def rebuild(admin: Manager, session: SessionDep) -> Response:
    await reindex(session, admin.organization)
    await commit(session)
    return back_to("/admin/knowledge?done=reindexed")


@router.post("/knowledge/{document_id}/delete")
async def delete(admin: Manager, session: SessionDep, document_id: str) -> Response:
    await delete_document(session, admin.organization, document_id)
    await commit(session)
    return back_to("/admin/knowledge?done=deleted")
