"""Run the analysis over `chat_messages.tsv` and score it against the labels."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from relaydesk.assistant.analysis import analyze_message

DATA = Path(__file__).parent / "chat_messages.tsv"
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Labelled:
    language: str
    explicit_request: bool
    sentiment: str
    text: str

    @property
    def words(self) -> int:
        return len(_WORD.findall(self.text))


def load(path: Path = DATA) -> list[Labelled]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        language, request, sentiment, text = line.split("\t")
        rows.append(Labelled(language, request == "1", sentiment, text))
    return rows


@dataclass
class Report:
    total: int = 0
    languages: set[str] = field(default_factory=set)
    language_ok: int = 0
    language_n: int = 0  # messages of three words or more
    language_short_ok: int = 0
    language_short_n: int = 0
    requests_found: int = 0
    requests_n: int = 0
    false_requests: int = 0
    non_requests_n: int = 0
    sentiment_ok: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def language_accuracy(self) -> float:
        return self.language_ok / self.language_n

    @property
    def request_recall(self) -> float:
        return self.requests_found / self.requests_n

    @property
    def request_false_positive_rate(self) -> float:
        return self.false_requests / self.non_requests_n

    @property
    def sentiment_accuracy(self) -> float:
        return self.sentiment_ok / self.total

    def lines(self) -> list[str]:
        short = self.language_short_ok / max(1, self.language_short_n)
        return [
            f"messages: {self.total} in {len(self.languages)} languages",
            f"language (3+ words): {self.language_accuracy:.1%} of {self.language_n}"
            "  (target ≥ 95 %)",
            f"language (1-2 words): {short:.1%} of {self.language_short_n}",
            f"explicit request recall: {self.request_recall:.1%} of {self.requests_n}"
            "  (target ≥ 95 %)",
            f"explicit request false positives: {self.request_false_positive_rate:.1%}"
            f" of {self.non_requests_n}  (target ≤ 3 %)",
            f"sentiment (angry/neutral/happy): {self.sentiment_accuracy:.1%} of {self.total}",
        ]


def evaluate(rows: list[Labelled] | None = None) -> Report:
    report = Report()
    for row in rows if rows is not None else load():
        _score(report, row)
    return report


def _score(report: Report, row: Labelled) -> None:
    found = analyze_message(row.text)
    report.total += 1
    report.languages.add(row.language)
    language_ok = found.language == row.language
    if row.words >= 3:
        report.language_n += 1
        report.language_ok += language_ok
    else:
        report.language_short_n += 1
        report.language_short_ok += language_ok
    if row.explicit_request:
        report.requests_n += 1
        report.requests_found += found.handoff_requested
    else:
        report.non_requests_n += 1
        report.false_requests += found.handoff_requested
    report.sentiment_ok += found.sentiment.label == row.sentiment
    for label, want, got in (
        ("language", row.language, found.language),
        ("request", row.explicit_request, found.handoff_requested),
        ("sentiment", row.sentiment, found.sentiment.label),
    ):
        if want != got and (label != "language" or row.words >= 3):
            report.misses.append(f"{label}: {want} → {got} | {row.text}")
