"""Words reduced to a form two inflections of one word share: case and accents folded,
irregular forms mapped to their lemma, then inflectional endings stripped.

One rule set for every language, applied alike to an admin's topic and a visitor's message:
what matters is that "closing", "closed" and "close" (or "kündigen" and "kündige") meet, not
that the stem is a dictionary word. One ending is stripped, never a consonant alone ("court"
must not meet "courier"); derived forms ("cancellation") are left to the lexicon.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_TOKEN = re.compile(r"[^\W_]+|[€$£¥]", re.UNICODE)
MIN_STEM = 4
# The longest that leaves MIN_STEM letters is stripped. A stacked form is listed whole
# ("ers": "lawyers" and "lawyer" both end as "lawy").
_ENDINGS = tuple(
    sorted(
        (
            # English
            "ies ied ing ings ed es s "
            # German and Dutch
            "en ens er ers ern e "
            # French
            "ez ee ees "
            # Spanish, Portuguese and Italian
            "ando endo ado ada ados adas ido ida idos idas ar ir are ere ire ato ata ati ate "
            "o a os as i"
        ).split(),
        key=len,
        reverse=True,
    )
)
_IRREGULAR = {
    "bought": "buy",
    "paid": "pay",
    "sent": "send",
    "stolen": "steal",
    "stole": "steal",
    "lost": "lose",
    "went": "go",
    "gone": "go",
    "took": "take",
    "taken": "take",
    "spoke": "speak",
    "spoken": "speak",
}


def fold(text: str) -> str:
    """Lower case without accents: "Résilier" → "resilier", "Straße" → "strasse"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The folded words (and currency signs) of `text`, in order."""
    return _TOKEN.findall(fold(text))


@lru_cache(maxsize=65_536)
def stem(word: str) -> str:
    """The comparable form of one folded word."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if not word.isalpha():
        return word
    stripped = _strip(word)
    if len(stripped) >= MIN_STEM and stripped[-1] == stripped[-2]:
        stripped = stripped[:-1]  # shipp(ing) and ship, cancell(ed) and cancel, bill(ing)
    return stripped


def _strip(word: str) -> str:
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            rest = word[: -len(ending)]
            return rest + "y" if ending in ("ies", "ied") else rest
    return word


def stems(text: str) -> list[str]:
    return [stem(w) for w in words(text)]
