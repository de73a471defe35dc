"""An organization's credentials: the identity secret (rotate) and its API keys (list, revoke)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .errors import NotFound
from .identity import new_identity_secret
from .models import ApiKey, Organization, utcnow
from .vault import Vault


async def rotate_identity_secret(
    session: AsyncSession, vault: Vault, organization: Organization
) -> None:
    """A new identity secret; tokens signed with the old one stop verifying at once."""
    organization.identity_secret_enc = vault.seal(new_identity_secret())
    await session.flush()


async def api_keys_of(session: AsyncSession, organization_id: str) -> list[ApiKey]:
    keys = await session.scalars(
        select(ApiKey)
        .where(ApiKey.organization_id == organization_id)
        .order_by(ApiKey.created_at.desc())
    )
    return list(keys)


async def revoke_api_key(session: AsyncSession, organization_id: str, key_id: str) -> ApiKey:
    key = await session.scalar(
        select(ApiKey).where(ApiKey.id == key_id, ApiKey.organization_id == organization_id)
    )
    if key is None:
        raise NotFound("no such API key")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
    return key
