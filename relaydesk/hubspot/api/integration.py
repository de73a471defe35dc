"""The process's HubSpot: the lean HTTP client and the shared httpx one under it, the per-portal
rate limiter, the app client."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import httpx

from ...settings import HubSpotSettings
from .app_client import AppCredentials, HubSpotApp
from .auth import TokenSource
from .client import HubSpotClient
from .paths import Paths
from .ratelimit import PortalLimiter, create_portal_limiter
from .transport import HubSpotTransport, RetryPolicy
from .wire import Wire

USER_AGENT = "relaydesk"


@dataclass
class HubSpot:
    settings: HubSpotSettings
    http: httpx.AsyncClient
    wire: Wire | None
    limiter: PortalLimiter
    transport: HubSpotTransport
    app: HubSpotApp

    @classmethod
    def build(
        cls,
        settings: HubSpotSettings,
        redis_url: str | None = None,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> HubSpot:
        # httpx logs every URL at INFO; HubSpot's carry credentials (hapikey, token paths).
        logging.getLogger("httpx").setLevel(logging.WARNING)
        timeout = httpx.Timeout(settings.timeout_s, connect=5.0)
        http = httpx.AsyncClient(
            timeout=timeout, headers={"User-Agent": USER_AGENT}, transport=transport
        )
        # A transport given replaces how HubSpot is called: then every request goes through it.
        wire = Wire(timeout, USER_AGENT) if transport is None else None
        limiter = create_portal_limiter(redis_url, settings.rate_limit_per_10s)
        sender = HubSpotTransport(http, settings.base_url, limiter, retry, wire)
        credentials = AppCredentials(
            settings.client_id,
            settings.client_secret.get_secret_value(),
            settings.app_id,
            settings.developer_api_key.get_secret_value(),
        )
        app = HubSpotApp(sender, credentials, Paths(settings.api_version))
        return cls(settings, http, wire, limiter, sender, app)

    def client(self, portal_id: str, tokens: TokenSource) -> HubSpotClient:
        return HubSpotClient(self.transport, portal_id, tokens, self.app.paths)

    async def close(self) -> None:
        if self.wire is not None:
            await self.wire.aclose()
        await self.http.aclose()
        await self.limiter.close()
