"""Visitor tokens (ours, bind a browser to a visitor) and identity tokens (verified visitors).

An identity token is an HS256 JWT signed with the organization's identity secret, either by
relaydesk (`POST /api/v1/identity-tokens`) or by the company's backend, with a short lifetime.
"""

from __future__ import annotations

import functools
import hashlib
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import jwt
from pydantic import BaseModel, EmailStr, Field, ValidationError, model_validator

from .errors import Unauthorized

VISITOR_AUDIENCE = "relaydesk:visitor"
INVALID = "invalid_visitor_token"
LEEWAY_S = 30


@dataclass(frozen=True)
class VisitorClaims:
    visitor_id: str
    organization_id: str


def issue_visitor_token(secret: str, claims: VisitorClaims, ttl_s: int) -> str:
    now = int(time.time())
    payload = {
        "sub": claims.visitor_id,
        "org": claims.organization_id,
        "aud": VISITOR_AUDIENCE,
        "iat": now,
        "exp": now + ttl_s,
    }
    return jwt.encode(payload, secret, algorithm="HS256")


def read_visitor_token(secret: str, token: str) -> VisitorClaims:
    """The claims of a valid, unexpired token. Every widget call carries one: a token already
    verified is not verified again (its signature cannot have changed), only its expiry."""
    claims, expires_at = _verified(secret, token)
    if expires_at <= time.time():
        raise Unauthorized("invalid visitor token: Signature has expired", code=INVALID)
    return claims


@functools.lru_cache(maxsize=8192)
def _verified(secret: str, token: str) -> tuple[VisitorClaims, float]:
    try:
        payload = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            audience=VISITOR_AUDIENCE,
            options={"require": ["sub", "org", "exp"]},
        )
    except jwt.PyJWTError as exc:
        raise Unauthorized(f"invalid visitor token: {exc}", code=INVALID) from exc
    claims = VisitorClaims(visitor_id=str(payload["sub"]), organization_id=str(payload["org"]))
    return claims, float(payload["exp"])


class IdentityClaims(BaseModel):
    email: EmailStr
    name: str | None = Field(default=None, max_length=200)
    external_id: str | None = Field(default=None, max_length=200)
    custom_data: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def storable(self) -> IdentityClaims:
        """What a visitor's session will store: no NUL (PostgreSQL refuses it) and no unpaired
        surrogate, refused here rather than when the token is used."""
        text = json.dumps(self.model_dump(mode="json"), ensure_ascii=False)
        try:
            text.encode()
        except UnicodeEncodeError as exc:
            raise ValueError("the claims hold an unpaired surrogate") from exc
        if "\\u0000" in text:  # JSON writes a NUL as \u0000 however it is asked
            raise ValueError("the claims hold a NUL character")
        return self


@dataclass(frozen=True)
class IssuedIdentity:
    token: str
    expires_at: int
    claims: IdentityClaims = field(compare=False)


def issue_identity_token(
    identity_secret: str, claims: IdentityClaims, ttl_s: int
) -> IssuedIdentity:
    now = int(time.time())
    payload = claims.model_dump(exclude_none=True) | {"iat": now, "exp": now + ttl_s}
    return IssuedIdentity(
        jwt.encode(payload, identity_secret, algorithm="HS256"), now + ttl_s, claims
    )


def verify_identity_token(identity_secret: str, token: str, max_ttl_s: int) -> IdentityClaims:
    """Check signature, expiry and a bounded lifetime; refuse with 401 otherwise."""
    try:
        payload = jwt.decode(
            token,
            identity_secret,
            algorithms=["HS256"],
            leeway=LEEWAY_S,
            options={"require": ["exp", "email"]},
        )
    except jwt.PyJWTError as exc:
        raise Unauthorized(f"invalid identity token: {exc}", code="invalid_identity_token") from exc
    if int(payload["exp"]) - time.time() > max_ttl_s + LEEWAY_S:
        raise Unauthorized(
            f"identity token lives longer than {max_ttl_s} s", code="invalid_identity_token"
        )
    try:
        return IdentityClaims.model_validate(payload)
    except ValidationError as exc:
        raise Unauthorized(
            "identity token claims are invalid", code="invalid_identity_token"
        ) from exc


def new_api_key() -> tuple[str, str]:
    """A fresh secret API key and its hash (the only thing stored)."""
    key = "rdk_" + secrets.token_urlsafe(32)
    return key, hash_api_key(key)


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_identity_secret() -> str:
    return secrets.token_urlsafe(32)
