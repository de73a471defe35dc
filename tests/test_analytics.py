"""The analytics of a seeded month match the count the scenario gives (`analytics_month.py`),
the same on the admin page, in its CSV export and on `/metrics`, on SQLite and PostgreSQL. An
abandoned chat is not a win, and a visitor who comes back with the same question is counted
apart. Before, the admin showed CSAT and nothing else."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk.db import commit
from relaydesk.models import utcnow

from .admin_support import make_user, signed_in
from .analytics_month import ASKED, GAP_WORDINGS, MISS, Expected, Month, seed_month
from .orgs import make_org
from .support import RunningServer

OUTCOMES = ("ai_resolved", "reopened", "abandoned", "handed_off", "ongoing")
FIGURE = re.compile(r'data-figure="(\w+)">([^<]*)<')


def average(scores: list[int]) -> str:
    return f"{sum(scores) / len(scores):.4f}"


def canonical(question: str) -> str:
    return GAP_WORDINGS[0] if question in GAP_WORDINGS else question


async def another_organization(sessions: async_sessionmaker[AsyncSession]) -> str:
    """Conversations elsewhere, and one of ours too old for the range: neither counts."""
    other = await make_org(sessions, sample_kb=False)
    async with sessions() as session:
        month = Month(session, other.id)
        await month.conversation(await month.visitor(), _yesterday(), [ASKED, MISS])
        await commit(session)
    return other.id


def _yesterday() -> datetime:
    return utcnow() - timedelta(days=1)


def check_csv(text: str, expected: Expected) -> None:
    rows = list(csv.DictReader(io.StringIO(text)))
    totals = {r["figure"]: r["value"] for r in rows if not r["day"]}
    for row in (r for r in rows if r["day"]):
        counted = expected.per_day.get(date.fromisoformat(row["day"]), {})
        want = (
            sum(counted.values())
            if row["figure"] == "conversations"
            else counted.get(row["figure"], 0)
        )
        assert int(row["value"]) == want, row
    assert totals["conversations"] == str(expected.conversations)
    assert {name: int(totals[name]) for name in OUTCOMES} == dict(expected.outcomes)
    handed = expected.outcomes["handed_off"]
    assert totals["handoff_rate"] == f"{handed / expected.conversations:.4f}"
    reasons = {
        k.split(":", 1)[1]: int(v) for k, v in totals.items() if k.startswith("handoff_reason:")
    }
    assert reasons == dict(expected.reasons)
    assert float(totals["reply_p50_s"]) == expected.p(0.5)
    assert float(totals["reply_p90_s"]) == expected.p(0.9)
    assert int(totals["handoffs_waiting_for_a_reply"]) == expected.waiting
    assert totals["csat_ai_only_average"] == average(expected.csat_ai)
    assert totals["csat_human_average"] == average(expected.csat_human)
    assert int(totals["csat_human_count"]) == len(expected.csat_human)
    gaps = {canonical(k.split(":", 1)[1]): int(v) for k, v in totals.items() if k[:4] == "gap:"}
    assert gaps == dict(expected.gaps)


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Prometheus text as {(name, labels): value}."""
    found = {}
    for name, labels, value in re.findall(r"^(\w+)\{([^}]*)\} (\S+)$", text, re.M):
        found[(name, frozenset(re.findall(r'(\w+)="([^"]*)"', labels)))] = float(value)
    return found


def check_metrics(text: str, org_id: str, expected: Expected) -> None:
    found = samples(text)

    def value(name: str, **labels: str) -> float:
        return found[
            (f"relaydesk_analytics_{name}", frozenset({"organization": org_id, **labels}.items()))
        ]

    assert value("conversations") == expected.conversations
    for name in OUTCOMES:
        assert value("outcome", outcome=name) == expected.outcomes[name], name
    for reason, count in expected.reasons.items():
        assert value("handoff_reason", reason=reason) == count
    assert value("handoff_reply_seconds", quantile="0.5") == expected.p(0.5)
    assert value("handoff_reply_seconds", quantile="0.9") == expected.p(0.9)
    assert round(value("csat_average", handled="human"), 4) == float(average(expected.csat_human))
    assert round(value("csat_average", handled="ai_only"), 4) == float(average(expected.csat_ai))


async def test_a_seeded_month_gives_the_counted_figures_everywhere(
    server: RunningServer, db: async_sessionmaker[AsyncSession], client: httpx.AsyncClient
) -> None:
    org = await make_org(db, sample_kb=False)
    other = await another_organization(db)
    expected = await seed_month(db, org.id)
    async with db() as session:  # a month before the range
        month = Month(session, org.id)
        await month.conversation(
            await month.visitor(), _yesterday() - timedelta(days=40), [ASKED, MISS]
        )
        await commit(session)
    assert expected.outcomes["reopened"] and expected.outcomes["abandoned"]
    member = await signed_in(server.base_url, await make_user(db, org.id, "member"))
    try:
        span = {"since": expected.since.isoformat(), "until": expected.until.isoformat()}
        page = await member.get("/admin/analytics", params=span)
        assert page.status_code == 200, page.text
        figures = dict(FIGURE.findall(page.text))
        assert figures["conversations"] == str(expected.conversations)
        assert {name: int(figures[name]) for name in OUTCOMES} == dict(expected.outcomes)
        assert "come back with the same question within 7 days" in page.text  # defined there
        exported = await member.get("/admin/analytics.csv", params=span)
        assert exported.headers["content-type"].startswith("text/csv")
        check_csv(exported.text, expected)
        bad = await member.get("/admin/analytics", params={"since": "2026-13-01"})
        assert bad.status_code == 422
    finally:
        await member.close()
    metrics = await client.get("/metrics")
    check_metrics(metrics.text, org.id, expected)
    assert f'organization="{other}"' in metrics.text
