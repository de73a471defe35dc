"""Organizations: creation, lookup by widget key or API key, origin checks."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .errors import Forbidden, NotFound, Unauthorized
from .identity import hash_api_key, new_api_key, new_identity_secret
from .models import ApiKey, Organization
from .vault import Vault


async def create_organization(
    session: AsyncSession,
    vault: Vault,
    name: str,
    *,
    widget_key: str | None = None,
    allowed_origins: list[str] | None = None,
) -> Organization:
    organization = Organization(
        name=name,
        identity_secret_enc=vault.seal(new_identity_secret()),
        allowed_origins=[normalize_origin(o) for o in allowed_origins or []],
    )
    if widget_key is not None:
        organization.widget_key = widget_key
    session.add(organization)
    await session.flush()
    return organization


async def create_api_key(
    session: AsyncSession, organization: Organization, name: str = "default"
) -> tuple[ApiKey, str]:
    """A new API key; the plain key is returned once and only its hash is kept."""
    key, digest = new_api_key()
    api_key = ApiKey(organization_id=organization.id, name=name, prefix=key[:8], key_hash=digest)
    session.add(api_key)
    await session.flush()
    return api_key, key


async def by_widget_key(session: AsyncSession, widget_key: str) -> Organization:
    organization = await session.scalar(
        select(Organization).where(Organization.widget_key == widget_key)
    )
    if organization is None:
        raise NotFound("unknown widget key", code="unknown_widget_key")
    return organization


async def by_api_key(session: AsyncSession, key: str) -> Organization:
    organization = await session.scalar(
        select(Organization)
        .join(ApiKey, ApiKey.organization_id == Organization.id)
        .where(ApiKey.key_hash == hash_api_key(key), ApiKey.revoked_at.is_(None))
    )
    if organization is None:
        raise Unauthorized("invalid API key", code="invalid_api_key")
    return organization


def identity_secret(vault: Vault, organization: Organization) -> str:
    return vault.open(organization.identity_secret_enc)


def normalize_origin(origin: str) -> str:
    return origin.strip().rstrip("/").lower()


class HasOrigins(Protocol):
    """An organization, or what a query read of it: the origins its widget may run on."""

    @property
    def allowed_origins(self) -> list[str]: ...


def check_origin(organization: HasOrigins, origin: str | None) -> None:
    """Browsers send Origin on cross-site calls; it must be one the organization allows.

    An organization with no allowed origins accepts any (set them in the admin before going live).
    """
    if origin is None or not organization.allowed_origins:
        return
    if normalize_origin(origin) not in organization.allowed_origins:
        raise Forbidden(
            f"origin {origin} is not allowed for this widget", code="origin_not_allowed"
        )
