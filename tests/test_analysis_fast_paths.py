"""The analysis's shortcuts agree with the long way on the eval set and on text in every
script: the same script, the same "does it name a person", the same small talk."""

from __future__ import annotations

import random
import re

from evals.chat import load
from relaydesk.assistant import sentiment, small_talk, triage
from relaydesk.assistant.language import _script, _script_by_counts
from relaydesk.assistant.person_request_words import LANGUAGES
from relaydesk.assistant.person_requests import _names_anyone, alternatives
from relaydesk.assistant.small_talk import MAX_CHARS, TEXTS_CACHED, small_talk_of

# Letters of every script the analysis tells apart, and some that fool a naive check: the
# Kelvin sign, a long s, dotted I, circled letters (upper case, not letters), emoji.
BLOCKS = (
    (0x20, 0x7E),
    (0xA0, 0x24F),
    (0x370, 0x3FF),
    (0x400, 0x4FF),
    (0x590, 0x5FF),
    (0x600, 0x6FF),
    (0x900, 0x97F),
    (0xE00, 0xE7F),
    (0x1E00, 0x1EFF),
    (0x3040, 0x30FF),
    (0x4E00, 0x4E80),
    (0xAC00, 0xAC80),
    (0x2100, 0x215F),
    (0x24B6, 0x24E9),
    (0x1F600, 0x1F64F),
)


def _texts() -> list[str]:
    rng = random.Random(11)
    messages = [row.text for row in load()]
    mixed = [
        "".join(
            chr(rng.randint(*rng.choice(BLOCKS))) if rng.random() < 0.8 else rng.choice(" .?!")
            for _ in range(rng.randint(1, 40))
        )
        for _ in range(2000)
    ]
    changed = [variant for m in messages for variant in (m.upper(), m.lower(), m[: len(m) // 2])]
    return messages + mixed + changed + ["", " ", "?", "12345", "K", "ſtop", "İstanbul"]


def test_ascii_text_is_latin_or_wordless_as_the_script_counts_say() -> None:
    texts = [t for t in _texts() if t.isascii()]
    assert len(texts) > 1500
    assert [_script(t) for t in texts] == [_script_by_counts(t) for t in texts]
    assert {_script(t) for t in texts} == {"latin", None}


def test_two_searches_for_a_person_word_find_what_one_pattern_of_them_all_finds() -> None:
    words = [p for w in LANGUAGES.values() if w.bounded for p in (w.person, w.strong) if p]
    inside = [p for w in LANGUAGES.values() if not w.bounded for p in (w.person, w.strong) if p]
    bounded = "|".join(f"(?:{part})" for part in words)
    one = re.compile(rf"(?<!\w)(?:{bounded})(?!\w)|" + "|".join(inside), re.IGNORECASE)
    split = [alternatives(part) for part in words]
    assert ["|".join(parts) for parts in split] == words
    assert all(re.compile(one) for parts in split for one in parts)  # at top-level bars only
    plain = [one for parts in split for one in parts if re.escape(one) == one]
    texts = _texts() + plain + [f"Could I talk to {one.upper()} please" for one in plain]
    found = [_names_anyone(t) for t in texts]
    assert found == [bool(one.search(t)) for t in texts]
    assert 200 < sum(found) < len(texts) - 1000


def test_small_talk_is_remembered_for_short_texts_only_and_for_a_bounded_number() -> None:
    cached = small_talk._small_talk_of
    before = cached.cache_info()
    assert small_talk_of("thanks " * MAX_CHARS) is None
    assert cached.cache_info() == before  # a long text is neither looked up nor kept
    words = ["hi", "hello", "thanks", "ok", "danke", "merci", "yes", "bye"]
    for n in range(TEXTS_CACHED + 500):
        text = " ".join(words[int(digit)] for digit in f"{n:o}")
        found = small_talk_of(text)
        assert found is not None and found == cached.__wrapped__(text)
    assert cached.cache_info().currsize == TEXTS_CACHED


def test_words_of_earlier_messages_are_remembered_for_short_ones_and_a_bounded_number() -> None:
    cached = triage._short_words
    before = cached.cache_info()
    long_text = "where is my parcel " * 20
    assert triage._words(long_text) == {"where", "is", "my", "parcel"}
    assert cached.cache_info() == before
    for n in range(triage.WORDS_CACHED + 100):
        text = f"Where is my order {n}? It is LATE"
        assert triage._words(text) == {"where", "is", "my", "order", str(n), "it", "late"}
    assert cached.cache_info().currsize == triage.WORDS_CACHED


def test_sentiment_stems_grouped_by_first_letter_match_as_their_plain_alternation() -> None:
    every_character = "".join(map(chr, range(0x110000)))
    for stems in (sentiment._NEGATIVE, sentiment._POSITIVE):
        firsts = {stem[0] for stem in stems}
        matched = [set(re.findall(re.escape(first), every_character, re.I)) for first in firsts]
        assert sum(map(len, matched)) == len(set().union(*matched))  # no character in two
        plain = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, stems)) + ")", re.I)
        rng = random.Random(7)
        texts = _texts() + [
            " ".join(rng.choice([*stems, "the", "ok", "!", "KIZGIN", "ſcheiß"]) for _ in range(8))
            for _ in range(2000)
        ]
        assert [sentiment._pattern(stems).findall(t) for t in texts] == [
            plain.findall(t) for t in texts
        ]


def test_english_without_a_word_of_vaders_lexicon_scores_as_vader_scores_it() -> None:
    vader = sentiment._vader()
    rng = random.Random(9)
    lexicon = sorted(vader.lexicon)
    emojis = sorted(vader.emojis)
    texts = _texts() + [
        " ".join(
            rng.choice([*rng.sample(lexicon, 3), *rng.sample(emojis, 2), "shipping", "NO"])
            for _ in range(rng.randint(1, 8))
        )
        for _ in range(1500)
    ]
    scores = [sentiment._vader_score(t) for t in texts]
    assert scores == [float(vader.polarity_scores(t)["compound"]) for t in texts]
    assert 1000 < scores.count(0.0) < len(texts) - 1000
