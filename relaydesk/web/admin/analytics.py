"""Analytics: what the AI achieves over a range of days (page and CSV export, one computation)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from ...analytics import OUTCOMES, Report, report
from ...errors import InvalidInput
from ...models import utcnow
from ...outcomes import DEFINITIONS
from ..deps import SessionDep
from . import outcome_charts
from .deps import HEADERS, CurrentAdmin, render

router = APIRouter()
DEFAULT_DAYS = 30


def parse_range(since: str, until: str) -> tuple[date, date]:
    """The UTC days asked for; without them, the last 30 days up to today."""
    try:
        last = date.fromisoformat(until) if until else utcnow().date()
        first = date.fromisoformat(since) if since else last - timedelta(days=DEFAULT_DAYS - 1)
    except ValueError:
        raise InvalidInput("dates are written YYYY-MM-DD") from None
    return first, last


@router.get("/analytics")
async def analytics(
    request: Request,
    admin: CurrentAdmin,
    session: SessionDep,
    since: Annotated[str, Query(max_length=10)] = "",
    until: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    first, last = parse_range(since, until)
    found = await report(session, admin.organization.id, first, last)
    bars = outcome_charts.reason_bars(dict(found.reasons))
    return render(
        request, admin, "analytics.html", r=found, outcomes=OUTCOMES, defs=DEFINITIONS,
        columns=outcome_charts.daily_columns(found.days), reasons=bars,
        reasons_height=outcome_charts.reasons_height(bars), chart=outcome_charts,
    )  # fmt: skip


@router.get("/analytics.csv")
async def analytics_csv(
    admin: CurrentAdmin,
    session: SessionDep,
    since: Annotated[str, Query(max_length=10)] = "",
    until: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    """The same figures as the page, one per line: figure, day (blank: the whole range), value."""
    first, last = parse_range(since, until)
    found = await report(session, admin.organization.id, first, last)
    name = f"analytics-{first.isoformat()}-{last.isoformat()}.csv"
    headers = HEADERS | {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(as_csv(found), media_type="text/csv; charset=utf-8", headers=headers)


def figures(found: Report) -> list[tuple[str, str, object]]:
    rows: list[tuple[str, str, object]] = []
    for day in found.days:
        rows.append(("conversations", day.day.isoformat(), day.conversations))
        rows += [(name, day.day.isoformat(), day.outcomes[name]) for name in OUTCOMES]
    rows.append(("conversations", "", found.conversations))
    rows += [(name, "", found.count(name)) for name in OUTCOMES]
    rows.append(("handoff_rate", "", _ratio(found.rate(found.count("handed_off")))))
    rows += [(f"handoff_reason:{r}", "", n) for r, n in sorted(found.reasons.items())]
    rows += [("reply_p50_s", "", found.reply_p50), ("reply_p90_s", "", found.reply_p90)]
    rows += [("handoffs_waiting_for_a_reply", "", found.waiting)]
    for label, rating in (("ai_only", found.csat_ai), ("human", found.csat_human)):
        rows += [(f"csat_{label}_count", "", rating.count)]
        rows += [(f"csat_{label}_average", "", _ratio(rating.average))]
    rows += [(f"gap:{gap.question}", "", gap.count) for gap in found.gaps]
    return rows


def _ratio(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def as_csv(found: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["figure", "day", "value"])
    for figure, day, value in figures(found):
        writer.writerow([figure, day, "" if value is None else value])
    return out.getvalue()
