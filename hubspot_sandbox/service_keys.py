"""Service Keys: the account-level credential HubSpot offers instead of legacy private apps.

A key is created in a portal with the scopes it is given, and is sent as a Bearer token like a
private-app token. It cannot receive webhooks or use custom channels (HubSpot's changelog:
"Service Keys do not support webhooks"); the sandbox refuses channel calls for it the same way
it refuses private-app tokens.
"""

from __future__ import annotations

import secrets

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hubspot_sandbox.errors import validation_error
from hubspot_sandbox.sandbox import Sandbox


async def create_service_key(request: Request) -> Response:
    """`POST /_sandbox/service-keys {"portalId"?, "name"?}` → `{"serviceKey", "portalId"}`."""
    raw = await request.body()
    body = await request.json() if raw else {}
    if not isinstance(body, dict):
        raise validation_error("expected a JSON object")
    root: Sandbox = request.app.state.sandbox
    wanted = body.get("portalId") or request.query_params.get("portalId")
    portal = root.portal(wanted) if wanted else root.first
    # HubSpot does not document a fixed prefix for service keys, so relaydesk must not rely
    # on one: the sandbox's keys are opaque.
    key = secrets.token_urlsafe(32)
    portal.store.service_keys.add(key)
    answer = {"serviceKey": key, "portalId": portal.config.portal_id}
    return JSONResponse(answer, status_code=201)


routes = [Route("/_sandbox/service-keys", create_service_key, methods=["POST"])]
