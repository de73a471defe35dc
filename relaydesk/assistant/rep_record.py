"""What the rep reads about a handoff, in the team's language: why the AI handed off, who asked
for it, the summary's labels and the ticket subject. Pure functions over the `Handoff` row."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from ..models import Handoff

DEFAULT = "en"
SUBJECT_MAX = 120
TEAM_LANGUAGES = {
    "en": "English",
    "de": "Deutsch",
    "fr": "Français",
    "es": "Español",
    "it": "Italiano",
    "pt": "Português",
    "nl": "Nederlands",
    "pl": "Polski",
    "sv": "Svenska",
    "tr": "Türkçe",
    "da": "Dansk",
    "fi": "Suomi",
}
# `rep_record_words.json`, language → key → words. Keys: the reason codes of
# `analysis.REASONS`, the requesters of `handoffs.REQUESTERS`, then the summary's labels.
# "{topic}" names the admin's topic.
WORDS_FILE = Path(__file__).with_name("rep_record_words.json")
WORDS: dict[str, dict[str, str]] = json.loads(WORDS_FILE.read_text(encoding="utf-8"))


def words_in(language: str | None) -> dict[str, str]:
    """The team's words, English for a language we do not have."""
    return WORDS.get(language or DEFAULT, WORDS[DEFAULT])


def reason_words(reasons: Sequence[str], language: str | None, topic: str | None = None) -> str:
    """`["frustration", "prohibited_topic"]` → "the visitor is frustrated; the message is
    about the handoff topic “legal questions”" (codes we have no words for stay as they are)."""
    said = words_in(language)
    parts = []
    for reason in reasons:
        if reason == "prohibited_topic" and topic:
            parts.append(said["prohibited_topic_named"].format(topic=topic))
        else:
            parts.append(said.get(reason) or WORDS[DEFAULT].get(reason) or reason)
    return "; ".join(parts) or said["not_given"]


def requester_words(requested_by: str, language: str | None) -> str:
    """Who asked for the handoff: "visitor", "AI" or "admin", in the team's language."""
    return words_in(language).get(requested_by) or requested_by


def ticket_subject(handoff: Handoff, fallback: str) -> str:
    """The visitor's first real question, on one line and cut to fit; `fallback` (e.g. "Chat
    with Ada") when they asked none. Handoffs recorded before questions were kept use the
    summary's first line."""
    older = (handoff.summary or "").strip().splitlines()[:1] if handoff.question is None else []
    line = " ".join((handoff.question or (older[0] if older else "")).split()) or fallback
    return line if len(line) <= SUBJECT_MAX else line[: SUBJECT_MAX - 1] + "…"


def summary_facts(handoff: Handoff) -> list[tuple[str, str]]:
    """The summary's question and answer as labelled facts for the note (its reasons line is
    what the note's "Reason" says); an older free-text summary as one "Summary" fact."""
    said = words_in(handoff.team_language)
    labels = (said["question"], said["answered"])
    facts = []
    for line in (handoff.summary or "").splitlines():
        label, _, value = line.partition(": ")
        if label in labels:
            facts.append((label, value))
    return facts or [("Summary", (handoff.summary or "").strip() or "-")]
