"""Liveness, readiness (database reachable, migrations applied) and Prometheus metrics."""

from __future__ import annotations

import time
from collections.abc import Awaitable

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.routing import Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..migrate import head_revisions
from . import shapes
from .analytics_metrics import AnalyticsGauges
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
        self.realtime_frames = Gauge(
            "relaydesk_realtime_frames_received",
            "Frames this node's hub received from the cluster (Redis)",
            registry=self.registry,
        )
        self.realtime_unrouted = Gauge(
            "relaydesk_realtime_frames_unrouted",
            "Frames received for a channel with no socket on this node",
            registry=self.registry,
        )
        self.realtime_resyncs = Gauge(
            "relaydesk_realtime_resyncs",
            "Times every socket here was told to catch up after the hub lost Redis",
            registry=self.registry,
        )
        self.realtime_connected = Gauge(
            "relaydesk_realtime_connected",
            "1 while the hub reaches the other nodes (always 1 without Redis)",
            registry=self.registry,
        )
        self.hubspot_events = Counter(
            "relaydesk_hubspot_webhook_events",
            "HubSpot webhook events received, by outcome (new, duplicate, unknown)",
            ["endpoint", "outcome"],
            registry=self.registry,
        )
        self.analytics = AnalyticsGauges(self.registry)
        self.hubspot_refused = Counter(
            "relaydesk_hubspot_webhooks_refused",
            "HubSpot webhook requests refused (forged, altered, stale or unknown URL)",
            ["endpoint"],
            registry=self.registry,
        )
        self._events: dict[tuple[str, str], Counter] = {}

    def hubspot_event(self, endpoint: str, outcome: str) -> Counter:
        """The events counter's child (looking it up takes a lock and checks every label)."""
        child = self._events.get((endpoint, outcome))
        if child is None:
            child = self._events[(endpoint, outcome)] = self.hubspot_events.labels(
                endpoint, outcome
            )
        return child


class MeasureRequests:
    """Count and time HTTP requests by route (plain ASGI: no task or buffering per request)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics
        # Each (method, route, status)'s counter and timer: looking a labelled child up in
        # prometheus_client takes a lock and checks every label, per request.
        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # A WebSocket passes through without a frame of this layer held for its whole life.
        if scope["type"] != "http":
            return self.app(scope, receive, send)
        return self._http(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        status = 500

        async def send_and_record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_record)
        finally:
            path = getattr(scope.get("route"), "path", "unmatched")
            requests, latency = self._for(scope["method"], path, status)
            requests.inc()
            latency.observe(time.perf_counter() - started)

    def _for(self, method: str, path: str, status: int) -> tuple[Counter, Histogram]:
        key = (method, path, status)
        children = self._children.get(key)
        if children is None:
            metrics = self.metrics
            children = (
                metrics.requests.labels(method, path, str(status)),
                metrics.latency.labels(path),
            )
            self._children[key] = children
        return children


class MeasuredRoute(Route):
    """A plain Starlette route that names itself in the scope as FastAPI's routes do, so
    `MeasureRequests` counts its requests under its path (FastAPI's router does not set it)."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child_scope = super().matches(scope)
        if match is not Match.NONE:
            child_scope["route"] = self
        return match, child_scope


@router.get("/healthz", response_model=shapes.Liveness)
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    response_model=shapes.Readiness,
    responses={503: {"model": shapes.Unready, "description": "Not ready to serve"}},
)
async def readyz(runtime: RuntimeDep) -> JSONResponse:
    try:
        async with runtime.engine.connect() as conn:
            rows = await conn.scalars(text("SELECT version_num FROM alembic_version"))
            current = sorted(rows)
    except SQLAlchemyError as exc:
        return JSONResponse({"status": "unavailable", "reason": type(exc).__name__}, 503)
    heads = sorted(head_revisions())
    if current != heads:
        body = {"status": "migrations pending", "current": current, "heads": heads}
        return JSONResponse(body, 503)
    return JSONResponse({"status": "ready", "revisions": current})


@router.get("/metrics", response_class=PlainTextResponse)
async def metrics(request: Request, runtime: RuntimeDep) -> Response:
    state: Metrics = request.app.state.metrics
    state.outbox_processed.set(
        request.app.state.worker.processed if request.app.state.worker else 0
    )
    hub = runtime.hub.stats
    state.realtime_frames.set(hub.frames_received)
    state.realtime_unrouted.set(hub.frames_unrouted)
    state.realtime_resyncs.set(hub.resyncs)
    state.realtime_connected.set(int(hub.connected))
    await state.analytics.refresh(runtime.sessions, runtime.settings.analytics_metrics_ttl_s)
    return Response(generate_latest(state.registry), media_type=CONTENT_TYPE_LATEST)
