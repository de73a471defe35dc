"""Whether the visitor says their question is settled ("thanks, that solved it", "das war's"),
so the AI may say goodbye and end the conversation.

Deliberately narrow: a short message with a thank-you or a closing phrase, no question, and
nothing that says the problem is still there ("thanks, but it still doesn't work" stays open).
A wrong "resolved" ends a chat the visitor wanted to continue; a missed one costs nothing.
"""

from __future__ import annotations

import re

MAX_WORDS = 12

_SETTLED = re.compile(
    r"\b(?:"
    # en
    r"thanks?|thank you|thx|ty|cheers|that (?:helped|helps|solved it|fixed it|works|did it)|"
    r"(?:problem|issue|question) (?:solved|resolved)|that'?s all|that is all|all good|"
    r"got it|perfect|great, thanks|no more questions|nothing else|"
    # de
    r"danke\w*|vielen dank|das war'?s|hat geholfen|alles klar|erledigt|"
    # fr
    r"merci|c'est bon|c’est bon|ça marche|parfait|"
    # es, pt, it
    r"gracias|eso es todo|resuelto|obrigad[oa]|resolvido|grazie|risolto|"
    # nl, sv, da, pl, tr, fi
    r"bedankt|dank je|opgelost|tack|løst|löst|dzięki|dziękuję|teşekkür\w*|sağ ?ol|kiitos"
    r")\b",
    re.IGNORECASE,
)
_STILL_OPEN = re.compile(
    r"\b(?:"
    r"but|still|not|n't|doesn'?t|didn'?t|isn'?t|won'?t|can'?t|however|another|also|"
    r"aber|noch|nicht|kein\w*|mais|pas|encore|pero|todavía|aún|ainda|não|ma|ancora|non|"
    r"maar|nog|niet|men|inte|ikke|ale|nie|ama|hâlâ|mutta|vielä|ei"
    r")\b",
    re.IGNORECASE,
)
_WORDS = re.compile(r"[^\W_]+(?:'[^\W_]+)?")


def leaves_open(text: str) -> bool:
    """'but', 'still', 'not' and their kind: something is left to do."""
    return bool(_STILL_OPEN.search(text))


def says_resolved(text: str) -> bool:
    """A short thank-you or closing line with no question and nothing left open."""
    words = _WORDS.findall(text)
    if not words or len(words) > MAX_WORDS or "?" in text:
        return False
    return bool(_SETTLED.search(text)) and not _STILL_OPEN.search(text)
