"""The evaluation set meets the issue's targets (`make eval` prints the same numbers)."""

from __future__ import annotations

from evals.chat import evaluate, load


def test_the_evaluation_set_is_large_and_covers_thirty_languages() -> None:
    rows = load()
    assert len(rows) >= 700
    assert len({row.language for row in rows}) >= 30
    assert sum(row.small_talk for row in rows) >= 150
    assert sum(row.explicit_request for row in rows) >= 150


def test_language_requests_small_talk_and_sentiment_meet_the_targets() -> None:
    report = evaluate()
    lines = report.lines()
    assert report.language.rate >= 0.95, lines
    assert report.language_short_in_conversation.rate >= 0.90, lines
    assert report.language_short_in_conversation.n >= 40, lines
    assert report.requests_found.rate >= 0.95, lines
    assert report.questions_handed_off.rate <= 0.02, lines
    assert report.small_talk_found.rate >= 0.95, lines
    assert report.small_talk_right.rate >= 0.95, lines
    assert report.sentiment.rate >= 0.85, lines
