"""Calls made as the HubSpot app rather than as a portal: OAuth, custom channels, webhook settings.

OAuth uses the client id and secret; the channel and webhook-settings APIs use the developer
account's API key (`hapikey`), v3's channel endpoints with the app id. One method per endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from . import paths as ops
from .paging import every_page
from .paths import Paths
from .shapes import Channel, Page, Subscription, TokenInfo, TokenSet, WebhookSettings
from .transport import HubSpotTransport, json_of


@dataclass(frozen=True)
class AppCredentials:
    client_id: str
    client_secret: str
    app_id: int
    developer_api_key: str


class HubSpotApp:
    def __init__(
        self, transport: HubSpotTransport, credentials: AppCredentials, paths: Paths | None = None
    ) -> None:
        self.transport = transport
        self.credentials = credentials
        self.paths = paths or Paths()

    @property
    def _developer(self) -> dict[str, str]:
        key = {"hapikey": self.credentials.developer_api_key}
        if self.paths.channel_takes_app_id:
            key["appId"] = str(self.credentials.app_id)
        return key

    @property
    def _portal(self) -> str:
        return f"app:{self.credentials.app_id}"

    def authorize_url(
        self, app_base_url: str, redirect_uri: str, scopes: list[str], state: str
    ) -> str:
        query = {
            "client_id": self.credentials.client_id,
            "redirect_uri": redirect_uri,
            "scope": " ".join(scopes),
            "state": state,
        }
        return f"{app_base_url.rstrip('/')}/oauth/authorize?{urlencode(query, quote_via=quote)}"

    async def exchange_code(self, code: str, redirect_uri: str) -> TokenSet:
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        return await self._token(form)

    async def refresh(self, refresh_token: str) -> TokenSet:
        return await self._token({"grant_type": "refresh_token", "refresh_token": refresh_token})

    async def _token(self, form: dict[str, str]) -> TokenSet:
        secrets = {"client_id": self.credentials.client_id}
        secrets["client_secret"] = self.credentials.client_secret
        response = await self.transport.request(
            "POST", self.paths(ops.OAUTH_TOKEN), portal=None, data=form | secrets
        )
        return TokenSet.model_validate(json_of(response))

    async def access_token_info(self, access_token: str) -> TokenInfo:
        path = self.paths(ops.ACCESS_TOKEN_INFO, token=access_token)
        response = await self.transport.request("GET", path, portal=None)
        return TokenInfo.model_validate(json_of(response))

    async def list_channels(self) -> list[Channel]:
        async def fetch(page: dict[str, str]) -> httpx.Response:
            params = self._developer | page
            path = self.paths(ops.CHANNELS)
            return await self.transport.request("GET", path, portal=self._portal, params=params)

        return await every_page(fetch, Channel)

    async def create_channel(self, body: dict[str, Any]) -> Channel:
        response = await self.transport.request(
            "POST", self.paths(ops.CHANNELS), portal=self._portal, params=self._developer, json=body
        )
        return Channel.model_validate(json_of(response))

    async def get_channel(self, channel_id: str) -> Channel:
        path = self.paths(ops.CHANNEL, channelId=channel_id)
        response = await self.transport.request(
            "GET", path, portal=self._portal, params=self._developer
        )
        return Channel.model_validate(json_of(response))

    async def update_channel(self, channel_id: str, changes: dict[str, Any]) -> Channel:
        response = await self.transport.request(
            "PATCH",
            self.paths(ops.CHANNEL, channelId=channel_id),
            portal=self._portal,
            params=self._developer,
            json=changes,
        )
        return Channel.model_validate(json_of(response))

    async def put_webhook_settings(self, target_url: str, max_concurrent: int = 10) -> None:
        body = {"targetUrl": target_url, "throttling": {"maxConcurrentRequests": max_concurrent}}
        path = self.paths(ops.WEBHOOK_SETTINGS, appId=self.credentials.app_id)
        await self.transport.request(
            "PUT",
            path,
            portal=self._portal,
            params={"hapikey": self._developer["hapikey"]},
            json=body,
        )

    async def list_subscriptions(self) -> list[Subscription]:
        path = self.paths(ops.WEBHOOK_SUBSCRIPTIONS, appId=self.credentials.app_id)
        response = await self.transport.request(
            "GET", path, portal=self._portal, params={"hapikey": self._developer["hapikey"]}
        )
        return [
            Subscription.model_validate(item)
            for item in Page.model_validate(json_of(response)).results
        ]

    async def create_subscription(self, event_type: str, property_name: str | None) -> None:
        path = self.paths(ops.WEBHOOK_SUBSCRIPTIONS, appId=self.credentials.app_id)
        body: dict[str, Any] = {"eventType": event_type, "active": True}
        body |= {"propertyName": property_name} if property_name else {}
        await self.transport.request(
            "POST",
            path,
            portal=self._portal,
            params={"hapikey": self._developer["hapikey"]},
            json=body,
        )

    async def get_webhook_settings(self) -> WebhookSettings:
        path = self.paths(ops.WEBHOOK_SETTINGS, appId=self.credentials.app_id)
        response = await self.transport.request(
            "GET", path, portal=self._portal, params={"hapikey": self._developer["hapikey"]}
        )
        return WebhookSettings.model_validate(json_of(response))
