"""Words that mean the same thing to a support team, in the languages visitors write most:
"cancel", "close", "kündigen" and "dar de baja" are one concept, "sue" and "lawyer" another.

Hand-written for handoff topics, in `lexicon_concepts.json`. Forms go through `lemmas.stem`,
so one form of a regular word is enough; irregular and short forms ("sued", "paid") are listed.
A concept may count as a broader one too: deleting an account is closing it, but closing is not
deleting.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .lemmas import stem, words

CONCEPTS_FILE = Path(__file__).with_name("lexicon_concepts.json")


@dataclass(frozen=True)
class Concept:
    name: str
    forms: tuple[str, ...]  # any language; a form may be several words
    broader: tuple[str, ...] = ()


def load_concepts(path: Path = CONCEPTS_FILE) -> tuple[Concept, ...]:
    """The concepts as `lexicon_concepts.json` lists them: a name, its forms and, optionally,
    the broader concepts it counts as."""
    entries = json.loads(path.read_text(encoding="utf-8"))
    return tuple(
        Concept(e["name"], tuple(e["forms"]), tuple(e.get("broader", ()))) for e in entries
    )


CONCEPTS = load_concepts()


@dataclass(frozen=True)
class Lexicon:
    words: dict[str, frozenset[str]]  # stem → the concepts it names
    phrases: dict[tuple[str, ...], frozenset[str]]  # several stems → concepts
    longest: int
    broader: dict[str, tuple[str, ...]]

    def concepts_at(self, stems: Sequence[str], at: int) -> tuple[int, frozenset[str]]:
        """How many stems from `at` name concepts, and which (longest phrase first)."""
        for size in range(min(self.longest, len(stems) - at), 1, -1):
            found = self.phrases.get(tuple(stems[at : at + size]))
            if found:
                return size, found
        return 1, self.words.get(stems[at], frozenset())

    def widened(self, concepts: frozenset[str]) -> frozenset[str]:
        """The concepts and those they count as (delete → end)."""
        return concepts.union(*(self.broader.get(c, ()) for c in concepts))


@cache
def lexicon() -> Lexicon:
    single: dict[str, set[str]] = {}
    multi: dict[tuple[str, ...], set[str]] = {}
    for concept in CONCEPTS:
        for form in concept.forms:
            key = tuple(stem(w) for w in words(form))
            if len(key) == 1:
                single.setdefault(key[0], set()).add(concept.name)
            elif key:
                multi.setdefault(key, set()).add(concept.name)
    return Lexicon(
        {k: frozenset(v) for k, v in single.items()},
        {k: frozenset(v) for k, v in multi.items()},
        max((len(k) for k in multi), default=1),
        {c.name: c.broader for c in CONCEPTS},
    )
