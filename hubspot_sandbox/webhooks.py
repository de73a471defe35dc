"""The webhooks the sandbox sends, signed and retried the way HubSpot does it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx

from hubspot_sandbox.app_state import AppState
from hubspot_sandbox.clock import Clock
from hubspot_sandbox.config import SandboxConfig
from hubspot_sandbox.records import Delivery
from hubspot_sandbox.signatures import v1_headers, v3_headers

JsonDict = dict[str, Any]
BodyFor = Callable[[int], bytes]  # attempt number → request body

USER_AGENT = "HubSpot Connect 2.0 (http://dev.hubspot.com/) - relaydesk sandbox"
# Historically HubSpot gives up at once on these; everything else failing is retried.
FINAL_STATUSES = {400, 401, 403, 404, 405}


class WebhookDispatcher:
    """Sends deliveries in the background over one shared client; keeps every attempt."""

    def __init__(self, store: AppState, config: SandboxConfig, clock: Clock) -> None:
        self.store = store
        self.config = config
        self.clock = clock
        self.client: httpx.AsyncClient | None = None
        self.tasks: set[asyncio.Task[None]] = set()
        self.limit = asyncio.Semaphore(10)

    async def start(self) -> None:
        self.client = httpx.AsyncClient(timeout=self.config.webhook_timeout_s)

    async def close(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        if self.client is not None:
            await self.client.aclose()

    def cancel_pending(self) -> None:
        for task in list(self.tasks):
            task.cancel()

    def send_channel_event(self, url: str, payload: JsonDict) -> Delivery:
        """A custom channel event (e.g. OUTGOING_CHANNEL_MESSAGE_CREATED), signed with v3."""
        body = json.dumps(payload).encode()
        delivery = self._record("channel", url, [payload["type"]], payload)
        self._spawn(delivery, lambda attempt: body, with_v1=False)
        return delivery

    def send_app_events(self, events: list[JsonDict]) -> Delivery | None:
        """App subscription events as one JSON array, signed with v1 and v3."""
        url = self.store.webhook_target_url
        if not events or not url:
            return None
        types = sorted({e["subscriptionType"] for e in events})
        delivery = self._record("app", url, types, events)

        def body_for(attempt: int) -> bytes:
            return json.dumps([e | {"attemptNumber": attempt} for e in events]).encode()

        self._spawn(delivery, body_for, with_v1=True)
        return delivery

    def _record(self, kind: str, url: str, types: list[str], payload: Any) -> Delivery:
        delivery = Delivery(str(len(self.store.deliveries) + 1), kind, url, types, payload=payload)
        self.store.deliveries.append(delivery)
        return delivery

    def _spawn(self, delivery: Delivery, body_for: BodyFor, with_v1: bool) -> None:
        task = asyncio.create_task(self._deliver(delivery, body_for, with_v1))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _deliver(self, delivery: Delivery, body_for: BodyFor, with_v1: bool) -> None:
        delays = self.config.webhook_retry_delays_s
        for attempt in range(len(delays) + 1):
            sent_at = self.clock.now()
            outcome = await self._attempt(delivery.url, body_for(attempt), with_v1)
            delivery.attempts.append(
                {
                    "attempt": attempt,
                    "sentAtMs": round(sent_at * 1000, 3),
                    "at": self.clock.now_ms(),
                }
                | outcome
            )
            status = outcome.get("status")
            if isinstance(status, int) and 200 <= status < 300:
                delivery.state = "delivered"
                return
            if status in FINAL_STATUSES or attempt == len(delays):
                break
            await asyncio.sleep(retry_delay(delays[attempt], outcome.get("retryAfter")))
        delivery.state = "failed"

    async def _attempt(self, url: str, body: bytes, with_v1: bool) -> JsonDict:
        assert self.client is not None, "dispatcher used outside the app's lifespan"
        secret = self.config.client_secret
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-HubSpot-Timeout-Millis": str(int(self.config.webhook_timeout_s * 1000)),
        } | v3_headers(secret, url, body, self.clock.now_ms())
        if with_v1:
            headers |= v1_headers(secret, body)
        try:
            async with self.limit:
                response = await self.client.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return {"error": f"{type(exc).__name__}: {exc}"}
        return {"status": response.status_code, "retryAfter": response.headers.get("retry-after")}


def retry_delay(scheduled: float, retry_after: str | None) -> float:
    """The scheduled wait, or a receiver's `Retry-After` when it asks for longer."""
    try:
        asked = float(retry_after) if retry_after else 0.0
    except ValueError:
        asked = 0.0
    return max(scheduled, min(asked, 3600.0))
