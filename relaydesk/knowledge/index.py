"""BM25 retrieval over an organization's chunks, with a relevance bar for honest misses."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache
from heapq import merge
from itertools import islice

from rank_bm25 import BM25Okapi

from .chunking import Chunk

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
STOPWORDS = frozenset(
    """a an and are as at be but by can could do does did for from had has have how i if in
    into is it its me my no not of on or our please so that the their them then there these
    they this to us was we what when where which who why will with would you your yours hi
    hello hey thanks thank tell about get any some want need know""".split()
)
STEMS_CACHED = 20_000  # words of the articles and questions, stemmed once each
# Share of the question's (idf-weighted) words a passage must contain to count as an answer.
MIN_COVERAGE = 0.5


def tokenize(text: str) -> list[str]:
    return [_stem(w) for w in _WORD.findall(text.lower()) if w not in STOPWORDS]


@lru_cache(maxsize=STEMS_CACHED)
def _stem(word: str) -> str:
    for suffix in ("ing", "ies", "es", "ed", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float
    coverage: float


class KnowledgeIndex:
    """BM25 (rank_bm25's Okapi weights) scored from an inverted index: a passage's score is
    summed from the postings of the question's words it contains, the same sums in the same
    order as `BM25Okapi.get_scores`, and every other passage scores 0."""

    def __init__(self, chunks: list[Chunk]) -> None:
        self.chunks = chunks
        docs = [tokenize(f"{c.title} {c.heading} {c.text}") for c in chunks]
        bm25 = BM25Okapi(docs) if chunks else None
        self._idf: dict[str, float] = bm25.idf if bm25 is not None else {}
        self._postings = _postings(bm25) if bm25 is not None else {}
        self._sets = [set(d) for d in docs]
        self._by_language: dict[str, list[int]] = {}
        for i, chunk in enumerate(chunks):
            self._by_language.setdefault(chunk.language, []).append(i)
        counts = Counter(c.language for c in chunks if c.language)
        self.languages = tuple(language for language, _ in counts.most_common())

    def search(
        self, query: str, limit: int = 3, languages: Collection[str] | None = None
    ) -> list[Hit]:
        """The best passages for `query`, from articles in `languages` when given."""
        terms = list(dict.fromkeys(tokenize(query)))
        if not self.chunks or not terms:
            return []
        scores = self._scores(terms)
        weights = {t: max(float(self._idf.get(t, 0.0)), 0.05) for t in terms}
        known = sum(w for t, w in weights.items() if t in self._idf)
        hits = []
        for i in self._ranked(scores, limit, languages):
            matched = sum(w for t, w in weights.items() if t in self._sets[i])
            coverage = matched / sum(weights.values())
            if matched and known and coverage >= MIN_COVERAGE:
                hits.append(Hit(self.chunks[i], scores.get(i, 0.0), coverage))
        return hits

    def _scores(self, terms: list[str]) -> dict[int, float]:
        """The passages that contain a word of `terms`, with their BM25 score."""
        scores: dict[int, float] = {}
        for term in terms:
            idf = self._idf.get(term) or 0
            for i, part in self._postings.get(term, ()):
                scores[i] = scores.get(i, 0.0) + idf * part
        return scores

    def _ranked(
        self, scores: dict[int, float], limit: int, languages: Collection[str] | None
    ) -> list[int]:
        """The first `limit` candidates by score, ties in index order, as a stable sort of
        every candidate would give: the scored ones and the first passages that score 0."""
        candidates = self._candidates(languages)
        pool = [i for i in scores if languages is None or self.chunks[i].language in languages]
        pool += islice((i for i in candidates if i not in scores), limit)
        pool.sort()
        return sorted(pool, key=lambda i: scores.get(i, 0.0), reverse=True)[:limit]

    def _candidates(self, languages: Collection[str] | None) -> Iterable[int]:
        if languages is None:
            return range(len(self.chunks))
        return merge(*(self._by_language.get(language, []) for language in set(languages)))


def _postings(bm25: BM25Okapi) -> dict[str, list[tuple[int, float]]]:
    """Each word's passages, in order, with the part of its BM25 weight that does not depend
    on the question (the idf is multiplied in at search time), computed as rank_bm25 does."""
    k1, b, avgdl = bm25.k1, bm25.b, bm25.avgdl
    parts: dict[tuple[int, int], float] = {}  # few distinct (frequency, length) pairs
    postings: dict[str, list[tuple[int, float]]] = {}
    for i, (frequencies, length) in enumerate(zip(bm25.doc_freqs, bm25.doc_len, strict=True)):
        for term, freq in frequencies.items():
            part = parts.get((freq, length))
            if part is None:
                part = freq * (k1 + 1) / (freq + k1 * (1 - b + b * length / avgdl))
                parts[freq, length] = part
            postings.setdefault(term, []).append((i, part))
    return postings
