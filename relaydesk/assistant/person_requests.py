"""Explicit requests for a person, in the 30 languages we serve, and signs of frustration.

A request is a phrase that asks by itself ("real person", "call me back", 转人工), a cue (talk,
connect, sprechen, 说话…) near a word for a person (human, agent, Mensch, 客服…) in the same
sentence, or a short message that is little more than such a word ("human please",
"Mitarbeiter?"). Words by language are in `person_request_words.py`. Phrases that only
mention people ("my agent forwarded the parcel", "do your employees speak German?") have no
cue before the person, and presence checks ("is anybody there?") are small talk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from .person_request_words import LANGUAGES, Words
from .small_talk import small_talk_of

_NEAR = 30
_NEAR_UNSPACED = 12
_SENTENCES = re.compile(r"(?<=[.!?;。！？])\s*|\n")
_WORDS = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
# A story about a person, not a request: "my agent", "your staff said", "mein Mitarbeiter".
_POSSESSED = re.compile(
    r"(?<!\w)(?:my|our|his|her|their|mein\w*|unser\w*|ihre|eure|deine|seine|mon|ma|mes|"
    r"notre|mi|mis|nuestr\w*|"
    r"il mio|la mia|meu|minha|mijn|onze|mój|moja|moim|min|mitt|benim)\s+$",
    re.IGNORECASE,
)
# In English a cue comes before the person ("talk to an agent"), after it with "I" or "to"
# between ("someone I can talk to"), or after a question's modal ("can a human look at
# this?"); "do your employees speak German?" is no request.
_ENGLISH_AFTER = re.compile(r"(?<!\w)(?:i|to|who|that)(?!\w)", re.IGNORECASE)
_ENGLISH_MODAL = re.compile(r"^\W*(?:can|could|would|will|may)(?!\w)", re.IGNORECASE)
# "someone to sign for the parcel" is an errand, "someone to talk to" a request.
_ERRAND = re.compile(
    r"\s+to\s+(?!(?:talk|speak|chat|help|assist|call|contact|look|answer|handle|get back)\b)\w",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Compiled:
    language: str
    person: re.Pattern[str]
    cue: re.Pattern[str]
    strong: re.Pattern[str] | None
    bounded: bool


def _compile(language: str, words: Words) -> _Compiled:
    def pattern(alternation: str) -> re.Pattern[str]:
        if words.bounded:
            return re.compile(rf"(?<!\w)(?:{alternation})(?!\w)", re.IGNORECASE)
        return re.compile(f"(?:{alternation})", re.IGNORECASE)

    strong = pattern(words.strong) if words.strong else None
    return _Compiled(language, pattern(words.person), pattern(words.cue), strong, words.bounded)


@cache
def _languages() -> tuple[_Compiled, ...]:
    return tuple(_compile(language, words) for language, words in LANGUAGES.items())


@cache
def _any_person() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Every language's person words and phrases in two patterns: most messages name nobody,
    and two searches settle them (a tenth of the cost of the thirty languages' patterns).
    Whole words and words inside others apart: the second has no lookbehind and a case-free
    first character, so the regular-expression engine skips to where one can start; the first
    has its alternatives grouped by first letter, so at a word start it tries one per group."""
    bounded = [p for w in LANGUAGES.values() if w.bounded for p in (w.person, w.strong) if p]
    inside = [p for w in LANGUAGES.values() if not w.bounded for p in (w.person, w.strong) if p]
    words = by_first_letter([a for part in bounded for a in alternatives(part)])
    return (
        re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.IGNORECASE),
        re.compile("|".join(inside), re.IGNORECASE),
    )


def alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a regular expression (split at `|` outside groups and
    character classes)."""
    found: list[str] = []
    depth, start, at = 0, 0, 0
    while at < len(pattern):
        char = pattern[at]
        if char == "\\":
            at += 1
        elif char == "[":
            at = _class_end(pattern, at)
        elif char in "()":
            depth += 1 if char == "(" else -1
        elif char == "|" and depth == 0:
            found.append(pattern[start:at])
            start = at + 1
        at += 1
    return [*found, pattern[start:]]


def _class_end(pattern: str, at: int) -> int:
    at += 2 if pattern[at + 1] == "^" else 1
    at += 1 if pattern[at] == "]" else 0  # a "]" first in the class is one of its characters
    while pattern[at] != "]":
        at += 2 if pattern[at] == "\\" else 1
    return at


def by_first_letter(parts: list[str]) -> str:
    """One alternation of `parts`, those that start with a letter (not made optional or
    repeated) grouped behind it: the same strings match, found sooner."""
    groups: dict[str, list[str]] = {}
    rest = []
    for part in parts:
        if part[:1].isalpha() and part[1:2] not in ("?", "*", "+", "{"):
            groups.setdefault(part[0], []).append(part[1:])
        else:
            rest.append(part)
    grouped = [f"{first}(?:{'|'.join(tails)})" for first, tails in groups.items()]
    return "|".join(grouped + [f"(?:{part})" for part in rest])


def _names_anyone(text: str) -> bool:
    return any(pattern.search(text) for pattern in _any_person())


def asks_for_person(text: str) -> bool:
    """True when the visitor explicitly asks to talk to a person."""
    if not _names_anyone(text) or small_talk_of(text) is not None:
        return False
    sentences = [s for s in _SENTENCES.split(text) if s.strip()]
    for words in _languages():
        if words.strong is not None and words.strong.search(text):
            return True
        if words.bounded and _short_call(text, words):
            return True
        if any(_cue_near_person(sentence, words) for sentence in sentences):
            return True
    return False


def _short_call(text: str, words: _Compiled) -> bool:
    """'human please', 'Mitarbeiter?', 'agent!': a word for a person and at most two more."""
    found = _WORDS.findall(text)
    return 0 < len(found) <= 3 and any(words.person.fullmatch(w) for w in found)


def _cue_near_person(sentence: str, words: _Compiled) -> bool:
    people = [
        m
        for m in words.person.finditer(sentence)
        if not _possessed(sentence, m.start())
        and not (words.language == "en" and _ERRAND.match(sentence, m.end()))
    ]
    if not people:
        return False
    near = _NEAR if words.bounded else _NEAR_UNSPACED
    for cue in words.cue.finditer(sentence):
        for person in people:
            if _distance(cue.span(), person.span()) > near:
                continue
            if words.language != "en" or cue.start() < person.start():
                return True
            if _ENGLISH_AFTER.search(sentence, person.end(), cue.start()):
                return True
            if _ENGLISH_MODAL.match(sentence):
                return True
    return False


def _possessed(sentence: str, start: int) -> bool:
    return bool(_POSSESSED.search(sentence[max(0, start - 20) : start]))


def _distance(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, max(a[0], b[0]) - min(a[1], b[1]))


_FRUSTRATION = re.compile(
    r"(?<!\w)(?:useless|not helpful|(?:you'?re|you are) not helping|stupid bot|dumb bot|"
    r"waste of (?:my )?time|this is ridiculous|fed up|enough|"
    r"nutzlos|bringt nichts|hilft (?:mir )?nicht|blöder bot|zeitverschwendung|reicht|"
    r"inutile|ça ne sert à rien|ras le bol|perte de temps|"
    r"no sirve|no me ayuda|pérdida de tiempo|estoy hart[oa]|"
    r"non serve a niente|non mi aiuta|perdita di tempo|"
    r"não ajuda|não serve para nada|perda de tempo|"
    r"heb je niks aan|helpt niet|tijdverspilling|"
    r"bezużyteczn\w*|nie pomaga|strata czasu|"
    r"hjälper inte|värdelös|slöseri med tid|"
    r"işe yaramıyor|yardımcı olmuyor|vakit kaybı|hjælper ikke|ei auta|"
    r"ne sert à rien|no sirve|nic nie pomaga|bot hilft nicht)(?!\w)",
    re.IGNORECASE,
)


def sounds_frustrated(text: str) -> bool:
    letters = sum(map(str.isalpha, text))
    upper = sum(map(str.isupper, filter(str.isalpha, text)))
    shouting = letters >= 12 and upper / letters > 0.7
    return shouting or "!!!" in text or bool(_FRUSTRATION.search(text))
