"""Explicit requests for a person, in the languages we serve, and signs of frustration.

A request is a cue (talk, connect, sprechen, parler…) near a word for a person (human, agent,
Mensch, conseiller…) in the same sentence, or a short message that is little more than such a
word ("human please", "Mitarbeiter?"). Phrases that only mention people ("my agent forwarded
the parcel", "a human-readable invoice") have no cue and stay answers.
"""

from __future__ import annotations

import re

_PERSON = (
    # en
    r"human(?![- ]?readable)s?|(?<!in )person|people|agent|representative|rep|operator|someone|"
    r"somebody|anyone|anybody|staff|employee|customer (?:service|support|care)|"
    r"support (?:team|staff)|team member|manager|supervisor|advisor|adviser|"
    # de
    r"mensch\w*|mitarbeiter\w*|berater\w*|kundendienst\w*|kundenservice|jemand\w*|"
    r"ansprechpartner\w*|sachbearbeiter\w*|servicemitarbeiter\w*|echte[nm]? person|"
    # fr
    r"humain\w*|conseill\w*|opérat\w*|quelqu'un|quelqu’un|service client|vraie personne|"
    r"une personne|un agent|un collaborateur|"
    # es
    r"humano\w*|persona(?:s)?|asesor\w*|operador\w*|alguien|representante\w*|ejecutivo\w*|"
    # it
    r"umano|umani|operat\w*|consulent\w*|qualcuno|assistenza clienti|"
    # pt
    r"pessoa\w*|atendente\w*|alguém|assistente\w*|"
    # nl
    r"mens|medewerker\w*|iemand|klantenservice|"
    # pl
    r"człowiek\w*|osob[ąaey]|konsultant\w*|pracownik\w*|kimś|ktoś|agent\w*|"
    # sv
    r"människa|människor|handläggare|medarbetare|någon|kundtjänst|riktig person|"
    # tr
    r"insan\w*|temsilci\w*|yetkili\w*|operatör\w*|biri\w*|müşteri hizmetleri\w*|canlı destek|"
    # da, fi
    r"menneske\w*|medarbejder\w*|kundeservice|rigtig person|ihmi\w*|asiakaspalvel\w*"
)
_CUE = (
    # en (present, not "talked"/"spoke": telling a story is no request)
    r"talk(?!ed)|speak|chat (?:to|with)|connect|transfer|escalate|put me through|get me|"
    r"give me|pass me|hand me|want|need|like to|request|reach|contact|is there|are there|"
    r"can i|could i|let me|please|pls|plz|now|"
    # de
    r"sprechen|reden|verbinden|verbinde|weiterleiten|durchstellen|möchte|will|wollen|"
    r"brauche|bitte|kann ich|gibt es|erreichen|"
    # fr
    r"parler|discuter|joindre|contacter|mettre en relation|mettez-moi|passer|passez|"
    r"passez-moi|transférer|veux|voudrais|"
    r"besoin|s'il vous plaît|svp|"
    # es
    r"hablar|comunicar|pasar|pásame|contactar|quiero|quisiera|necesito|transferir|"
    r"por favor|comunícame|"
    # it
    r"parlare|passare|passami|contattare|voglio|vorrei|mett\w* in contatto|bisogno|"
    r"per favore|"
    # pt
    r"falar|conversar|transferir|transfira|passa|passe|quero|gostaria|preciso|por favor|"
    # nl
    r"spreken|praten|doorverbinden|verbinden|verbind|wil|graag|alstublieft|aub|"
    # pl
    r"rozmawiać|porozmawiać|połącz\w*|chcę|chciał\w*|proszę|potrzebuję|"
    # sv
    r"prata|tala|koppla|vill|behöver|snälla|"
    # tr
    r"konuş\w*|görüş\w*|bağla\w*|istiyorum|lütfen|aktar\w*|"
    # da, fi
    r"tale|snakke|stil mig om|gerne|brug for|puhua|puhu\w*|yhdistä\w*|haluan|voinko"
)
_STRONG = (
    r"live (?:agent|chat with a person|person)|real (?:human|person|agent)|actual (?:human|person)|"
    r"not (?:a|the|this) (?:bot|robot|machine)|human being|"
    r"echte[nm]? menschen|keinen? (?:bot|roboter)|vraie personne|pas un robot|"
    r"persona real|no un robot|persona vera|non un bot|pessoa real|não um robô|"
    r"echt(?:e)? mens|geen bot|prawdziw\w* (?:człowiek\w*|osob\w*)|riktig människa|"
    r"gerçek (?:bir )?(?:insan|kişi)|canlı destek|rigtig person|oikea\w* ihmi\w*"
)
_NEAR = 30
_PERSON_RE = re.compile(rf"(?<!\w)(?:{_PERSON})(?!\w)", re.IGNORECASE)
_CUE_RE = re.compile(rf"(?<!\w)(?:{_CUE})(?!\w)", re.IGNORECASE)
_STRONG_RE = re.compile(rf"(?<!\w)(?:{_STRONG})(?!\w)", re.IGNORECASE)
_SENTENCES = re.compile(r"(?<=[.!?;])\s+|\n")
_WORDS = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
# A story about a person, not a request: "my agent", "your staff said", "mein Mitarbeiter".
_POSSESSED = re.compile(
    r"(?<!\w)(?:my|our|his|her|their|mein\w*|unser\w*|mon|ma|mes|notre|mi|mis|nuestr\w*|"
    r"il mio|la mia|meu|minha|mijn|onze|mój|moja|moim|min|mitt|benim)\s+$",
    re.IGNORECASE,
)

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


def asks_for_person(text: str) -> bool:
    """True when the visitor explicitly asks to talk to a person."""
    if _STRONG_RE.search(text):
        return True
    if _short_call(text):
        return True
    return any(_cue_near_person(sentence) for sentence in _SENTENCES.split(text))


def _short_call(text: str) -> bool:
    """'human please', 'Mitarbeiter?', 'agent!': a word for a person and at most two more."""
    words = _WORDS.findall(text)
    return 0 < len(words) <= 3 and any(_PERSON_RE.fullmatch(w) for w in words)


def _cue_near_person(sentence: str) -> bool:
    people = [m for m in _PERSON_RE.finditer(sentence) if not _possessed(sentence, m.start())]
    if not people:
        return False
    cues = list(_CUE_RE.finditer(sentence))
    return any(_distance(c.span(), p.span()) <= _NEAR for c in cues for p in people)


def _possessed(sentence: str, start: int) -> bool:
    return bool(_POSSESSED.search(sentence[max(0, start - 20) : start]))


def _distance(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, max(a[0], b[0]) - min(a[1], b[1]))


def sounds_frustrated(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    shouting = len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) > 0.7
    return shouting or "!!!" in text or bool(_FRUSTRATION.search(text))
