"""The words of small talk, by language: what a message made only of them is (a greeting,
thanks, "are you there?"…). The words themselves are data, in `small_talk_words.json`
(language → kind → phrases). The language `*` holds words every language borrows ("ok",
"hello", "super"), which say nothing about the visitor's language. Phrases of several words are
matched whole."""

from __future__ import annotations

import json
from pathlib import Path

GREETING, THANKS, ACK, PRESENCE, FAREWELL, HOW_ARE_YOU, YES, NO, PRAISE, FILLER = (
    "greeting thanks ack presence farewell how_are_you yes no praise filler".split()
)
KINDS = (GREETING, THANKS, ACK, PRESENCE, FAREWELL, HOW_ARE_YOU, YES, NO, PRAISE, FILLER)
WORDS_FILE = Path(__file__).with_suffix(".json")


def load_words(path: Path = WORDS_FILE) -> dict[str, dict[str, str]]:
    """language → kind → phrases, separated by "|"; a kind this module does not name is an
    error, not a list nobody reads."""
    words: dict[str, dict[str, list[str]]] = json.loads(path.read_text(encoding="utf-8"))
    unknown = {kind for kinds in words.values() for kind in kinds} - set(KINDS)
    if unknown:
        raise ValueError(f"{path.name}: unknown kinds {sorted(unknown)}")
    return {
        language: {kind: "|".join(phrases) for kind, phrases in kinds.items()}
        for language, kinds in words.items()
    }


WORDS = load_words()
