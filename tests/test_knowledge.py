"""Chunking and retrieval of the knowledge base (no database needed)."""

from __future__ import annotations

from relaydesk.knowledge.chunking import chunk_document
from relaydesk.knowledge.documents import SAMPLE_DIR
from relaydesk.knowledge.index import KnowledgeIndex


def sample_index() -> KnowledgeIndex:
    chunks = []
    for path in sorted(SAMPLE_DIR.glob("*.md")):
        chunks += chunk_document(path.stem, path.read_text())
    return KnowledgeIndex(chunks)


def test_markdown_is_split_under_its_headings() -> None:
    chunks = chunk_document("Doc", "# Doc\n\nIntro.\n\n## Alpha\nFirst part.\n\n## Beta\nSecond.")
    assert [(c.heading, c.text) for c in chunks] == [
        ("Doc", "Intro."),
        ("Alpha", "First part."),
        ("Beta", "Second."),
    ]


def test_html_is_read_as_text() -> None:
    html = "<h2>Hours</h2><p>We are open <b>9&ndash;17</b>.</p><script>alert(1)</script>"
    [chunk] = chunk_document("Page", html)
    assert chunk.heading == "Hours" and "9–17" in chunk.text and "alert" not in chunk.text


def test_questions_find_their_passage() -> None:
    index = sample_index()
    cases = {
        "How long does shipping take?": "Delivery times",
        "how do I reset my password": "Password reset",
        "Can I pay with PayPal?": "Payment methods",
        "What's the refund timeline?": "Refunds",
        "do you ship to canada": "International shipping",
        "How much is the Team plan?": "Plans",
    }
    for question, heading in cases.items():
        hits = index.search(question)
        assert hits and hits[0].chunk.heading == heading, question


def test_unrelated_questions_find_nothing() -> None:
    index = sample_index()
    for question in ("Do you sell submarines?", "What is the capital of Peru?", "hello", "?"):
        assert index.search(question) == [], question
