"""What the AI says, in the visitor's language (English when we lack one).

The sentences live in `sentences/<language>.toml`, one file per language with the same keys;
each table below maps a language to one sentence.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path

from .small_talk_words import ACK, FAREWELL, GREETING, HOW_ARE_YOU, NO, PRAISE, PRESENCE, THANKS
from .small_talk_words import YES as AGREE

SENTENCES_DIR = Path(__file__).parent / "sentences"


def _load() -> dict[str, dict[str, str]]:
    """{key: {language: sentence}}, and {language: {language: name}} under "language_names"."""
    tables: dict[str, dict[str, str]] = {}
    for path in sorted(SENTENCES_DIR.glob("*.toml")):
        language = path.stem
        for key, value in tomllib.loads(path.read_text(encoding="utf-8")).items():
            if isinstance(value, dict):
                tables.setdefault(key, {}).update({f"{language}:{k}": v for k, v in value.items()})
            else:
                tables.setdefault(key, {})[language] = value
    return tables


_TABLES = _load()
LANGUAGES = tuple(sorted(_TABLES["handing_off"]))

HANDING_OFF = _TABLES["handing_off"]
# Private-app mode: HubSpot gets a ticket, but reps cannot answer in the chat.
BY_EMAIL = _TABLES["by_email"]
# HubSpot cannot take the handoff yet (not connected, the connection broken): it is queued.
FOLLOW_UP = _TABLES["follow_up"]
LEAVE_EMAIL = _TABLES["leave_email"]
DECLINE = _TABLES["decline"]
ASK_EMAIL = _TABLES["ask_email"]
TRY_FIRST = _TABLES["try_first"]
GOODBYE = _TABLES["goodbye"]
AI_ERROR_APOLOGY = _TABLES["ai_error_apology"]
NO_ANSWER = _TABLES["no_answer"]
# The knowledge base has nothing in the visitor's language: "{languages}" are its languages.
ONLY_IN = _TABLES["only_in"]
OFFER_PERSON = _TABLES["offer_person"]
ATTACHMENT = _TABLES["attachment_reply"]
SMALL_TALK = {
    GREETING: _TABLES["greeting_reply"],
    PRESENCE: _TABLES["presence_reply"],
    HOW_ARE_YOU: _TABLES["how_are_you_reply"],
    THANKS: _TABLES["thanks_reply"],
    PRAISE: _TABLES["praise_reply"],
    FAREWELL: _TABLES["farewell_reply"],
    ACK: _TABLES["ack_reply"],
    AGREE: _TABLES["ack_reply"],
    NO: _TABLES["ack_reply"],
}
_NAMES = _TABLES["language_names"]
SENTENCES = {key: table for key, table in _TABLES.items() if key != "language_names"}


def say(table: dict[str, str], language: str | None) -> str:
    return table.get(language or "en") or table["en"]


def language_names(languages: Iterable[str], in_language: str | None) -> str:
    """'Englisch, Französisch': the names of `languages` as `in_language` writes them."""
    speaker = in_language if in_language in LANGUAGES else "en"
    return ", ".join(_NAMES.get(f"{speaker}:{code}", code) for code in languages)


def only_in(kb_languages: Iterable[str], language: str | None, offer_person: bool) -> str:
    """'Sorry, I can only help in these languages: English.' and, when a person may take the
    chat, the offer of one."""
    text = say(ONLY_IN, language).format(languages=language_names(kb_languages, language))
    return f"{text} {say(OFFER_PERSON, language)}" if offer_person else text
