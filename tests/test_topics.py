"""Handoff topics match by meaning: lemmas and a multilingual synonym table, not substrings; the
admin's preview lists what a topic would catch."""

from __future__ import annotations

import pytest

from relaydesk.assistant.analysis import analyze_message
from relaydesk.assistant.lemmas import stem, words
from relaydesk.assistant.topic_preview import preview
from relaydesk.assistant.topics import match_topic

TOPICS = (
    "close my account",
    "legal questions",
    "refunds over 100 euros",
    "data deletion request",
    "shipping to Canada",
)


@pytest.mark.parametrize(
    ("message", "topic"),
    [
        ("cancel my account", "close my account"),
        ("How do I close my account?", "close my account"),
        ("I'd like to terminate my account", "close my account"),
        ("Please delete my account", "close my account"),
        ("Ich möchte mein Konto kündigen", "close my account"),
        ("Je veux fermer mon compte", "close my account"),
        ("Quiero dar de baja mi cuenta", "close my account"),
        ("I'm going to sue you", "legal questions"),
        ("My lawyer will contact you", "legal questions"),
        ("My attorneys are already on it", "legal questions"),
        ("This will end in court", "legal questions"),
        ("Mein Anwalt wird sich melden", "legal questions"),
        ("Mon avocat va vous contacter", "legal questions"),
        ("I want a refund of 250 euros", "refunds over 100 euros"),
        ("Can I get my money back? I paid 300€ for order 12", "refunds over 100 euros"),
        ("Ich möchte eine Rückerstattung von 120 EUR", "refunds over 100 euros"),
        ("please erase my personal data", "data deletion request"),
        ("I want to file a data deletion request under GDPR", "data deletion request"),
        ("Do you ship to canada?", "shipping to Canada"),
        ("Is shipping to Canada free?", "shipping to Canada"),
    ],
)
def test_a_message_catches_the_topic_it_means(message: str, topic: str) -> None:
    assert match_topic(message, TOPICS) == topic


@pytest.mark.parametrize(
    "message",
    [
        "Hi",
        "Where is my order?",
        "When do you close on Sundays?",  # closing, but not an account
        "How do I cancel my subscription?",  # cancelling, but not the account
        "My courier lost the parcel",  # "courier" is not "court"
        "I want a refund of 50 euros for order 4711",  # under the amount: 4711 is no sum
        "Can I get a refund?",  # no amount at all
        "What data do you need for the invoice?",  # data, but nothing deleted
        "Do you ship to France?",
    ],
)
def test_a_message_that_does_not_mean_a_topic_is_not_caught(message: str) -> None:
    assert match_topic(message, TOPICS) is None


def test_inflections_meet_at_one_stem() -> None:
    def one(word: str) -> str:
        return stem(words(word)[0])

    assert {one(w) for w in ("close", "closes", "closed", "closing")} == {"clos"}
    assert {one(w) for w in ("cancel", "cancelled", "canceling", "cancelar")} == {"cancel"}
    assert {one(w) for w in ("ship", "shipped", "shipping")} == {"ship"}
    assert {one(w) for w in ("kündigen", "kündige")} == {"kundig"}
    assert one("court") != one("courier")


def test_analysis_reports_the_topic_by_meaning() -> None:
    assert analyze_message("my lawyer will call you", TOPICS).topic == "legal questions"


def test_the_preview_lists_examples_and_recent_messages_a_topic_catches() -> None:
    recent = ["hello", "My attorney will be in touch.", "Where is my parcel?"]
    legal, closing, vague = preview(["legal questions", "close my account", "questions"], recent)
    assert "I'm going to sue you." in legal.examples
    assert "My lawyer will contact you." in legal.examples
    assert legal.recent == ["My attorney will be in touch."]
    assert "Please cancel my account." in closing.examples
    assert "Ich möchte mein Konto kündigen." in closing.examples
    assert closing.recent == []
    assert "Where is my order 4711?" not in closing.examples
    assert not vague.readable and vague.examples == []
