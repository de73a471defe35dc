"""The widget's words in the visitor's language: the translations shipped with the widget
(`web/static/i18n/<language>.json`, English first), then the organization's overrides.

An organization's `strings` hold overrides by language tag (`{"de": {"send": "Los"},
"de-at": {...}}`); plain string values at the top apply to every language. Besides the shipped
keys, `title`, `subtitle` and `greeting` may be set per language; without such an override the
widget settings' own title, subtitle and greeting are used, except that the stock English
greeting is shown translated.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from .errors import InvalidInput
from .models import Organization

SHIPPED_DIR = Path(__file__).parent / "web" / "static" / "i18n"
DEFAULT = "en"
ORGANIZATION_TEXTS = ("title", "subtitle", "greeting")
RIGHT_TO_LEFT = frozenset({"ar", "he", "fa", "ur"})
MAX_TEXT = 500
_TAG = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{1,8})*$")


@cache
def shipped() -> dict[str, dict[str, str]]:
    """Every shipped translation by language, English first."""
    files = sorted(SHIPPED_DIR.glob("*.json"), key=lambda p: (p.stem != DEFAULT, p.stem))
    return {p.stem: json.loads(p.read_text("utf-8")) for p in files}


def english() -> dict[str, str]:
    return shipped()[DEFAULT]


def keys() -> tuple[str, ...]:
    """What an organization may override: its own texts, then every shipped key."""
    return (*ORGANIZATION_TEXTS, *(k for k in english() if k not in ORGANIZATION_TEXTS))


def tags_of(locale: str | None) -> list[str]:
    """`de-AT` → `["de", "de-at"]`: the language, then the language with its region."""
    tag = (locale or "").strip().lower().replace("_", "-")
    if not _TAG.match(tag):
        return []
    parts = tag.split("-")
    return [parts[0], "-".join(parts[:2])] if len(parts) > 1 else [parts[0]]


def language_of(locale: str | None) -> str:
    tags = tags_of(locale)
    return tags[0] if tags and tags[0] in shipped() else DEFAULT


def _overrides(strings: Mapping[str, Any], locale: str | None) -> dict[str, str]:
    layers = [strings, *(strings.get(tag) for tag in dict.fromkeys(tags_of(locale)))]
    own: dict[str, str] = {}
    for layer in layers:
        if isinstance(layer, Mapping):
            own |= {k: v for k, v in layer.items() if isinstance(v, str) and v.strip()}
    return own


def widget_texts(organization: Organization, locale: str | None) -> dict[str, Any]:
    """The config's words for a browser of `locale`: title, subtitle, greeting and strings."""
    language = language_of(locale)
    own = _overrides(organization.strings or {}, locale)
    translated = english() | shipped()[language]
    stock = organization.greeting == english()["greeting"]
    strings = translated | {k: v for k, v in own.items() if k in translated}
    del strings["greeting"]
    return {
        "locale": language,
        "dir": "rtl" if language in RIGHT_TO_LEFT else "ltr",
        "title": own.get("title") or organization.widget_title or organization.name,
        "subtitle": own.get("subtitle") or organization.widget_subtitle,
        "greeting": own.get("greeting")
        or (translated["greeting"] if stock else organization.greeting),
        "strings": strings,
    }


def overrides_for(organization: Organization, language: str) -> dict[str, str]:
    """The organization's overrides saved for one language (what the strings editor shows)."""
    saved = (organization.strings or {}).get(language)
    return {k: v for k, v in (saved or {}).items() if isinstance(v, str)}


async def update_overrides(
    session: AsyncSession, organization: Organization, language: str, values: Mapping[str, str]
) -> None:
    """Replace one language's overrides; a blank field falls back to the shipped text."""
    if language not in shipped():
        raise InvalidInput(f"{language!r} is not one of the widget's languages")
    allowed, cleaned = set(keys()), {}
    for key, value in values.items():
        if key not in allowed:
            raise InvalidInput(f"{key!r} is not a widget string")
        if len(value) > MAX_TEXT:
            raise InvalidInput(f"{key} is longer than {MAX_TEXT} characters")
        if value.strip():
            cleaned[key] = value.strip()
    strings = {k: v for k, v in (organization.strings or {}).items() if k != language}
    organization.strings = strings | ({language: cleaned} if cleaned else {})
    await session.flush()
