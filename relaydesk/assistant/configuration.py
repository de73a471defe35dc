"""An organization's AI configuration: handoff settings and AI actions, read and written.

Domain functions: they take a session and never commit. Action headers are sealed with the
vault; only the action runner sees them in clear.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..errors import InvalidInput
from ..models import AiAction, HandoffSettings, utcnow
from ..vault import Vault
from .actions import ActionSpec
from .policy import LEVELS, HandoffPolicy
from .rep_record import TEAM_LANGUAGES

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


async def load_policy(session: AsyncSession, organization_id: str) -> HandoffPolicy:
    return policy_of(await session.get(HandoffSettings, organization_id))


# The columns of `HandoffSettings` that `policy_of` reads.
POLICY_COLUMNS = (
    *("level", "on_request", "on_frustration", "on_unproductive", "on_cannot_answer"),
    *("topics", "team_language"),
)


def policy_of(row: HandoffSettings | None) -> HandoffPolicy:
    """The policy an organization's settings row holds (the defaults without one); a result
    row with the `POLICY_COLUMNS` does too."""
    if row is None:
        return HandoffPolicy()
    return HandoffPolicy(
        level=row.level,
        on_request=row.on_request,
        on_frustration=row.on_frustration,
        on_unproductive=row.on_unproductive,
        on_cannot_answer=row.on_cannot_answer,
        topics=tuple(str(t) for t in row.topics),
        team_language=row.team_language,
    )


async def team_language(session: AsyncSession, organization_id: str) -> str:
    """The language the organization's team reads (English until an admin picks one)."""
    row = await session.get(HandoffSettings, organization_id)
    return row.team_language if row is not None else HandoffPolicy.team_language


async def save_policy(
    session: AsyncSession, organization_id: str, policy: HandoffPolicy
) -> HandoffSettings:
    if policy.level not in LEVELS:
        raise InvalidInput("the handoff level is 0, 1, 2 or 3", code="invalid_level")
    if policy.team_language not in TEAM_LANGUAGES:
        raise InvalidInput(
            "the team language is one of " + ", ".join(TEAM_LANGUAGES), code="invalid_language"
        )
    row = await session.get(HandoffSettings, organization_id)
    if row is None:
        row = HandoffSettings(organization_id=organization_id)
        session.add(row)
    row.level = policy.level
    row.on_request = policy.on_request
    row.on_frustration = policy.on_frustration
    row.on_unproductive = policy.on_unproductive
    row.on_cannot_answer = policy.on_cannot_answer
    row.topics = [t.strip() for t in policy.topics if t.strip()]
    row.team_language = policy.team_language
    row.updated_at = utcnow()
    await session.flush()
    return row


async def load_actions(
    session: AsyncSession, vault: Vault, organization_id: str
) -> list[ActionSpec]:
    rows = await session.scalars(
        select(AiAction)
        .where(AiAction.organization_id == organization_id, AiAction.enabled.is_(True))
        .order_by(AiAction.name)
    )
    return [_spec(vault, row) for row in rows]


def _spec(vault: Vault, row: AiAction) -> ActionSpec:
    headers = json.loads(vault.open(row.headers_enc)) if row.headers_enc else {}
    return ActionSpec(
        name=row.name,
        url_template=row.url_template,
        method=row.method,
        description=row.description,
        parameters=dict(row.parameters),
        headers={str(k): str(v) for k, v in headers.items()},
        component=row.component,
        text_template=row.text_template,
        triggers=tuple(str(t) for t in row.triggers),
        allow_private_network=row.allow_private_network,
    )


async def save_action(
    session: AsyncSession,
    vault: Vault,
    organization_id: str,
    spec: ActionSpec,
    *,
    enabled: bool = True,
) -> AiAction:
    """Create or replace the organization's action of this name."""
    _validate(spec)
    row = await session.scalar(
        select(AiAction).where(
            AiAction.organization_id == organization_id, AiAction.name == spec.name
        )
    )
    if row is None:
        row = AiAction(organization_id=organization_id, name=spec.name)
        session.add(row)
    row.description = spec.description
    row.method = spec.method.upper()
    row.url_template = spec.url_template
    row.parameters = dict(spec.parameters)
    row.headers_enc = vault.seal(json.dumps(spec.headers)) if spec.headers else None
    row.component = spec.component
    row.text_template = spec.text_template
    row.triggers = list(spec.triggers)
    row.allow_private_network = spec.allow_private_network
    row.enabled = enabled
    await session.flush()
    return row


def _validate(spec: ActionSpec) -> None:
    if not spec.name.replace("_", "").isalnum() or len(spec.name) > 64:
        raise InvalidInput("an action name is letters, digits and _", code="invalid_action")
    if spec.method.upper() not in METHODS:
        raise InvalidInput(f"method must be one of {', '.join(METHODS)}", code="invalid_action")
    if not spec.url_template.startswith(("http://", "https://")):
        raise InvalidInput("the URL must start with http:// or https://", code="invalid_action")
    _schema_is_object(spec.parameters)


def _schema_is_object(schema: dict[str, Any]) -> None:
    if schema and schema.get("type", "object") != "object":
        raise InvalidInput("parameters are a JSON schema of type object", code="invalid_action")


def topics_from_text(text: str) -> Sequence[str]:
    """The admin's list, one topic a line."""
    return tuple(line.strip() for line in text.splitlines() if line.strip())
