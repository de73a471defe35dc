"""Starting or resuming a widget session: anonymous, or verified through an identity token."""

from __future__ import annotations

import re

from sqlalchemy.ext.asyncio import AsyncSession

from .errors import Unauthorized
from .identity import VisitorClaims, issue_visitor_token, read_visitor_token, verify_identity_token
from .mail_links import Reopen
from .models import Organization, Visitor, utcnow
from .organizations import identity_secret
from .settings import Settings
from .vault import Vault
from .visitors import new_visitor, verified_visitor

# A BCP 47 tag as browsers send it ("de-AT", "zh-Hans-CN"); anything else is not stored.
_LOCALE = re.compile(r"[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8}){0,4}")
Page = str | None  # the page the widget runs on, checked against the origin (`mail_links`)


async def resume_or_start(
    session: AsyncSession,
    settings: Settings,
    vault: Vault,
    organization: Organization,
    *,
    visitor_token: str | None,
    identity_token: str | None,
    locale: str | None = None,
    page: Page = None,
    reopen: Reopen | None = None,
) -> tuple[Visitor, str]:
    """The visitor for this browser (or this verified email, or the link of a reply email)
    and a fresh visitor token.

    A stale or foreign visitor token starts a new anonymous visitor rather than locking the
    browser out; a bad identity token is refused, since the page claimed to know who this is.
    """
    previous = await _previous_visitor(session, settings, organization, visitor_token)
    if reopen is not None:  # the email's link speaks for the visitor it was sent to
        previous = await session.get(Visitor, reopen.visitor_id) or previous
    if identity_token is not None:
        claims = verify_identity_token(
            identity_secret(vault, organization), identity_token, settings.identity_token_max_ttl_s
        )
        visitor = await verified_visitor(session, organization, claims, previous)
    elif previous is not None:
        visitor = previous
        visitor.last_seen_at = utcnow()
    else:
        visitor = await new_visitor(session, organization)
    if locale and _LOCALE.fullmatch(locale) and visitor.locale != locale:
        visitor.locale = locale
    if page and visitor.page_url != page:
        visitor.page_url = page
    token = issue_visitor_token(
        settings.secret_key.get_secret_value(),
        VisitorClaims(visitor.id, organization.id),
        settings.visitor_token_ttl_days * 86400,
    )
    return visitor, token


async def _previous_visitor(
    session: AsyncSession, settings: Settings, organization: Organization, token: str | None
) -> Visitor | None:
    if not token:
        return None
    try:
        claims = read_visitor_token(settings.secret_key.get_secret_value(), token)
    except Unauthorized:
        return None
    visitor = await session.get(Visitor, claims.visitor_id)
    if visitor is None or visitor.organization_id != organization.id:
        return None
    return visitor
