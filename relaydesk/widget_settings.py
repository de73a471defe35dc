"""How an organization's widget looks and where it may run: theme, greeting, position, origins,
title, subtitle, avatar, launcher icon, light or dark, and the sound of a rep's reply."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import filetype
from sqlalchemy.ext.asyncio import AsyncSession

from .errors import InvalidInput
from .files import FileStore
from .models import Organization
from .organizations import normalize_origin

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
POSITIONS = ("right", "left")
THEMES = ("light", "dark", "auto")  # auto: the visitor's prefers-color-scheme
LAUNCHER_ICONS = ("chat", "question", "avatar")
MAX_GREETING = 500
MAX_TITLE = 100
MAX_SUBTITLE = 200
# Raster images only: an SVG may carry script.
AVATAR_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}
MAX_AVATAR_BYTES = 256 * 1024
# The install snippet's first line (README, admin Widget page): `Relaydesk` exists at once and
# queues calls until loader.js, loaded async, replays them.
HOST_STUB = (
    "<script>window.Relaydesk||(()=>{const q=[],r=window.Relaydesk={q,visitor:()=>null};"
    'for(const m of["init","open","close","toggle","send","identify","on","registerComponent"])'
    "r[m]=(...a)=>{q.push([m,a])}})()</script>"
)


@dataclass(frozen=True)
class WidgetSettings:
    theme_color: str
    greeting: str
    position: str
    allowed_origins: list[str]
    title: str = ""
    subtitle: str = ""
    launcher_icon: str = "chat"
    theme: str = "light"
    notify_sound: bool = False


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
    if len(settings.title) > MAX_TITLE or len(settings.subtitle) > MAX_SUBTITLE:
        raise InvalidInput(f"the title takes {MAX_TITLE} characters, the subtitle {MAX_SUBTITLE}")
    if settings.theme not in THEMES:
        raise InvalidInput("the theme is light, dark or auto")
    if settings.launcher_icon not in LAUNCHER_ICONS:
        raise InvalidInput("the launcher icon is chat, question or avatar")
    return settings


async def update_widget_settings(
    session: AsyncSession, organization: Organization, settings: WidgetSettings
) -> None:
    check(settings)
    organization.theme_color = settings.theme_color.lower()
    organization.greeting = settings.greeting.strip()
    organization.position = settings.position
    organization.allowed_origins = list(settings.allowed_origins)
    organization.widget_title = settings.title.strip()
    organization.widget_subtitle = settings.subtitle.strip()
    organization.launcher_icon = settings.launcher_icon
    organization.widget_theme = settings.theme
    organization.notify_sound = settings.notify_sound
    await session.flush()


def avatar_name(organization: Organization) -> str | None:
    """The avatar's file name in its public URL (it changes with the image: cacheable)."""
    return organization.avatar_key.rsplit("/", 1)[1] if organization.avatar_key else None


async def set_avatar(
    session: AsyncSession, store: FileStore, organization: Organization, data: bytes
) -> None:
    """Keep an uploaded avatar or logo: a PNG, JPEG, GIF or WebP of at most 256 KB."""
    if len(data) > MAX_AVATAR_BYTES:
        raise InvalidInput(f"the avatar is larger than {MAX_AVATAR_BYTES // 1024} KB")
    kind = filetype.guess(data)
    extension = AVATAR_TYPES.get(kind.mime) if kind else None
    if extension is None:
        raise InvalidInput("the avatar must be a PNG, JPEG, GIF or WebP image")
    digest = hashlib.sha256(data).hexdigest()[:20]
    key = f"avatars/{organization.id}/{digest}.{extension}"
    await store.put(key, data)
    organization.avatar_key = key
    await session.flush()


async def remove_avatar(session: AsyncSession, organization: Organization) -> None:
    organization.avatar_key = None
    await session.flush()
