"""Liveness, readiness (database reachable, migrations applied) and Prometheus metrics."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..migrate import head_revision
from .deps import RuntimeDep

router = APIRouter(include_in_schema=True, tags=["operations"])


class Metrics:
    """One registry per app, so several apps (tests) never collide."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "relaydesk_http_requests",
            "HTTP requests",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "relaydesk_http_request_seconds",
            "HTTP request latency",
            ["route"],
            registry=self.registry,
        )
        self.ws_connections = Gauge(
            "relaydesk_ws_connections", "Open widget WebSockets", registry=self.registry
        )
        self.outbox_processed = Gauge(
            "relaydesk_outbox_jobs_processed",
            "Outbox jobs completed by this process",
            registry=self.registry,
        )


async def measure(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    started = time.perf_counter()
    response = await call_next(request)
    route = request.scope.get("route")
    path = getattr(route, "path", "unmatched")
    metrics: Metrics = request.app.state.metrics
    metrics.requests.labels(request.method, path, str(response.status_code)).inc()
    metrics.latency.labels(path).observe(time.perf_counter() - started)
    return response


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(runtime: RuntimeDep) -> JSONResponse:
    try:
        async with runtime.engine.connect() as conn:
            current = await conn.scalar(text("SELECT version_num FROM alembic_version"))
    except SQLAlchemyError as exc:
        return JSONResponse({"status": "unavailable", "reason": type(exc).__name__}, 503)
    head = head_revision()
    if current != head:
        return JSONResponse({"status": "migrations pending", "current": current, "head": head}, 503)
    return JSONResponse({"status": "ready", "revision": current})


@router.get("/metrics")
async def metrics(request: Request, runtime: RuntimeDep) -> Response:
    state: Metrics = request.app.state.metrics
    state.outbox_processed.set(
        request.app.state.worker.processed if request.app.state.worker else 0
    )
    return Response(generate_latest(state.registry), media_type=CONTENT_TYPE_LATEST)
