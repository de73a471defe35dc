"""The evaluation set meets the issue's targets (`make eval` prints the same numbers)."""

from __future__ import annotations

from evals.chat import evaluate, load


def test_the_evaluation_set_is_large_and_multilingual() -> None:
    rows = load()
    assert len(rows) >= 300
    assert len({row.language for row in rows}) >= 10


def test_language_requests_and_sentiment_meet_the_targets() -> None:
    report = evaluate()
    assert report.language_accuracy >= 0.95, report.lines()
    assert report.request_recall >= 0.95, report.lines()
    assert report.request_false_positive_rate <= 0.03, report.lines()
    assert report.sentiment_accuracy >= 0.85, report.lines()
