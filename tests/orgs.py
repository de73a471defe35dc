"""Organizations for tests: made through the domain functions the admin uses, with keys."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk.db import commit
from relaydesk.knowledge.documents import add_sample_documents
from relaydesk.models import Organization
from relaydesk.organizations import create_api_key, create_organization, identity_secret
from relaydesk.vault import Vault

from .support import SECRET


@dataclass
class Org:
    id: str
    widget_key: str
    api_key: str
    identity_secret: str


async def make_org(
    sessions: async_sessionmaker[AsyncSession],
    *,
    origins: list[str] | None = None,
    sample_kb: bool = True,
) -> Org:
    vault = Vault(SECRET)
    async with sessions() as session:
        organization: Organization = await create_organization(
            session, vault, f"Org {uuid.uuid4().hex[:6]}", allowed_origins=origins
        )
        if sample_kb:
            await add_sample_documents(session, organization)
        _, key = await create_api_key(session, organization)
        await commit(session)
    return Org(organization.id, organization.widget_key, key, identity_secret(vault, organization))
