"""How an organization's widget looks and where it may run: theme, greeting, position, origins."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from .errors import InvalidInput
from .models import Organization
from .organizations import normalize_origin

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
POSITIONS = ("right", "left")
MAX_GREETING = 500


@dataclass(frozen=True)
class WidgetSettings:
    theme_color: str
    greeting: str
    position: str
    allowed_origins: list[str]


def parse_origins(text: str) -> list[str]:
    """One origin a line (`https://shop.example.com`); blank lines are ignored."""
    origins = []
    for line in text.splitlines():
        if not line.strip():
            continue
        origin = normalize_origin(line)
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path:
            raise InvalidInput(f"{line.strip()!r} is not an origin like https://shop.example.com")
        origins.append(origin)
    return sorted(set(origins))


def check(settings: WidgetSettings) -> WidgetSettings:
    if not _COLOUR.match(settings.theme_color):
        raise InvalidInput("the theme colour must look like #2f6fed")
    if settings.position not in POSITIONS:
        raise InvalidInput("the launcher sits on the right or the left")
    if not settings.greeting.strip() or len(settings.greeting) > MAX_GREETING:
        raise InvalidInput(f"the greeting needs 1 to {MAX_GREETING} characters")
    return settings


async def update_widget_settings(
    session: AsyncSession, organization: Organization, settings: WidgetSettings
) -> None:
    check(settings)
    organization.theme_color = settings.theme_color.lower()
    organization.greeting = settings.greeting.strip()
    organization.position = settings.position
    organization.allowed_origins = list(settings.allowed_origins)
    await session.flush()
