"""The composition root: `create_sandbox_app(config)` builds one sandbox portal as an ASGI app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import jinja2
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.templating import Jinja2Templates

from hubspot_sandbox import (
    associations,
    channels,
    control,
    conversations,
    crm,
    files,
    inbox,
    oauth,
    portal,
    properties,
    service_keys,
    subscriptions,
)
from hubspot_sandbox.config import SandboxConfig
from hubspot_sandbox.errors import (
    HubSpotError,
    OAuthError,
    render_hubspot_error,
    render_oauth_error,
)
from hubspot_sandbox.faults import FaultGate
from hubspot_sandbox.journal import Journal
from hubspot_sandbox.sandbox import Sandbox, is_api_path
from hubspot_sandbox.scopes import load_scope_table
from hubspot_sandbox.validation import load_body_validator
from hubspot_sandbox.versions import VersionedPaths, sent_path

TEMPLATES = Path(__file__).parent / "templates"


async def unknown_route(request: Request, exc: Exception) -> Response:
    """HubSpot answers unknown API paths and methods with its JSON error, not HTML."""
    status = getattr(exc, "status_code", 404)
    body = {
        "status": "error",
        "message": f"Unable to route {request.method} {sent_path(request)}",
        "correlationId": "00000000-0000-0000-0000-000000000000",
        "category": "OBJECT_NOT_FOUND",
    }
    return JSONResponse(body, status_code=status)


def create_sandbox_app(config: SandboxConfig | None = None) -> Starlette:
    """A fresh portal with its own store; nothing is shared between apps."""
    config = config or SandboxConfig()
    validator = load_body_validator(config.openapi_dir)
    sandbox = Sandbox.build(config, validator, load_scope_table(config.openapi_dir))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await sandbox.dispatcher.start()
        try:
            yield
        finally:
            await sandbox.dispatcher.close()

    routes = [
        *oauth.routes,
        *portal.routes,
        *channels.routes,
        *conversations.routes,
        *crm.routes,
        *properties.routes,
        *associations.routes,
        *files.routes,
        *subscriptions.routes,
        *control.routes,
        *service_keys.routes,
        *inbox.routes,
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[
            Middleware(Journal, store=sandbox.store, is_api_path=is_api_path),
            Middleware(FaultGate, faults=sandbox.faults, is_api_path=is_api_path),
            # Innermost: the journal and the fault gate see the path as sent.
            Middleware(VersionedPaths),
        ],
        exception_handlers={
            HubSpotError: render_hubspot_error,
            OAuthError: render_oauth_error,
            404: unknown_route,
            405: unknown_route,
        },
    )
    app.state.sandbox = sandbox
    # Every value is escaped: thread texts, names and emails come from strangers.
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    app.state.templates = Jinja2Templates(env=environment)
    return app
