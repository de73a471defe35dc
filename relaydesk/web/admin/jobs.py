"""Background jobs: the organization's failed outbox jobs with their last error, and retry."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ...db import commit
from ...job_review import failed_jobs, retry_all, retry_job
from ..deps import RuntimeDep, SessionDep
from .deps import Manager, back_to, render

router = APIRouter()


@router.get("/jobs")
async def jobs(request: Request, admin: Manager, session: SessionDep) -> Response:
    failed = await failed_jobs(session, admin.organization.id)
    return render(request, admin, "jobs.html", jobs=failed)


@router.post("/jobs/retry-all")
async def retry_everything(admin: Manager, session: SessionDep, runtime: RuntimeDep) -> Response:
    await retry_all(session, runtime.wakeup, admin.organization.id)
    await commit(session)
    return back_to("/admin/jobs")


@router.post("/jobs/{job_id}/retry")
async def retry(admin: Manager, session: SessionDep, runtime: RuntimeDep, job_id: int) -> Response:
    await retry_job(session, runtime.wakeup, admin.organization.id, job_id)
    await commit(session)
    return back_to("/admin/jobs")
