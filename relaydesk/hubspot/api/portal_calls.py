"""Calling HubSpot as one portal: the bearer token on each request (renewed once on a 401), and
listings read every page."""

from __future__ import annotations

from typing import Any, TypeVar

import httpx
from pydantic import BaseModel

from .auth import TokenSource
from .errors import Unauthorized
from .paging import every_page
from .paths import Paths
from .shapes import Page
from .transport import HubSpotTransport, json_of

T = TypeVar("T", bound=BaseModel)


def page_of(response: httpx.Response, shape: type[T]) -> list[T]:
    return [shape.model_validate(item) for item in Page.model_validate(json_of(response)).results]


class PortalCalls:
    """A portal's calls: its bearer token on each, renewed once when HubSpot answers 401."""

    def __init__(
        self,
        transport: HubSpotTransport,
        portal_id: str,
        tokens: TokenSource,
        paths: Paths | None = None,
    ) -> None:
        self.transport = transport
        self.portal_id = portal_id
        self.tokens = tokens
        self.paths = paths or Paths()

    async def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return await self._send(method, path, kwargs)
        except Unauthorized as refused:
            # 401 is not how HubSpot says "refresh", but refreshing once is harmless.
            if refused.status != 401 or not await self.tokens.renew():
                raise
        return await self._send(method, path, kwargs)

    async def _send(self, method: str, path: str, kwargs: dict[str, Any]) -> httpx.Response:
        headers = {"Authorization": f"Bearer {await self.tokens.access_token()}"}
        return await self.transport.request(
            method, path, portal=self.portal_id, headers=headers, **kwargs
        )

    async def _listing(
        self, path: str, shape: type[T], params: dict[str, str] | None = None
    ) -> list[T]:
        async def fetch(page: dict[str, str]) -> httpx.Response:
            return await self._call("GET", path, params=(params or {}) | page)

        return await every_page(fetch, shape)
