"""App webhook subscriptions: events sent to the app's target URL, and the settings API."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hubspot_sandbox.auth import require_developer_key
from hubspot_sandbox.bodies import json_object, required_str
from hubspot_sandbox.clock import iso
from hubspot_sandbox.errors import HubSpotError, not_found
from hubspot_sandbox.records import Subscription
from hubspot_sandbox.sandbox import Sandbox, sandbox_of

JsonDict = dict[str, Any]


def app_event(
    sandbox: Sandbox, subscription_type: str, object_id: str, **fields: Any
) -> JsonDict | None:
    """One event as HubSpot sends it, or None when the app has no active subscription for it."""
    subscription = matching_subscription(sandbox, subscription_type, fields.get("propertyName"))
    if subscription is None:
        return None
    store = sandbox.store
    event = {
        "eventId": int(store.next_id("events")),
        "subscriptionId": int(subscription.id),
        "portalId": sandbox.config.portal_id,
        "appId": sandbox.config.app_id,
        "occurredAt": sandbox.clock.now_ms(),
        "subscriptionType": subscription_type,
        "attemptNumber": 0,
        "objectId": int(object_id),
        "changeSource": fields.pop("changeSource", "API"),
    }
    return event | fields


def matching_subscription(
    sandbox: Sandbox, subscription_type: str, property_name: str | None
) -> Subscription | None:
    for sub in sandbox.store.subscriptions.values():
        if (
            sub.active
            and sub.event_type == subscription_type
            and sub.property_name
            in (
                None,
                property_name,
            )
        ):
            return sub
    return None


def emit(sandbox: Sandbox, *events: JsonDict | None) -> None:
    """Sends the events that have a subscription, batched in one delivery."""
    sandbox.dispatcher.send_app_events([e for e in events if e is not None])


# The Webhooks API (developer API key) through which a legacy public app sets its target URL.


def require_legacy_app(request: Request) -> None:
    """The webhooks API serves legacy public apps; a project app declares its webhooks in its
    project, as HubSpot's guide says."""
    require_developer_key(request, request.path_params["appId"])
    if sandbox_of(request).app.project is not None:
        raise HubSpotError(
            400,
            "This app is a developer-platform project app: its webhooks are configured in the "
            "project's webhooks-hsmeta.json, not through the webhooks API.",
            "VALIDATION_ERROR",
        )


def settings_shape(sandbox: Sandbox) -> JsonDict:
    store = sandbox.store
    return {
        "targetUrl": store.webhook_target_url,
        "throttling": {"maxConcurrentRequests": store.webhook_max_concurrent, "period": "SECONDLY"},
        "createdAt": iso(store.seeded_at),
        "updatedAt": iso(sandbox.clock.now()),
    }


def subscription_shape(sub: Subscription) -> JsonDict:
    shape = {
        "id": sub.id,
        "eventType": sub.event_type,
        "active": sub.active,
        "createdAt": iso(sub.created_at),
        "updatedAt": iso(sub.created_at),
    }
    return shape | ({"propertyName": sub.property_name} if sub.property_name else {})


async def get_settings(request: Request) -> Response:
    sandbox = sandbox_of(request)
    require_legacy_app(request)
    if not sandbox.store.webhook_target_url:
        raise not_found("No webhook settings for this app")
    return JSONResponse(settings_shape(sandbox))


async def put_settings(request: Request) -> Response:
    sandbox = sandbox_of(request)
    require_legacy_app(request)
    body = await json_object(request)
    sandbox.store.webhook_target_url = required_str(body, "targetUrl")
    throttling = body.get("throttling") or {}
    sandbox.store.webhook_max_concurrent = int(throttling.get("maxConcurrentRequests", 10))
    return JSONResponse(settings_shape(sandbox))


async def delete_settings(request: Request) -> Response:
    sandbox = sandbox_of(request)
    require_legacy_app(request)
    sandbox.store.webhook_target_url = None
    return Response(status_code=204)


async def list_subscriptions(request: Request) -> Response:
    sandbox = sandbox_of(request)
    require_legacy_app(request)
    subs = [subscription_shape(s) for s in sandbox.store.subscriptions.values()]
    return JSONResponse({"results": subs})


async def create_subscription(request: Request) -> Response:
    sandbox = sandbox_of(request)
    require_legacy_app(request)
    body = await json_object(request)
    sub = sandbox.store.app.add_subscription(
        required_str(body, "eventType"), body.get("propertyName")
    )
    sub.active = bool(body.get("active", True))
    return JSONResponse(subscription_shape(sub), status_code=201)


async def change_subscription(request: Request) -> Response:
    sandbox = sandbox_of(request)
    require_legacy_app(request)
    sub = sandbox.store.subscriptions.get(request.path_params["subscriptionId"])
    if sub is None:
        raise not_found("Subscription not found")
    if request.method == "GET":
        return JSONResponse(subscription_shape(sub))
    if request.method == "DELETE":
        del sandbox.store.subscriptions[sub.id]
        return Response(status_code=204)
    sub.active = bool((await json_object(request)).get("active", sub.active))
    return JSONResponse(subscription_shape(sub))


routes = [
    Route("/webhooks/v3/{appId}/settings", get_settings, methods=["GET"]),
    Route("/webhooks/v3/{appId}/settings", put_settings, methods=["PUT"]),
    Route("/webhooks/v3/{appId}/settings", delete_settings, methods=["DELETE"]),
    Route("/webhooks/v3/{appId}/subscriptions", list_subscriptions, methods=["GET"]),
    Route("/webhooks/v3/{appId}/subscriptions", create_subscription, methods=["POST"]),
    Route(
        "/webhooks/v3/{appId}/subscriptions/{subscriptionId}",
        change_subscription,
        methods=["GET", "PATCH", "DELETE"],
    ),
]
