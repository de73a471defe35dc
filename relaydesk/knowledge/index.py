"""BM25 retrieval over an organization's chunks, with a relevance bar for honest misses."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass

from rank_bm25 import BM25Okapi

from .chunking import Chunk

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
STOPWORDS = frozenset(
    """a an and are as at be but by can could do does did for from had has have how i if in
    into is it its me my no not of on or our please so that the their them then there these
    they this to us was we what when where which who why will with would you your yours hi
    hello hey thanks thank tell about get any some want need know""".split()
)
# Share of the question's (idf-weighted) words a passage must contain to count as an answer.
MIN_COVERAGE = 0.5


def tokenize(text: str) -> list[str]:
    return [_stem(w) for w in _WORD.findall(text.lower()) if w not in STOPWORDS]


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
    def __init__(self, chunks: list[Chunk]) -> None:
        self.chunks = chunks
        self._docs = [tokenize(f"{c.title} {c.heading} {c.text}") for c in chunks]
        self._bm25 = BM25Okapi(self._docs) if chunks else None
        self._sets = [set(d) for d in self._docs]
        counts = Counter(c.language for c in chunks if c.language)
        self.languages = tuple(language for language, _ in counts.most_common())

    def search(
        self, query: str, limit: int = 3, languages: Collection[str] | None = None
    ) -> list[Hit]:
        """The best passages for `query`, from articles in `languages` when given."""
        terms = list(dict.fromkeys(tokenize(query)))
        if self._bm25 is None or not terms:
            return []
        scores = self._bm25.get_scores(terms)
        weights = {t: max(float(self._bm25.idf.get(t, 0.0)), 0.05) for t in terms}
        known = sum(w for t, w in weights.items() if t in self._bm25.idf)
        candidates: range | list[int] = range(len(self.chunks))
        if languages is not None:
            candidates = [i for i in candidates if self.chunks[i].language in languages]
        ranked = sorted(candidates, key=lambda i: scores[i], reverse=True)
        hits = []
        for i in ranked[:limit]:
            matched = sum(w for t, w in weights.items() if t in self._sets[i])
            coverage = matched / sum(weights.values())
            if matched and known and coverage >= MIN_COVERAGE:
                hits.append(Hit(self.chunks[i], float(scores[i]), coverage))
        return hits
