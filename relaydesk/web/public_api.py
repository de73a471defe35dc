"""The organization's server-to-server API (authenticated by a secret API key)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header

from ..identity import IdentityClaims, issue_identity_token
from ..organizations import by_api_key, identity_secret
from . import shapes
from .deps import IpLimited, RuntimeDep, SessionDep, bearer
from .errors import documented

router = APIRouter(prefix="/api/v1", tags=["server API"], dependencies=[IpLimited])

IDENTITY_TOKEN_TTL_S = 600


@router.post(
    "/identity-tokens",
    status_code=201,
    response_model=shapes.IdentityToken,
    responses=documented(400, 401, 408, 413, 422, 429),
)
async def create_identity_token(
    body: IdentityClaims,
    session: SessionDep,
    runtime: RuntimeDep,
    authorization: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    """A short-lived identity token for a visitor the company's backend has authenticated."""
    organization = await by_api_key(session, bearer(authorization))
    secret = identity_secret(runtime.vault, organization)
    issued = issue_identity_token(secret, body, IDENTITY_TOKEN_TTL_S)
    return {"identity_token": issued.token, "expires_at": issued.expires_at}
