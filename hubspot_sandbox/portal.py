"""The portal's fixed setup as the API shows it: account details, owners, ticket pipelines."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hubspot_sandbox import shapes
from hubspot_sandbox.auth import require_token
from hubspot_sandbox.conversations import page
from hubspot_sandbox.errors import not_found
from hubspot_sandbox.sandbox import sandbox_of


async def account_details(request: Request) -> Response:
    sandbox = sandbox_of(request)
    require_token(request)
    return JSONResponse(
        {
            "portalId": sandbox.config.portal_id,
            "accountType": "STANDARD",
            "timeZone": "Europe/Berlin",
            "companyCurrency": "EUR",
            "additionalCurrencies": [],
            "utcOffset": "+01:00",
            "utcOffsetMilliseconds": 3600000,
            "uiDomain": "app.hubspot.com",
            "dataHostingLocation": "na1",
        }
    )


async def list_owners(request: Request) -> Response:
    sandbox = sandbox_of(request)
    require_token(request)
    email = request.query_params.get("email", "").lower()
    owners = [o for o in sandbox.store.owners if not email or o.email.lower() == email]
    return JSONResponse(page([shapes.owner(o, sandbox.store.seeded_at) for o in owners], request))


async def get_owner(request: Request) -> Response:
    sandbox = sandbox_of(request)
    require_token(request)
    key = request.path_params["ownerId"]
    by_user = request.query_params.get("idProperty") == "userId"
    owner = next(
        (o for o in sandbox.store.owners if (str(o.user_id) if by_user else o.id) == key), None
    )
    if owner is None:
        raise not_found(f"Owner {key} not found")
    return JSONResponse(shapes.owner(owner, sandbox.store.seeded_at))


def pipelines_of(request: Request) -> list[dict[str, object]]:
    sandbox = sandbox_of(request)
    require_token(request)
    kind = request.path_params["objectType"].lower()
    kind = {"ticket": "tickets", "0-5": "tickets"}.get(kind, kind)
    return [
        shapes.pipeline(p, sandbox.store.seeded_at) for p in sandbox.store.pipelines.get(kind, [])
    ]


async def list_pipelines(request: Request) -> Response:
    return JSONResponse({"results": pipelines_of(request)})


async def get_pipeline(request: Request) -> Response:
    wanted = request.path_params["pipelineId"]
    pipeline = next((p for p in pipelines_of(request) if p["id"] == wanted), None)
    if pipeline is None:
        raise not_found(f"Pipeline {wanted} not found")
    if request.url.path.endswith("/stages"):
        return JSONResponse({"results": pipeline["stages"]})
    return JSONResponse(pipeline)


routes = [
    Route("/account-info/v3/details", account_details, methods=["GET"]),
    Route("/crm/v3/owners", list_owners, methods=["GET"]),
    Route("/crm/v3/owners/", list_owners, methods=["GET"]),
    Route("/crm/v3/owners/{ownerId}", get_owner, methods=["GET"]),
    Route("/crm/v3/pipelines/{objectType}", list_pipelines, methods=["GET"]),
    Route("/crm/v3/pipelines/{objectType}/{pipelineId}", get_pipeline, methods=["GET"]),
    Route("/crm/v3/pipelines/{objectType}/{pipelineId}/stages", get_pipeline, methods=["GET"]),
]
