"""Small talk: greetings, thanks, "ok", "are you there?", praise, goodbyes, emoji. A message made
only of such words (in any of our languages, see `small_talk_words.py`) is small talk: the AI
answers it in kind, and it is never a miss or a reason to hand off."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

from .small_talk_words import (
    ACK,
    FAREWELL,
    FILLER,
    GREETING,
    HOW_ARE_YOU,
    NO,
    PRAISE,
    PRESENCE,
    THANKS,
    WORDS,
    YES,
)

MAX_CHARS = 80
TEXTS_CACHED = 4096  # short texts only (at most 2 × MAX_CHARS), so a few hundred KiB
ANY = "*"
# The reply a message gets when it mixes kinds: "hi, are you there?" is a presence check.
_PRECEDENCE = (PRESENCE, HOW_ARE_YOU, THANKS, PRAISE, GREETING, FAREWELL, YES, NO, ACK)
_UNSPACED = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\u3400-\u4dbf\u0e00-\u0e7f]")
_KEEP = {"'", "-"}


@dataclass(frozen=True)
class SmallTalk:
    kind: str
    languages: frozenset[str] | None  # the languages its words belong to; None: any


@dataclass(frozen=True)
class _Entry:
    kind: str
    languages: frozenset[str] | None


@cache
def _table() -> dict[str, _Entry]:
    table: dict[str, _Entry] = {}
    for language, kinds in WORDS.items():
        own = None if language == ANY else frozenset([language])
        for kind, phrases in kinds.items():
            for phrase in phrases.split("|"):
                table[phrase] = _merge(table.get(phrase), _Entry(kind, own))
    return table


def _merge(old: _Entry | None, new: _Entry) -> _Entry:
    if old is None:
        return new
    kind = old.kind if old.kind != FILLER else new.kind
    if old.languages is None or new.languages is None:
        return _Entry(kind, None)
    return _Entry(kind, old.languages | new.languages)


@cache
def _lengths() -> tuple[int, ...]:
    return tuple(sorted({len(p) for p in _table()}, reverse=True))


def normalize(text: str) -> str:
    """Lower case, punctuation and symbols (emoji) out, one space between words."""
    text = text.lower().replace("’", "'")
    kept = (c if c in _KEEP or unicodedata.category(c)[0] not in "PS" else " " for c in text)
    return " ".join("".join(kept).split())


def small_talk_of(text: str) -> SmallTalk | None:
    """What kind of small talk `text` is, or None when it says more than that."""
    if len(text) > MAX_CHARS * 2:
        return None
    return _small_talk_of(text)


@lru_cache(maxsize=TEXTS_CACHED)
def _small_talk_of(text: str) -> SmallTalk | None:
    """Cached: the language guess, the request check and the analysis ask it of one message."""
    words = normalize(text)
    if not words:  # emoji, "?", "...": punctuation or symbols alone
        return SmallTalk(PRESENCE if "?" in text else ACK, None) if text.strip() else None
    entries = _cover(words)
    if entries is None:
        return None
    kinds = {e.kind for e in entries} - {FILLER}
    if not kinds:
        return None
    kind = next(k for k in _PRECEDENCE if k in kinds)
    if kind == GREETING and text.rstrip().endswith("?"):
        kind = PRESENCE  # "Hello?": is anyone there
    return SmallTalk(kind, _languages(entries))


def languages_of(text: str) -> frozenset[str] | None:
    """The languages whose small talk `text` is (None when it is not small talk or when its
    words belong to every language, like "ok")."""
    found = small_talk_of(text)
    return found.languages if found is not None else None


def _languages(entries: list[_Entry]) -> frozenset[str] | None:
    common: frozenset[str] | None = None
    for entry in entries:
        if entry.languages is None:
            continue
        narrowed = entry.languages if common is None else common & entry.languages
        common = narrowed or entry.languages  # mixed languages: the later words win
    return common


@lru_cache(maxsize=4096)
def _cover(words: str) -> list[_Entry] | None:
    """Split `words` into known phrases, longest first, or None when some word is not one."""
    if len(words) > MAX_CHARS:
        return None
    table, lengths = _table(), _lengths()

    @cache
    def from_(start: int) -> tuple[_Entry, ...] | None:
        if start == len(words):
            return ()
        for length in lengths:
            end = start + length
            entry = table.get(words[start:end]) if end <= len(words) else None
            if entry is None or not _boundary(words, end):
                continue
            rest = from_(end + 1 if end < len(words) and words[end] == " " else end)
            if rest is not None:
                return (entry, *rest)
        return None

    found = from_(0)
    return list(found) if found is not None else None


def _boundary(words: str, end: int) -> bool:
    """A phrase ends at a space, at the end, or inside a script written without spaces."""
    if end == len(words) or words[end] == " ":
        return True
    return bool(_UNSPACED.match(words[end - 1]) or _UNSPACED.match(words[end]))
