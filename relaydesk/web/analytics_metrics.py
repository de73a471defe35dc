"""The analytics figures on `/metrics`: each organization's last 30 days (UTC, today included),
computed by the same `analytics.report` as the admin page and its CSV export, at most once per
`analytics_metrics_ttl_s` (a month of conversations is read each time)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, date, datetime, timedelta

from prometheus_client import CollectorRegistry, Gauge
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..analytics import OUTCOMES, Report, report
from ..models import Conversation, utcnow

WINDOW_DAYS = 30
ABOUT = "over the last 30 days (UTC), as /admin/analytics counts it"


class AnalyticsGauges:
    def __init__(self, registry: CollectorRegistry) -> None:
        def gauge(name: str, what: str, *labels: str) -> Gauge:
            return Gauge(name, f"{what} {ABOUT}", ["organization", *labels], registry=registry)

        self.conversations = gauge("relaydesk_analytics_conversations", "Conversations")
        self.outcomes = gauge("relaydesk_analytics_outcome", "Conversations by outcome", "outcome")
        self.reasons = gauge("relaydesk_analytics_handoff_reason", "Handoffs by reason", "reason")
        self.reply = gauge(
            "relaydesk_analytics_handoff_reply_seconds", "Handoff to a person's reply", "quantile"
        )
        self.csat = gauge("relaydesk_analytics_csat_average", "Average CSAT", "handled")
        self._gauges = (self.conversations, self.outcomes, self.reasons, self.reply, self.csat)
        self._computed_at = float("-inf")
        self._lock = asyncio.Lock()

    async def refresh(self, sessions: async_sessionmaker[AsyncSession], ttl_s: float) -> None:
        async with self._lock:
            if time.monotonic() - self._computed_at < ttl_s:
                return
            until = utcnow().date()
            since = until - timedelta(days=WINDOW_DAYS - 1)
            async with sessions() as session:
                organizations = await _active(session, since)
                reports = [await report(session, o, since, until) for o in organizations]
            for gauge in self._gauges:
                gauge.clear()
            for organization_id, found in zip(organizations, reports, strict=True):
                self._set(organization_id, found)
            self._computed_at = time.monotonic()

    def _set(self, organization: str, found: Report) -> None:
        self.conversations.labels(organization).set(found.conversations)
        for name in OUTCOMES:
            self.outcomes.labels(organization, name).set(found.count(name))
        for reason, count in found.reasons.items():
            self.reasons.labels(organization, reason).set(count)
        for quantile, seconds in (("0.5", found.reply_p50), ("0.9", found.reply_p90)):
            if seconds is not None:
                self.reply.labels(organization, quantile).set(seconds)
        for handled, rating in (("ai_only", found.csat_ai), ("human", found.csat_human)):
            if rating.average is not None:
                self.csat.labels(organization, handled).set(rating.average)


async def _active(session: AsyncSession, since: date) -> list[str]:
    """The organizations with a conversation in the window, in a stable order."""
    start = datetime.combine(since, datetime.min.time(), UTC)
    query = (
        select(Conversation.organization_id)
        .where(Conversation.created_at >= start)
        .distinct()
        .order_by(Conversation.organization_id)
    )
    return list(await session.scalars(query))
