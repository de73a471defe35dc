"""The demo organization: widget key `demo`, the sample knowledge base, open to local origins."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .accounts import ensure_owner
from .knowledge.documents import add_sample_documents
from .models import Organization
from .organizations import create_organization
from .vault import Vault

DEMO_KEY = "demo"
DEMO_ADMIN = ("admin@demo.local", "demo")  # demo mode only: `relaydesk demo` seeds it


async def ensure_demo_organization(session: AsyncSession, vault: Vault) -> Organization:
    """Create the Demo organization once; later runs find it as it was left."""
    existing = await session.scalar(select(Organization).where(Organization.widget_key == DEMO_KEY))
    if existing is not None:
        await ensure_owner(session, existing, *DEMO_ADMIN)
        return existing
    organization = await create_organization(session, vault, "Demo", widget_key=DEMO_KEY)
    organization.greeting = (
        "Hi! I'm the Northwind assistant. Ask me about shipping, returns or plans."
    )
    await add_sample_documents(session, organization)
    await ensure_owner(session, organization, *DEMO_ADMIN)
    return organization
