"""Run the analysis over `chat_messages.tsv` and score it against the labels.

A row is: language, explicit request (0/1), sentiment, small talk (0/1), the browser's locale
(or -), the visitor's previous message (or -), and the message. A message of one or two words
with a locale or a previous message is "in a conversation": its language may come from them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from relaydesk.assistant.analysis import analyze_message

DATA = Path(__file__).parent / "chat_messages.tsv"
_WORD = re.compile(r"[^\W\d_]+")
_UNSPACED = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\u3400-\u4dbf\u0e00-\u0e7f]")


@dataclass(frozen=True)
class Labelled:
    language: str
    explicit_request: bool
    sentiment: str
    small_talk: bool
    locale: str | None
    earlier: str | None
    text: str

    @property
    def words(self) -> int:
        """Words; in scripts written without spaces, every two characters count as one."""
        unspaced = len(_UNSPACED.findall(self.text))
        spaced = len(_WORD.findall(_UNSPACED.sub(" ", self.text)))
        return spaced + (unspaced + 1) // 2

    @property
    def in_conversation(self) -> bool:
        return self.locale is not None or self.earlier is not None


def load(path: Path = DATA) -> list[Labelled]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        language, request, sentiment, small_talk, locale, earlier, text = line.split("\t")
        rows.append(
            Labelled(
                language,
                request == "1",
                sentiment,
                small_talk == "1",
                None if locale == "-" else locale,
                None if earlier == "-" else earlier,
                text,
            )
        )
    return rows


@dataclass
class Score:
    ok: int = 0
    n: int = 0

    def add(self, ok: bool) -> None:
        self.ok += ok
        self.n += 1

    @property
    def rate(self) -> float:
        return self.ok / self.n if self.n else 1.0

    def __str__(self) -> str:
        return f"{self.rate:.1%} of {self.n}"


@dataclass
class Report:
    total: int = 0
    languages: set[str] = field(default_factory=set)
    language: Score = field(default_factory=Score)
    language_long: Score = field(default_factory=Score)  # three words or more
    language_short_in_conversation: Score = field(default_factory=Score)
    language_short_alone: Score = field(default_factory=Score)
    requests_found: Score = field(default_factory=Score)
    questions_handed_off: Score = field(default_factory=Score)  # ok = wrongly handed off
    small_talk_found: Score = field(default_factory=Score)
    small_talk_right: Score = field(default_factory=Score)  # over every message
    sentiment: Score = field(default_factory=Score)
    misses: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            f"messages: {self.total} in {len(self.languages)} languages",
            f"language, overall: {self.language}  (target ≥ 95 %)",
            f"language, 3+ words: {self.language_long}",
            "language, 1-2 words in a conversation (earlier message or browser locale): "
            f"{self.language_short_in_conversation}  (target ≥ 90 %)",
            f"language, 1-2 words alone: {self.language_short_alone}",
            f"explicit request recall: {self.requests_found}  (target ≥ 95 %)",
            f"questions handed off: {self.questions_handed_off}  (target ≤ 2 %)",
            f"small talk recall: {self.small_talk_found}  (target ≥ 95 %)",
            f"small talk right (every message): {self.small_talk_right}  (target ≥ 95 %)",
            f"sentiment (angry/neutral/happy): {self.sentiment}",
        ]


def evaluate(rows: list[Labelled] | None = None) -> Report:
    report = Report()
    for row in rows if rows is not None else load():
        _score(report, row)
    return report


def _score(report: Report, row: Labelled) -> None:
    earlier = [row.earlier] if row.earlier else []
    found = analyze_message(row.text, earlier=earlier, locale=row.locale)
    report.total += 1
    report.languages.add(row.language)
    language_ok = found.language == row.language
    report.language.add(language_ok)
    if row.words >= 3:
        report.language_long.add(language_ok)
    elif row.in_conversation:
        report.language_short_in_conversation.add(language_ok)
    else:
        report.language_short_alone.add(language_ok)
    if row.explicit_request:
        report.requests_found.add(found.handoff_requested)
    else:
        report.questions_handed_off.add(found.handoff_requested)
    small_talk = found.small_talk is not None
    if row.small_talk:
        report.small_talk_found.add(small_talk)
    report.small_talk_right.add(small_talk == row.small_talk)
    report.sentiment.add(found.sentiment.label == row.sentiment)
    for label, want, got in (
        ("language", row.language, found.language),
        ("request", row.explicit_request, found.handoff_requested),
        ("small talk", row.small_talk, small_talk),
        ("sentiment", row.sentiment, found.sentiment.label),
    ):
        if want != got:
            report.misses.append(f"{label}: {want} → {got} | {row.text}")
