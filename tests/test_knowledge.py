"""Chunking and retrieval of the knowledge base (no database needed)."""

from __future__ import annotations

import random
from collections.abc import Collection

from rank_bm25 import BM25Okapi

from evals.chat import load
from relaydesk.knowledge.chunking import Chunk, chunk_document
from relaydesk.knowledge.documents import SAMPLE_DIR
from relaydesk.knowledge.index import MIN_COVERAGE, KnowledgeIndex, tokenize


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


WORDS = (
    "order parcel courier label address customs tracking refund card invoice account email "
    "password warranty repair shipping Versand Rücksendung livraison envío the how"
).split()


def _corpus(rng: random.Random, size: int) -> list[Chunk]:
    return [
        Chunk(
            f"Article {rng.randint(0, 3)} {rng.choice(WORDS)}",
            rng.choice(["", "Intro", rng.choice(WORDS)]),
            " ".join(rng.choices(WORDS, k=rng.randint(0, 25))),
            rng.choice(["en", "de", "fr", ""]),
        )
        for _ in range(size)
    ]


class _RankBm25Search:
    """The search as rank_bm25 alone gives it: every passage scored by `get_scores`, stably
    sorted, the first `limit` kept when they cover enough of the question."""

    def __init__(self, chunks: list[Chunk]) -> None:
        self.chunks = chunks
        self.docs = [set(tokenize(f"{c.title} {c.heading} {c.text}")) for c in chunks]
        self.bm25 = BM25Okapi([tokenize(f"{c.title} {c.heading} {c.text}") for c in chunks])

    def search(
        self, query: str, limit: int, languages: Collection[str] | None
    ) -> list[tuple[Chunk, float, float]]:
        terms = list(dict.fromkeys(tokenize(query)))
        if not terms:
            return []
        scores, idf = self.bm25.get_scores(terms), self.bm25.idf
        weights = {t: max(float(idf.get(t, 0.0)), 0.05) for t in terms}
        known = any(t in idf for t in terms)
        chunks = range(len(self.chunks))
        candidates = [
            i for i in chunks if languages is None or self.chunks[i].language in languages
        ]
        found = []
        for i in sorted(candidates, key=lambda i: scores[i], reverse=True)[:limit]:
            coverage = sum(w for t, w in weights.items() if t in self.docs[i]) / sum(
                weights.values()
            )
            if coverage and known and coverage >= MIN_COVERAGE:
                found.append((self.chunks[i], float(scores[i]), coverage))
        return found


def test_search_finds_what_rank_bm25_scoring_every_passage_finds() -> None:
    """The inverted index gives rank_bm25's scores to the last bit and the ranking a sort of
    every passage gives: in tiny knowledge bases too, where a word in every passage has a
    negative idf and one in half of them an idf of 0 (ties with the passages it lacks)."""
    rng = random.Random(20)
    corpora = [sample_index().chunks] + [_corpus(rng, n) for n in (1, 2, 2, 3, 5, 8, 40, 300)]
    messages = [row.text for row in load()][::5]
    queries = messages + [" ".join(rng.choices(WORDS, k=rng.randint(1, 5))) for _ in range(80)]
    found = 0
    for chunks in corpora:
        index, reference = KnowledgeIndex(chunks), _RankBm25Search(chunks)
        for query in queries:
            for limit, languages in ((3, None), (1, ["en"]), (3, ["de", "fr"]), (5, [""])):
                hits = [
                    (h.chunk, h.score, h.coverage) for h in index.search(query, limit, languages)
                ]
                assert hits == reference.search(query, limit, languages), (query, languages)
                found += len(hits)
    assert found > 500
