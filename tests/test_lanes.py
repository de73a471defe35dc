"""`web/lanes.py`: a laned route answers as FastAPI would answer it (the app's middleware, its
exception handlers, Starlette's error page), without FastAPI's own layers in between."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from relaydesk.errors import InvalidInput
from relaydesk.web import errors
from relaydesk.web.health import MeasuredRoute, MeasureRequests, Metrics
from relaydesk.web.lanes import Lanes
from relaydesk.web.security_headers import NoSniff


async def facts(request: Request) -> Response:
    """What the endpoint saw: whether FastAPI's exit-stack layer ran (it marks the scope)."""
    return JSONResponse({"fastapi_layers": "fastapi_middleware_astack" in request.scope})


async def refuse(request: Request) -> Response:
    raise InvalidInput("no such thing")


async def fail(request: Request) -> Response:
    raise RuntimeError("broken")


def build() -> Lanes:
    app = Lanes()
    app.state.metrics = Metrics()
    errors.install(app)
    app.add_middleware(MeasureRequests, metrics=app.state.metrics)
    app.add_middleware(NoSniff)
    for path, endpoint in (("facts", facts), ("refuse", refuse), ("fail", fail)):
        laned = MeasuredRoute(f"/lane/{path}", endpoint, methods=["POST"])
        plain = MeasuredRoute(f"/plain/{path}", endpoint, methods=["POST"])
        app.router.routes += (laned, plain)
        app.add_lane(laned, "POST")
    return app


@pytest.fixture
async def app_client() -> AsyncIterator[tuple[Lanes, httpx.AsyncClient]]:
    app = build()
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://relaydesk") as http:
        yield app, http


def counted(app: Lanes, path: str, status: str) -> float:
    value = app.state.metrics.registry.get_sample_value(
        "relaydesk_http_requests_total", {"method": "POST", "route": path, "status": status}
    )
    return value or 0.0


async def test_a_laned_route_skips_fastapis_layers_and_keeps_the_apps_own(
    app_client: tuple[Lanes, httpx.AsyncClient],
) -> None:
    app, http = app_client
    laned, plain = await http.post("/lane/facts"), await http.post("/plain/facts")
    assert laned.json() == {"fastapi_layers": False}
    assert plain.json() == {"fastapi_layers": True}
    for answer in (laned, plain):
        assert answer.status_code == 200
        assert answer.headers["x-content-type-options"] == "nosniff"
    assert counted(app, "/lane/facts", "200") == 1


async def test_errors_are_answered_as_through_fastapi(
    app_client: tuple[Lanes, httpx.AsyncClient],
) -> None:
    app, http = app_client
    for what, status in (("refuse", 422), ("fail", 500)):
        laned, plain = await http.post(f"/lane/{what}"), await http.post(f"/plain/{what}")
        assert (laned.status_code, laned.text) == (plain.status_code, plain.text)
        assert laned.headers == plain.headers
        assert laned.status_code == status
        assert counted(app, f"/lane/{what}", str(status)) == 1
    assert laned.text == "Internal Server Error"  # Starlette's page, outside the app's layers


async def test_other_methods_and_paths_go_through_fastapi(
    app_client: tuple[Lanes, httpx.AsyncClient],
) -> None:
    _, http = app_client
    assert (await http.get("/lane/facts")).status_code == 405
    assert (await http.post("/lane/nothing")).status_code == 404
