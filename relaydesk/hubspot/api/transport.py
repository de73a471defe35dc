"""Sending one request to HubSpot: the shared rate limit, retries with backoff, error translation.

429 waits as long as `Retry-After` says; 5xx, timeouts and refused connections back off with
full jitter; everything else (400, 401, 404, 409) is raised at once for the caller to decide.
A request the lean client (`wire.py`) can send goes over it, the rest over httpx.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

import httpx

from .errors import HubSpotError, RateLimited, ServerError, Unavailable, translate
from .ratelimit import PortalLimiter
from .wire import Wire

log = logging.getLogger("relaydesk.hubspot")


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    base_s: float = 0.5
    cap_s: float = 8.0

    def backoff_s(self, attempt: int) -> float:
        return random.uniform(0, min(self.cap_s, self.base_s * 2**attempt))


class HubSpotTransport:
    """One HubSpot API base URL over the process's lean client where it can send the request,
    else its shared `httpx.AsyncClient`."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str,
        limiter: PortalLimiter,
        retry: RetryPolicy | None = None,
        wire: Wire | None = None,
    ) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.limiter = limiter
        self.retry = retry or RetryPolicy()
        self.wire = wire

    async def request(
        self, method: str, path: str, *, portal: str | None, **kwargs: Any
    ) -> httpx.Response:
        """The successful response, or the translated error after the retries it deserved."""
        attempt = 0
        while True:
            try:
                return await self._send_once(method, path, portal, kwargs)
            except RateLimited as limited:
                if limited.daily or attempt + 1 >= self.retry.attempts:
                    raise
                wait_s = limited.retry_after_s + random.uniform(0, 0.25)
            except (ServerError, Unavailable) as failed:
                if attempt + 1 >= self.retry.attempts:
                    raise
                wait_s = self.retry.backoff_s(attempt)
                log.info("hubspot %s %s failed (%s); retry in %.2fs", method, path, failed, wait_s)
            attempt += 1
            await asyncio.sleep(wait_s)

    async def _send_once(
        self, method: str, path: str, portal: str | None, kwargs: dict[str, Any]
    ) -> httpx.Response:
        if portal is not None:
            await self.limiter.acquire(portal)
        try:
            response = await self._send(method, self.base_url + path, kwargs)
        except httpx.TimeoutException as exc:
            raise Unavailable(f"HubSpot did not answer in time ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise Unavailable(f"HubSpot could not be reached ({type(exc).__name__})") from exc
        if portal is not None:
            await self._observe(portal, response.headers)
        if response.is_success:
            return response
        raise translate(response)

    def _send(self, method: str, url: str, kwargs: dict[str, Any]) -> Awaitable[httpx.Response]:
        if self.wire is not None and self.wire.takes(method, url, kwargs):
            return self.wire.request(method, url, **kwargs)
        return self.http.request(method, url, **kwargs)

    async def _observe(self, portal: str, headers: httpx.Headers) -> None:
        """HubSpot's count of what is left in its ten-second window feeds the shared bucket."""
        remaining = headers.get("x-hubspot-ratelimit-remaining", "")
        interval_ms = headers.get("x-hubspot-ratelimit-interval-milliseconds", "10000")
        if remaining.isdigit() and interval_ms.isdigit():
            await self.limiter.observe(portal, int(remaining), int(interval_ms) / 1000)


def json_of(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    if not isinstance(body, dict):
        raise HubSpotError(f"expected a JSON object from HubSpot, got {type(body).__name__}")
    return body
