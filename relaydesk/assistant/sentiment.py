"""The visitor's mood: VADER (English, emoji, punctuation, capitals) plus a small lexicon of
customer-service words in the other languages we serve."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer, SentiText

ANGRY_BELOW = -0.3
HAPPY_ABOVE = 0.5
_LEXICON_WEIGHT = 0.55

# Stems, matched at the start of a word: one hit moves the score by `_LEXICON_WEIGHT`.
_NEGATIVE = tuple(
    (
        # de
        "scheiß|mist|ärger|wütend|unverschämt|inakzeptabel|katastroph|frech|"
        "enttäusch|nervig|nervt|schlecht|lächerlich|sauer|nutzlos|betrug|"
        "zumutung|furchtbar|schrecklich|"
        # fr
        "merde|nul|inadmissible|inacceptable|honte|scandal|énervé|furieux|"
        "ridicule|déçu|décevant|arnaque|horrible|pénible|marre|incompétent|"
        # es
        "vergüenza|inaceptable|furios|harto|harta|estafa|pésim|fatal|"
        "ridícul|decepcion|enfadad|inútil|basura|indignant|"
        # it
        "vergogn|schifo|pessim|inaccettabil|furios|arrabbiat|ridicol|truffa|"
        "deluso|delusa|inutil|stufo|stufa|incompetent|"
        # pt
        "absurd|péssim|ridícul|palhaçada|inaceitável|irritad|decepcionad|"
        "golpe|lixo|horrível|raiva|"
        # nl
        "belachelijk|waardeloos|boos|schandalig|oplichter|teleurgesteld|"
        "onacceptabel|slecht|klote|walgelijk|vreselijk|"
        # pl
        "beznadziej|skandal|wkurz|żenujące|oszust|fataln|okropn|zawiedzion|"
        "niedopuszczaln|tragedi|kpina|nieudoln|"
        # sv
        "förbannad|skit|värdelös|uselt|usel|skandal|besviken|bedrövlig|"
        "oacceptabel|löjlig|bluff|"
        # tr
        "rezalet|berbat|saçma|sinir|kızgın|dolandırıcı|kabul edilemez|utanç|"
        "hayal kırıklığı|felaket|iğrenç|"
        # en words VADER misses in support chats
        # da, fi
        "skandale|sur|i stykker|elendig|skandaali|vihainen|rikki|surkea|"
        "useless|ridiculous|unacceptable|scam|fed up|joke|"
    )
    .strip("|")
    .split("|")
)
_POSITIVE = tuple(
    (
        "danke|super|perfekt|toll|prima|klasse|wunderbar|hilfreich|"
        "merci|génial|parfait|excellent|formidable|"
        "gracias|genial|perfecto|excelente|estupendo|maravill|"
        "grazie|perfett|ottim|fantastic|gentilissim|"
        "obrigad|ótimo|perfeito|excelente|maravilh|"
        "bedankt|dank je|fantastisch|geweldig|prima|uitstekend|handig|"
        "dziękuj|świetn|super|doskonał|wspaniał|pomocn|"
        "tack|perfekt|utmärkt|toppen|jättebra|underbar|"
        "teşekkür|sağol|harika|mükemmel|süper|"
        "mange tak|tusind tak|hjalp|geholfen|fantastisk|kiitos|loistava|auttoi|mahtava|"
    )
    .strip("|")
    .split("|")
)


@dataclass(frozen=True)
class Sentiment:
    label: str  # angry | neutral | happy
    score: float  # -1 … 1


@cache
def _vader() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


@cache
def _pattern(stems: tuple[str, ...]) -> re.Pattern[str]:
    """The stems as one alternation grouped by first letter, each group in the stems' order: at
    a word start the engine tries one letter per group, not every stem. No character matches
    two of the first letters, even ignoring case, so the one group that can match finds what
    the plain alternation of the stems would (a quarter of its time)."""
    groups: dict[str, list[str]] = {}
    for stem in stems:
        groups.setdefault(stem[0], []).append(re.escape(stem[1:]))
    body = "|".join(f"{re.escape(first)}(?:{'|'.join(rest)})" for first, rest in groups.items())
    return re.compile(rf"(?<!\w)(?:{body})", re.IGNORECASE)


def sentiment_of(text: str, language: str = "en") -> Sentiment:
    """VADER reads English only: on other languages it mistakes words like "die" or "mist"."""
    score = _vader_score(text) if language == "en" else 0.0
    score -= _LEXICON_WEIGHT * len(_pattern(_NEGATIVE).findall(text))
    score += _LEXICON_WEIGHT * len(_pattern(_POSITIVE).findall(text))
    score = max(-1.0, min(1.0, score))
    return Sentiment(_label(score), round(score, 3))


def _vader_score(text: str) -> float:
    """VADER's compound score. Only the words of its lexicon carry valence (an emoji by its
    description), so a text with neither scores 0 without the rest of VADER's reading."""
    vader = _vader()
    if text.isascii() or not any(c in vader.emojis for c in text):  # its emojis: not ASCII
        words = map(SentiText._strip_punc_if_word, text.split())  # VADER's own words
        if not any(word.lower() in vader.lexicon for word in words):
            return 0.0
    return float(vader.polarity_scores(text)["compound"])


def _label(score: float) -> str:
    if score <= ANGRY_BELOW:
        return "angry"
    if score >= HAPPY_ABOVE:
        return "happy"
    return "neutral"
