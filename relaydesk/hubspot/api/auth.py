"""Where a portal client's bearer token comes from: a private-app token, or OAuth tokens that
are refreshed a few minutes before they expire (HubSpot's access tokens live 30 minutes)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from .app_client import HubSpotApp
from .errors import BadRequest, ReconnectRequired
from .shapes import TokenSet

REFRESH_MARGIN = timedelta(minutes=5)


class TokenSource(Protocol):
    async def access_token(self) -> str: ...

    async def renew(self) -> bool:
        """After a 401: get a new token if this kind of credential can; False if it cannot."""


@dataclass(frozen=True)
class StaticToken:
    """A private-app token (`pat-…`): it does not expire until someone rotates it."""

    token: str

    async def access_token(self) -> str:
        return self.token

    async def renew(self) -> bool:
        return False


@dataclass(frozen=True)
class OAuthGrant:
    access_token: str
    refresh_token: str
    expires_at: datetime

    @classmethod
    def issued(cls, tokens: TokenSet, now: datetime | None = None) -> OAuthGrant:
        now = now or datetime.now(UTC)
        expires_at = now + timedelta(seconds=tokens.expires_in)
        return cls(tokens.access_token, tokens.refresh_token, expires_at)

    def fresh(self, now: datetime | None = None) -> bool:
        return (now or datetime.now(UTC)) + REFRESH_MARGIN < self.expires_at


SaveGrant = Callable[[OAuthGrant], Awaitable[None]]
MarkRevoked = Callable[[str], Awaitable[None]]


class RefreshingToken:
    """OAuth tokens of one portal; a refreshed grant is handed to `save` (stored encrypted)."""

    def __init__(
        self, app: HubSpotApp, grant: OAuthGrant, save: SaveGrant, revoked: MarkRevoked
    ) -> None:
        self.app = app
        self.grant = grant
        self.save = save
        self.revoked = revoked
        self._lock = asyncio.Lock()

    async def access_token(self) -> str:
        async with self._lock:
            if not self.grant.fresh():
                self.grant = await self._refresh()
                await self.save(self.grant)
        return self.grant.access_token

    async def renew(self) -> bool:
        async with self._lock:
            self.grant = await self._refresh()
            await self.save(self.grant)
        return True

    async def _refresh(self) -> OAuthGrant:
        try:
            tokens = await self.app.refresh(self.grant.refresh_token)
        except BadRequest as refused:
            # HubSpot answers 400 BAD_REFRESH_TOKEN once the app is uninstalled or revoked.
            await self.revoked(refused.message)
            raise ReconnectRequired(refused.message, refused.status, refused.category) from refused
        return OAuthGrant.issued(tokens)
