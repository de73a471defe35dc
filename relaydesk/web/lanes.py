"""The busiest routes, served ahead of FastAPI's own layers.

Every rep reply is a POST to the channel webhook and every visitor message a POST to the
widget's messages, both plain Starlette endpoints (`health.MeasuredRoute`). FastAPI takes each
request through layers these two never use: its OpenTelemetry check (three provider lookups a
request), its body-limit wrapper, the exit stack it keeps for its dependencies' files, and the
router's search. A `Lanes` app hands a request for such a route (its path and method) to the
same stack FastAPI builds around it, less those: Starlette's error pages outside, the app's own
middleware (proxies, headers, the body limit, metrics) in order, the app's exception handlers
inside.

The widget's WebSocket has a lane too (`add_socket_lane`). An idle socket holds the coroutine
frame of every layer it went through for as long as it stays open: 21 frames through FastAPI,
with an exit stack, against 9 here, uvicorn's and the endpoint's own included (`python -m bench
memory`: 29.7 → 24.0 KiB per idle socket). Its lane is the app's middleware (none of which
holds a frame for a WebSocket) and the exception handlers around the endpoint; Starlette's error
page and FastAPI's body limit serve HTTP alone. Everything else, the lifespan included, goes
through FastAPI as before.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from fastapi import FastAPI
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket

SOCKET = "WEBSOCKET"  # a socket lane's method in its key


class Lanes(FastAPI):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._lanes: dict[tuple[str, str], Route] = {}
        self._stacks: dict[tuple[str, str], ASGIApp] = {}
        self._socket_lanes: dict[str, WebSocketRoute] = {}

    def add_lane(self, route: Route, method: str) -> None:
        """Serve `method` on `route`'s path ahead of FastAPI (the route stays in the router,
        where the app's own calls and its other methods find it)."""
        self._lanes[(method, route.path)] = route

    def add_socket_lane(self, route: WebSocketRoute) -> None:
        """Serve WebSockets to `route`'s path (a path without parameters) ahead of FastAPI (the
        route stays in the router)."""
        self._socket_lanes[route.path] = route

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:  # type: ignore[override]
        # Not a coroutine of its own: an idle WebSocket holds no frame of this layer.
        if scope["type"] == "http":
            key = (scope["method"], scope["path"])
            laned = key in self._lanes
        else:
            key = (SOCKET, scope.get("path", ""))
            laned = scope["type"] == "websocket" and key[1] in self._socket_lanes
        if not laned:
            return super().__call__(scope, receive, send)
        scope["app"] = self
        scope.setdefault("router", self.router)
        stack = self._stacks.get(key) or self._stacks.setdefault(key, self._stack(key))
        return stack(scope, receive, send)

    def _stack(self, key: tuple[str, str]) -> ASGIApp:
        """FastAPI's `build_middleware_stack` for one route, without the layers it skips: the
        app's middleware and exception handlers around the route, and for HTTP Starlette's error
        page outside (it serves HTTP alone)."""
        error_handler, handlers = None, {}
        for caught, handler in self.exception_handlers.items():
            if caught in (500, Exception):
                error_handler = handler
            else:
                handlers[caught] = handler
        method, path = key
        route: ASGIApp = (
            _Socket(self._socket_lanes[path]) if method == SOCKET else _Routed(self._lanes[key])
        )
        app: ASGIApp = ExceptionMiddleware(route, handlers, self.debug)
        for cls, args, kwargs in reversed(self.user_middleware):
            app = cls(app, *args, **kwargs)
        if method == SOCKET:
            return app
        return ServerErrorMiddleware(app, handler=error_handler, debug=self.debug)


class _Routed:
    """The route's own app, with the scope the router would have given it."""

    def __init__(self, route: Route) -> None:
        self.route = route

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope.update(route=self.route, endpoint=self.route.endpoint, path_params={})
        await self.route.app(scope, receive, send)


class _Socket:
    """The WebSocket route's endpoint, called straight with the socket: no frame of its own."""

    def __init__(self, route: WebSocketRoute) -> None:
        self.route = route

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        scope.update(route=self.route, endpoint=self.route.endpoint, path_params={})
        return self.route.endpoint(WebSocket(scope, receive=receive, send=send))  # type: ignore[no-any-return]
