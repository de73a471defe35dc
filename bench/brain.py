"""The embedded brain's reply time with a 1,000-article knowledge base, and the index build."""

from __future__ import annotations

import asyncio
import random
import time

from relaydesk.assistant.brain import BrainContext, Turn
from relaydesk.assistant.embedded import EmbeddedBrain
from relaydesk.assistant.language import detect_language
from relaydesk.knowledge.chunking import chunk_document
from relaydesk.knowledge.index import KnowledgeIndex

from .stats import summary_ms

TOPICS = "shipping returns refunds invoices passwords accounts warranty delivery payments".split()
WORDS = (
    "order parcel courier label address customs tracking number refund card invoice "
    "account email password warranty repair replacement discount voucher subscription "
    "cancel upgrade plan team member export report battery charger size colour stock"
).split()
QUESTIONS = [
    "How long does shipping take?",
    "Can I return an opened item?",
    "Where is my order 4711?",
    "I want to talk to a human",
    "Ich möchte mit einem Menschen sprechen",
    "How do I reset my password?",
    "Do you sell submarines to penguins?",
    "Is there a warranty on the charger battery?",
]


def _article(rng: random.Random, n: int) -> tuple[str, str]:
    topic = rng.choice(TOPICS)
    sections = []
    for s in range(4):
        sentences = [
            " ".join(rng.choices(WORDS, k=rng.randint(8, 16))).capitalize() + "."
            for _ in range(rng.randint(2, 5))
        ]
        sections.append(f"## {topic.title()} question {n}.{s}\n" + " ".join(sentences))
    return f"{topic.title()} article {n}", f"# {topic.title()} {n}\n\n" + "\n\n".join(sections)


def run(articles: int = 1000, replies: int = 500) -> None:
    rng = random.Random(7)
    documents = [_article(rng, n) for n in range(articles)]
    detect_language("warm up the language models")
    started = time.perf_counter()
    index = KnowledgeIndex([c for title, body in documents for c in chunk_document(title, body)])
    build_s = time.perf_counter() - started
    print(f"brain: index of {articles} articles built in {build_s * 1000:.0f} ms")
    timings = asyncio.run(_replies(index, replies))
    print(f"brain: embedded reply time {summary_ms(timings)}  (target p99 ≤ 20 ms)")


async def _replies(index: KnowledgeIndex, count: int) -> list[float]:
    brain = EmbeddedBrain()
    timings = []
    for n in range(count):
        question = QUESTIONS[n % len(QUESTIONS)]
        context = BrainContext("bench", [Turn("visitor", question)], index)
        started = time.perf_counter()
        await brain.reply(context)
        timings.append(time.perf_counter() - started)
    return timings
