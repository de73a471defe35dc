"""AI actions as the admin console edits them: listed with disabled ones, found by id within
the organization, created without overwriting, updated (headers kept unless replaced), enabled
or disabled, deleted. Domain functions: they take a session and never commit."""

from __future__ import annotations

import json
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..errors import InvalidInput, NotFound
from ..models import AiAction
from ..vault import Vault
from .actions import ActionSpec
from .configuration import save_action


async def actions_of(session: AsyncSession, organization_id: str) -> list[AiAction]:
    """Every action of the organization, enabled or not, by name."""
    rows = await session.scalars(
        select(AiAction).where(AiAction.organization_id == organization_id).order_by(AiAction.name)
    )
    return list(rows)


async def action_of(session: AsyncSession, organization_id: str, action_id: str) -> AiAction:
    row = await session.get(AiAction, action_id)
    if row is None or row.organization_id != organization_id:
        raise NotFound("no such action")
    return row


async def create_action(
    session: AsyncSession, vault: Vault, organization_id: str, spec: ActionSpec
) -> AiAction:
    await _name_is_free(session, organization_id, spec.name)
    return await save_action(session, vault, organization_id, spec)


async def update_action(
    session: AsyncSession,
    vault: Vault,
    organization_id: str,
    action_id: str,
    spec: ActionSpec,
    *,
    replace_headers: bool,
) -> AiAction:
    """Replace the action's definition; its stored headers stay unless `replace_headers`."""
    row = await action_of(session, organization_id, action_id)
    if not replace_headers and row.headers_enc:
        spec = replace(spec, headers=json.loads(vault.open(row.headers_enc)))
    if spec.name != row.name:
        await _name_is_free(session, organization_id, spec.name)
        row.name = spec.name  # save_action finds the row by its (new) name
        await session.flush()
    return await save_action(session, vault, organization_id, spec, enabled=row.enabled)


async def set_enabled(
    session: AsyncSession, organization_id: str, action_id: str, enabled: bool
) -> AiAction:
    row = await action_of(session, organization_id, action_id)
    row.enabled = enabled
    await session.flush()
    return row


async def delete_action(session: AsyncSession, organization_id: str, action_id: str) -> None:
    await session.delete(await action_of(session, organization_id, action_id))
    await session.flush()


async def _name_is_free(session: AsyncSession, organization_id: str, name: str) -> None:
    taken = await session.scalar(
        select(AiAction.id).where(
            AiAction.organization_id == organization_id, AiAction.name == name
        )
    )
    if taken is not None:
        raise InvalidInput(f"an action named {name} exists already", code="duplicate_action")
