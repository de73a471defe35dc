"""Rate limits and injected faults: what a real HubSpot does to a client on a bad day."""

from __future__ import annotations

import asyncio
import math
import random
import re
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hubspot_sandbox.clock import Clock
from hubspot_sandbox.config import SandboxConfig

WINDOW_S = 10.0
SEARCH_SUFFIX = "/search"


@dataclass
class Faults:
    """Settings from `POST /_sandbox/faults` and the rolling windows they are judged against."""

    config: SandboxConfig
    clock: Clock
    latency_ms: int = 0
    error_rate: float = 0.0
    error_status: int = 500
    rate_limit_per_10s: int | None = None
    search_limit_per_s: int | None = None
    down_until: float = 0.0
    # The most items a listing returns per page, whatever `limit` asks (HubSpot caps pages
    # too); a small value shows whether a client follows `paging.next.after` to the end.
    page_size: int | None = None
    refusals: list[Refusal] = field(default_factory=list)
    rng: random.Random = field(default_factory=random.Random)
    windows: dict[str, deque[float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.latency_ms, self.error_rate, self.error_status = 0, 0.0, 500
        self.rate_limit_per_10s = self.config.rate_limit_per_10s
        self.search_limit_per_s = self.config.search_rate_limit_per_s
        self.down_until = 0.0
        self.page_size = None
        self.refusals = []
        self.windows = {}

    def update(self, settings: dict[str, Any]) -> None:
        self.latency_ms = int(settings.get("latency_ms", self.latency_ms))
        self.error_rate = float(settings.get("error_rate", self.error_rate))
        self.error_status = int(settings.get("error_status", self.error_status))
        if "rate_limit_per_10s" in settings:
            limit = settings["rate_limit_per_10s"]
            self.rate_limit_per_10s = None if limit is None else int(limit)
            self.windows = {}
        if "page_size" in settings:
            size = settings["page_size"]
            self.page_size = None if size is None else max(1, int(size))
        if "search_rate_limit_per_s" in settings:
            limit = settings["search_rate_limit_per_s"]
            self.search_limit_per_s = None if limit is None else int(limit)
        if settings.get("down_for_s"):
            self.down_until = self.clock.now() + float(settings["down_for_s"])
        if "refuse" in settings:
            self.refusals = [Refusal.of(rule) for rule in settings["refuse"] or []]

    def snapshot(self) -> dict[str, Any]:
        return {
            "latency_ms": self.latency_ms,
            "error_rate": self.error_rate,
            "error_status": self.error_status,
            "rate_limit_per_10s": self.rate_limit_per_10s,
            "search_rate_limit_per_s": self.search_limit_per_s,
            "down_for_s": max(0.0, self.down_until - self.clock.now()),
            "refuse": [r.snapshot() for r in self.refusals],
        }

    def refusal(self, method: str, path: str) -> Refusal | None:
        return next((r for r in self.refusals if r.matches(method, path)), None)

    def admit(self, key: str, limit: int | None, window_s: float) -> tuple[bool, int, float]:
        """Counts a request in `key`'s rolling window: (allowed, remaining, seconds to wait)."""
        if limit is None:
            return True, -1, 0.0
        now = self.clock.now()
        window = self.windows.setdefault(key, deque())
        while window and window[0] <= now - window_s:
            window.popleft()
        if len(window) >= limit:
            return False, 0, window[0] + window_s - now
        window.append(now)
        return True, limit - len(window), 0.0


@dataclass(frozen=True)
class Refusal:
    """`refuse: [{"method", "path" (a regular expression searched in the path), "status",
    "message", "category"}]`: matching calls are answered with that error, as HubSpot refuses
    a request it will not take (e.g. every publish on a channel)."""

    method: str
    path: re.Pattern[str]
    status: int
    message: str
    category: str

    @classmethod
    def of(cls, rule: dict[str, Any]) -> Refusal:
        return cls(
            str(rule.get("method", "POST")).upper(),
            re.compile(str(rule["path"])),
            int(rule.get("status", 400)),
            str(rule.get("message", "The request was refused")),
            str(rule.get("category", "VALIDATION_ERROR")),
        )

    def matches(self, method: str, path: str) -> bool:
        return method == self.method and self.path.search(path) is not None

    def snapshot(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path.pattern,
            "status": self.status,
            "message": self.message,
            "category": self.category,
        }


class FaultGate:
    """ASGI middleware in front of HubSpot's API paths: outages, latency, 429s, random errors."""

    def __init__(self, app: ASGIApp, faults: Faults, is_api_path: Any) -> None:
        self.app = app
        self.faults = faults
        self.is_api_path = is_api_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.is_api_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        faults = self.faults
        if faults.clock.now() < faults.down_until:
            await error(503, "Service Unavailable", "SERVICE_UNAVAILABLE")(scope, receive, send)
            return
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        key = credential(scope)
        if scope["path"].endswith(SEARCH_SUFFIX):
            limit, window_s, policy = faults.search_limit_per_s, 1.0, "SECONDLY"
            key = "search:" + key
        else:
            limit, window_s, policy = faults.rate_limit_per_10s, WINDOW_S, "TEN_SECONDLY_ROLLING"
        allowed, remaining, wait_s = faults.admit(key, limit, window_s)
        headers = rate_headers(limit, remaining, window_s)
        if not allowed:
            await rate_limited(policy, wait_s, headers)(scope, receive, send)
            return
        refused = faults.refusal(scope["method"], scope["path"])
        if refused is not None:
            await error(refused.status, refused.message, refused.category)(scope, receive, send)
            return
        if faults.error_rate and faults.rng.random() < faults.error_rate:
            await error(faults.error_status, "internal error", "INTERNAL_ERROR")(
                scope, receive, send
            )
            return
        await self.app(scope, receive, with_headers(send, headers))


def credential(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"authorization":
            return str(value.decode(errors="replace"))
    query = scope.get("query_string", b"").decode(errors="replace")
    return "hapikey" if "hapikey=" in query else "anonymous"


def rate_headers(limit: int | None, remaining: int, window_s: float) -> dict[str, str]:
    if limit is None:
        return {}
    if window_s < WINDOW_S:
        return {
            "X-HubSpot-RateLimit-Secondly": str(limit),
            "X-HubSpot-RateLimit-Secondly-Remaining": str(remaining),
        }
    return {
        "X-HubSpot-RateLimit-Max": str(limit),
        "X-HubSpot-RateLimit-Remaining": str(remaining),
        "X-HubSpot-RateLimit-Interval-Milliseconds": str(int(window_s * 1000)),
    }


def rate_limited(policy: str, wait_s: float, headers: dict[str, str]) -> JSONResponse:
    limit_name = "ten_secondly_rolling" if policy == "TEN_SECONDLY_ROLLING" else "secondly"
    body = {
        "status": "error",
        "message": f"You have reached your {limit_name} limit.",
        "errorType": "RATE_LIMIT",
        "correlationId": str(uuid.uuid4()),
        "policyName": policy,
        "requestId": str(uuid.uuid4()),
    }
    headers = headers | {"Retry-After": str(max(1, math.ceil(wait_s)))}
    return JSONResponse(body, status_code=429, headers=headers)


def error(status: int, message: str, category: str) -> JSONResponse:
    body = {
        "status": "error",
        "message": message,
        "correlationId": str(uuid.uuid4()),
        "category": category,
    }
    return JSONResponse(body, status_code=status)


def with_headers(send: Send, headers: dict[str, str]) -> Send:
    encoded = [(k.lower().encode(), v.encode()) for k, v in headers.items()]

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start" and encoded:
            message = {**message, "headers": [*message.get("headers", []), *encoded]}
        await send(message)

    return send_with_headers
