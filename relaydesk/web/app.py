"""The composition root: `create_app(settings)` builds the app; its lifespan owns the runtime."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.routing import WebSocketRoute

from .. import __version__
from ..assistant.brain import Brain
from ..collector import hold_old_objects
from ..hubspot.api.transport import RetryPolicy
from ..hubspot.handoff.options import SyncOptions
from ..login_throttle import LoginThrottle
from ..runtime import Runtime
from ..settings import Settings
from . import (
    admin,
    demo,
    errors,
    health,
    hubspot_webhooks,
    public_api,
    visitor_mail,
    widget_api,
    widget_assets,
    widget_files,
    widget_messages,
    widget_script,
    widget_ws,
)
from .body_limit import BodyLimit, BodyLimits
from .cors import WidgetCors
from .lanes import Lanes
from .proxies import TrustedProxies, networks
from .security_headers import NoSniff

STATIC = Path(__file__).parent / "static"


def create_app(
    settings: Settings | None = None,
    *,
    brain: Brain | None = None,
    retry: RetryPolicy | None = None,
    sync_options: SyncOptions | None = None,
) -> FastAPI:
    """The whole app; `brain`, HubSpot's `retry` policy and the handoff's `sync_options`
    replace the defaults (`Runtime.build`)."""
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = Runtime.build(settings, brain, retry=retry, sync_options=sync_options)
        await runtime.start()
        app.state.runtime = runtime
        worker = runtime.worker() if settings.worker.in_process else None
        app.state.worker = worker
        task = asyncio.create_task(worker.run()) if worker else None
        # What start-up built, and later what survives a full collection, is frozen: the
        # collector stops walking it, so a full collection takes milliseconds instead of
        # stalling every socket for a tenth of a second (`collector.py`).
        try:
            async with hold_old_objects(settings.collector_thaw_s):
                yield
        finally:
            if worker and task:
                worker.stop()
                await task
            await runtime.close()

    # No /docs or /redoc: their pages load scripts from a CDN, which fails offline and is code
    # relaydesk does not control; the API is described by /openapi.json.
    app = Lanes(
        title="relaydesk", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None
    )
    app.state.metrics = health.Metrics()
    app.state.worker = None
    errors.install(app)
    app.add_middleware(health.MeasureRequests, metrics=app.state.metrics)
    app.add_middleware(WidgetCors, prefixes=("/api/widget/", "/static/"))
    app.add_middleware(BodyLimit, limits=body_limits(settings))
    app.add_middleware(NoSniff)
    # Outermost: every layer inside sees the client's address as the trusted proxy reported it.
    app.add_middleware(TrustedProxies, trusted=networks(settings.trusted_proxies))
    limits = settings.limits
    app.state.login_throttle = LoginThrottle(
        limits.login_attempts_per_minute,
        limits.login_failures_before_lockout,
        limits.login_lockout_s,
    )
    # Routes are matched in order: the busiest first (a rep reply is a webhook, a visitor's
    # message a widget call), the admin's pages last.
    routers = (
        hubspot_webhooks,
        widget_api,
        widget_files,
        widget_assets,
        health,
        public_api,
        demo,
        visitor_mail,
    )
    # The widget's socket is a plain Starlette route on the app's own router: an idle socket
    # then holds no frames of FastAPI's dependency handling or of an included router.
    socket = WebSocketRoute(widget_ws.PATH, widget_ws.widget_socket)
    app.router.routes.append(socket)
    app.add_socket_lane(socket)  # an idle socket holds no frame of FastAPI's layers
    # A rep's reply and a visitor's message too, ahead of the operations `hubspot_webhooks` and
    # `widget_api` declare for the document: FastAPI's request handling is work on every one.
    replies = health.MeasuredRoute(
        hubspot_webhooks.CHANNEL_PATH, hubspot_webhooks.channel_webhook, methods=["POST"]
    )
    messages = health.MeasuredRoute(widget_messages.PATH, widget_messages.serve, methods=["POST"])
    app.router.routes += (replies, messages)
    app.add_lane(replies, "POST")  # and served ahead of FastAPI's layers (`lanes.py`)
    app.add_lane(messages, "POST")
    for module in (*routers, admin, widget_script):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def body_limits(settings: Settings) -> BodyLimits:
    """The widget's upload takes one file and its form; the admin's import several files."""
    limits = settings.limits
    uploads = (
        ("/api/widget/v1/uploads", limits.max_upload_bytes + 64 * 1024),
        ("/admin/knowledge/upload", limits.max_import_bytes),
    )
    return BodyLimits(limits.max_body_bytes, uploads, limits.body_timeout_s)
