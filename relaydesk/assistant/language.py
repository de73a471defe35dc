"""The visitor's language: lingua restricted to the languages we serve, accurate on short text.

The detector is built on first use (about 3 s and a few hundred MB for its n-gram models), never
at import time; `warm_up()` builds it off the event loop.
"""

from __future__ import annotations

import asyncio
import re
from functools import cache

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

SUPPORTED = ("en", "de", "fr", "es", "it", "pt", "nl", "pl", "sv", "tr", "da", "fi")
DEFAULT = "en"
_LETTERS = re.compile(r"[^\W\d_]{2,}")


@cache
def _detector() -> LanguageDetector:
    languages = [
        Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in SUPPORTED
    ]
    return LanguageDetectorBuilder.from_languages(*languages).build()


async def warm_up() -> None:
    """Build the detector and load its models (lingua loads them on the first detection)."""
    await asyncio.to_thread(detect_language, "warm up the language models")


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of `text`, or None when there are no words to judge by."""
    if not _LETTERS.search(text):
        return None
    found = _detector().detect_language_of(text)
    return found.iso_code_639_1.name.lower() if found is not None else None


def conversation_language(visitor_texts: list[str]) -> str:
    """The latest message decides when it has three words; else the recent messages together."""
    for text in reversed(visitor_texts):
        if len(_LETTERS.findall(text)) >= 3:
            return detect_language(text) or DEFAULT
    return detect_language(" ".join(visitor_texts[-3:])) or DEFAULT
