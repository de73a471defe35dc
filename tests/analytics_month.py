"""A month of one organization's conversations, written as the app leaves them, and the figures
the analytics must show for it, counted here from the scenario (not by the code under test).

Each of the last 29 days (UTC) gets six conversations, one of each kind: settled with the AI's
goodbye; rated after an answer; abandoned after a miss (a knowledge gap); handed off (reasons
and the rep's first reply vary, some get none; rated); answered and then asked again by the
same visitor three hours later (the first "came back", the second is abandoned); answered and
followed by a different question (both resolved). Today adds one still going.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk.db import commit
from relaydesk.models import Conversation, Handoff, Message, Visitor, utcnow

DAYS = 29
SOURCES = [{"title": "Billing", "heading": "Address"}]
GAP_WORDINGS = ("How do I export invoices to PDF?", "export invoices to PDF, how do I")
OTHER_GAP = "Do you ship parcels to Iceland?"
REASONS = (["user_requested_human_assistance"], ["insufficient_knowledge", "frustration"])


@dataclass
class Expected:
    since: date
    until: date
    conversations: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    per_day: dict[date, Counter[str]] = field(default_factory=dict)
    reasons: Counter[str] = field(default_factory=Counter)
    reply_s: list[float] = field(default_factory=list)
    waiting: int = 0
    csat_ai: list[int] = field(default_factory=list)
    csat_human: list[int] = field(default_factory=list)
    gaps: Counter[str] = field(default_factory=Counter)

    def count(self, day: date, outcome: str) -> None:
        self.conversations += 1
        self.outcomes[outcome] += 1
        self.per_day.setdefault(day, Counter())[outcome] += 1

    def p(self, share: float) -> float:
        ordered = sorted(self.reply_s)
        return ordered[math.ceil(share * len(ordered)) - 1]


class Month:
    def __init__(self, session: AsyncSession, org_id: str) -> None:
        self.session, self.org_id = session, org_id

    async def visitor(self) -> Visitor:
        visitor = Visitor(organization_id=self.org_id)
        self.session.add(visitor)
        await self.session.flush()
        return visitor

    async def conversation(
        self,
        visitor: Visitor,
        at: datetime,
        turns: list[tuple[str, str, bool]],
        *,
        closed_by: str | None = None,
        csat: int | None = None,
    ) -> Conversation:
        """`turns`: (role, text, answered), a minute apart from `at`."""
        last = at + timedelta(minutes=len(turns))
        conversation = Conversation(
            organization_id=self.org_id, visitor_id=visitor.id,
            state="closed" if closed_by else "ai", created_at=at, updated_at=last,
            closed_at=last if closed_by else None, closed_by=closed_by, csat_score=csat,
            last_seq=len(turns),
        )  # fmt: skip
        self.session.add(conversation)
        await self.session.flush()
        for seq, (role, text, answered) in enumerate(turns, 1):
            self.session.add(
                Message(
                    conversation_id=conversation.id, seq=seq, role=role, text=text,
                    sources=SOURCES if answered else [], created_at=at + timedelta(minutes=seq),
                )
            )  # fmt: skip
        return conversation


ASKED = ("visitor", "Where can I change my billing address?", False)
ANSWER = ("ai", "In Settings → Billing you can change the address.", True)
MISS = ("ai", "I'm sorry, I couldn't find an answer to that.", False)


async def seed_month(sessions: async_sessionmaker[AsyncSession], org_id: str) -> Expected:
    today = utcnow().date()
    expected = Expected(today - timedelta(days=DAYS), today)
    async with sessions() as session:
        month = Month(session, org_id)
        for n in range(1, DAYS + 1):
            day = today - timedelta(days=n)
            await _one_day(month, expected, day, n)
        now = utcnow()
        ongoing = await month.conversation(await month.visitor(), now - timedelta(minutes=4),
                                           [ASKED])  # fmt: skip
        expected.count(ongoing.created_at.date(), "ongoing")
        await commit(session)
    return expected


async def _one_day(month: Month, expected: Expected, day: date, n: int) -> None:
    at = datetime.combine(day, time(9), UTC)
    thanks = ("visitor", "thanks, that solved it", False)
    goodbye = ("ai", "Glad I could help. Goodbye!", False)
    await month.conversation(
        await month.visitor(), at, [ASKED, ANSWER, thanks, goodbye], closed_by="ai"
    )
    expected.count(day, "ai_resolved")

    await month.conversation(
        await month.visitor(), at, [ASKED, ANSWER], closed_by="visitor", csat=5
    )
    expected.count(day, "ai_resolved")
    expected.csat_ai.append(5)

    gap = GAP_WORDINGS[n % 2] if n % 3 else OTHER_GAP
    await month.conversation(await month.visitor(), at, [("visitor", gap, False), MISS])
    expected.count(day, "abandoned")
    expected.gaps[GAP_WORDINGS[0] if gap in GAP_WORDINGS else gap] += 1

    await _handed_off(month, expected, day, at, n)

    again = await month.visitor()
    await month.conversation(again, at, [ASKED, ANSWER], closed_by="visitor")
    expected.count(day, "reopened")
    await month.conversation(again, at + timedelta(hours=3), [ASKED, MISS])
    expected.count(day, "abandoned")
    expected.gaps[ASKED[1]] += 1

    moved_on = await month.visitor()
    await month.conversation(moved_on, at, [ASKED, ANSWER], closed_by="visitor")
    other = ("visitor", "Which payment cards do you accept for orders?", False)
    await month.conversation(moved_on, at + timedelta(hours=3), [other, ANSWER])
    expected.count(day, "ai_resolved")
    expected.count(day, "ai_resolved")


async def _handed_off(month: Month, expected: Expected, day: date, at: datetime, n: int) -> None:
    person = ("visitor", "I want to talk to a person please", False)
    turns = [ASKED, MISS, person, ("ai", "A person will reply here.", False)]
    score = 2 if n % 2 else 4
    conversation = await month.conversation(
        await month.visitor(), at, turns, closed_by="agent", csat=score
    )
    handed_at = at + timedelta(minutes=4, seconds=30)
    reasons = REASONS[n % 2]
    month.session.add(
        Handoff(conversation_id=conversation.id, reasons=reasons, created_at=handed_at)
    )
    expected.reasons.update(reasons)
    expected.count(day, "handed_off")
    expected.csat_human.append(score)
    expected.gaps[ASKED[1]] += 1  # its question met a miss
    if n % 4 == 0:
        expected.waiting += 1
        return
    wait_s = 60.0 * n
    month.session.add(
        Message(
            conversation_id=conversation.id, seq=5, role="agent", text="Hi, Sam here.",
            author_name="Sam", created_at=handed_at + timedelta(seconds=wait_s),
        )
    )  # fmt: skip
    expected.reply_s.append(wait_s)
