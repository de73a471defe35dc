"""`web/lanes.py`: a laned route answers as FastAPI would answer it (the app's middleware, its
exception handlers, Starlette's error page), without FastAPI's own layers in between; a laned
WebSocket too."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import WebSocketRoute
from starlette.testclient import TestClient, WebSocketDenialResponse
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

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


class Stamp:
    """A middleware that marks every scope it passes on, WebSockets included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        scope["stamped"] = True
        return self.app(scope, receive, send)


async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    text = await websocket.receive_text()
    scope = websocket.scope
    await websocket.send_json(
        {"echo": text, "fastapi_layers": "fastapi_middleware_astack" in scope,
         "stamped": scope.get("stamped", False), "state": websocket.app.state.greeting}
    )  # fmt: skip
    await websocket.close()


async def refuse_socket(websocket: WebSocket) -> None:
    raise InvalidInput("no such socket")


def sockets_app() -> ASGIApp:
    """The app as an ASGI 3 coroutine function, as the test client (and uvicorn) tell them
    apart (`Lanes.__call__` returns its coroutine: `interface="asgi3"` tells uvicorn)."""
    app = Lanes()
    app.state.greeting = "hello"
    errors.install(app)
    app.add_middleware(Stamp)
    for path, endpoint in (("echo", echo), ("refuse", refuse_socket)):
        laned = WebSocketRoute(f"/lane/{path}", endpoint)
        app.router.routes += (laned, WebSocketRoute(f"/plain/{path}", endpoint))
        app.add_socket_lane(laned)

    async def asgi3(scope: Scope, receive: Receive, send: Send) -> None:
        await app(scope, receive, send)

    return asgi3


def test_a_laned_socket_skips_fastapis_layers_and_keeps_the_apps_own() -> None:
    with TestClient(sockets_app()) as client:
        for path, through_fastapi in (("/lane/echo", False), ("/plain/echo", True)):
            with client.websocket_connect(path) as socket:
                socket.send_text("hi")
                assert socket.receive_json() == {
                    "echo": "hi", "fastapi_layers": through_fastapi, "stamped": True,
                    "state": "hello",
                }  # fmt: skip


def test_a_laned_sockets_error_is_answered_as_through_fastapi() -> None:
    with TestClient(sockets_app()) as client:
        refusals = []
        for path in ("/lane/refuse", "/plain/refuse"):
            with pytest.raises(WebSocketDenialResponse) as refused:
                with client.websocket_connect(path):
                    pass
            refusals.append((refused.value.status_code, refused.value.content))
        assert refusals[0] == refusals[1]
        assert refusals[0][0] == 422


def test_other_socket_paths_go_through_fastapi() -> None:
    with TestClient(sockets_app()) as client, pytest.raises(WebSocketDisconnect):
        with client.websocket_connect("/lane/nothing"):
            pass
