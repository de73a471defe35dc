"""Handoff topics: the admin's plain-language list ("close my account", "legal questions",
"refunds over 100 euros"), matched by meaning.

A topic is read into units: each content word or phrase stands for its concepts from the
lexicon ("close" → end, "legal" → legal) or, when it names none, for its stem. A message
catches a topic when it covers most of its units ("cancel my account" covers end + account;
"my lawyer will contact you" covers legal). "over 100 euros" asks for an amount above 100.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from .lemmas import fold, stem, words
from .lexicon import lexicon

_STOP_WORDS = (
    # English
    "a an the and or of to in on at for from by with about over under above below more less "
    "than my our your his her their its me i we you he she they it them us is are was were be "
    "been being am do does did have has had will would can could should may might must want "
    "wants wanted need needs like please how what why when where which who this that these "
    "those there here get got any all some other anything something everything not no yes just "
    "also very so if then as into out up again only too s t m re ve ll d don doesn didn im "
    "question questions issue issues problem problems topic topics request requests inquiry "
    "inquiries enquiry enquiries regarding related matter matters thing things stuff item items "
    "goods help "
    # German
    "der die das den dem des ein eine einer eines einem einen und oder aber zu mit für über "
    "unter von vom zum zur bei nach aus auf an am im ist sind war bin bist sein habe hast hat "
    "haben wird werden kann können möchte möchten will wollen ich du er sie es wir ihr mein "
    "meine meinen meiner mich mir dich dir sich uns euch ihre nicht kein keine auch noch schon "
    "nur wie was warum wann wo wer welche bitte frage fragen thema themen probleme anfrage "
    "anfragen mehr als ab bis "
    # French
    "le la les l un une des du de et ou mais à au aux en dans sur sous pour par avec sans est "
    "sont suis être ai as avons avez ont je tu il elle on nous vous ils elles te se mon ma mes "
    "ton ta tes son sa ses notre votre leur ne pas plus moins que qui quoi comment pourquoi "
    "quand où ce cette ces problème problèmes demande demandes sujet veux voudrais peux "
    # Spanish, Italian, Portuguese
    "el los las unos unas y o pero al del con sin por para sobre son soy está estoy ser he ha "
    "han yo tú él ella ellos mi mis tus su sus nuestro sí qué cómo cuándo dónde quiero "
    "quisiera puedo pregunta preguntas problema problemas solicitud tema más menos "
    "il lo gli uno e allo alla ai agli alle di dello della dei degli delle da dal nel nella su "
    "sul tra fra è sono sei ho hai abbiamo hanno io lui lei noi voi loro ti si mio mia miei mie "
    "non che come perché dove voglio vorrei posso domanda domande problemi richiesta più meno "
    "os um uma em no na nos nas é são sou estou eu ele nós eles minha meus minhas não porque "
    "onde quero gostaria pergunta perguntas "
    # Dutch
    "het een van voor met zonder op aan naar uit zijn ben heb heeft hebben ik jij je hij zij "
    "wij jullie mij mijn ons onze niet geen ook hoe waarom wanneer waar wil wilt vraag vragen "
    "probleem problemen verzoek meer dan"
)
_NUMBER = r"(\d{1,3}(?:[.,]\d{3})+|\d+(?:[.,]\d{1,2})?)"
_ABOVE = re.compile(
    r"(?:over|above|more than|greater than|exceeding|at least|>=?|uber|mehr als|ab|plus de|"
    r"au-dessus de|superieur a|mas de|mayor de|superior a|oltre|piu di|sopra|mais de|"
    r"acima de|meer dan|boven|vanaf)\s*[€$£]?\s*" + _NUMBER
)
_BELOW = re.compile(
    r"(?:under|below|less than|up to|<=?|unter|weniger als|bis|moins de|en dessous de|"
    r"inferieur a|menos de|inferior a|meno di|sotto|abaixo de|minder dan|onder|tot)\s*[€$£]?\s*"
    + _NUMBER
)
_AMOUNT = re.compile(_NUMBER)
_CURRENCY = r"(?:[€$£]|eur|euros?|dollars?|usd|gbp|pounds?|chf|franken)"
_MONEY = re.compile(rf"{_CURRENCY}\s*{_NUMBER}|{_NUMBER}\s*{_CURRENCY}\b")
Unit = frozenset[str]


@dataclass(frozen=True)
class Topic:
    phrase: str
    units: tuple[Unit, ...]  # each unit is met by any one of its concepts or stems
    above: float | None = None
    below: float | None = None

    @property
    def needed(self) -> int:
        """Units a message must cover: all of one or two, two of three, three of four…"""
        return (2 * len(self.units) + 2) // 3


@dataclass(frozen=True)
class Reading:
    """What a message offers topics: its stems, the concepts they name, its numbers."""

    keys: frozenset[str]
    amounts: tuple[float, ...]


def match_topic(text: str, topics: Sequence[str]) -> str | None:
    """The first topic the message catches, if any."""
    if not topics:
        return None
    reading = read_message(text)
    return next((t for t in topics if catches(parse_topic(t), reading)), None)


def catches(topic: Topic, reading: Reading) -> bool:
    if not topic.units:
        return False
    covered = sum(1 for unit in topic.units if unit & reading.keys)
    if covered < topic.needed:
        return False
    if topic.above is not None and not any(a > topic.above for a in reading.amounts):
        return False
    return topic.below is None or any(a < topic.below for a in reading.amounts)


@lru_cache(maxsize=1024)
def parse_topic(phrase: str) -> Topic:
    folded = fold(phrase)
    above, below = _limit(_ABOVE, folded), _limit(_BELOW, folded)
    stems = [stem(w) for w in words(folded)]
    units: list[Unit] = []
    at = 0
    while at < len(stems):
        size, concepts = lexicon().concepts_at(stems, at)
        if concepts:
            units.append(concepts)
        elif _is_content(stems[at]):
            units.append(frozenset({stems[at]}))
        at += size
    return Topic(phrase, tuple(dict.fromkeys(units)), above, below)


def read_message(text: str) -> Reading:
    folded = fold(text)
    stems = [stem(w) for w in words(folded)]
    lex = lexicon()
    keys = set(stems)
    for at in range(len(stems)):
        for size in range(1, min(lex.longest, len(stems) - at) + 1):
            key = tuple(stems[at : at + size])
            found = lex.words.get(key[0]) if size == 1 else lex.phrases.get(key)
            if found:
                keys |= lex.widened(found)
    return Reading(frozenset(keys), _amounts(folded))


def _amounts(folded: str) -> tuple[float, ...]:
    """Sums of money when the message names a currency ("250 €", "$80"), else every number."""
    money = [a or b for a, b in _MONEY.findall(folded)]
    return tuple(_number(n) for n in money or _AMOUNT.findall(folded))


@lru_cache(maxsize=1)
def _stop_stems() -> frozenset[str]:
    return frozenset(stem(w) for w in words(_STOP_WORDS)) | frozenset(words(_STOP_WORDS))


def _is_content(stemmed: str) -> bool:
    return len(stemmed) > 1 and not stemmed.isdigit() and stemmed not in _stop_stems()


def _limit(pattern: re.Pattern[str], folded: str) -> float | None:
    found = pattern.search(folded)
    return _number(found.group(1)) if found else None


def _number(text: str) -> float:
    """1,200 and 1.200 are twelve hundred; 9,99 and 9.99 are just under ten."""
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", text):
        return float(re.sub(r"[.,]", "", text))
    return float(text.replace(",", "."))
