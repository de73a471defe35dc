"""CSAT results: the 1-5 distribution and the daily trend as SVG charts, and the comments."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ...csat_report import csat_report
from ..deps import SessionDep
from . import charts
from .deps import CurrentAdmin, render

router = APIRouter()


@router.get("/csat")
async def csat(request: Request, admin: CurrentAdmin, session: SessionDep) -> Response:
    report = await csat_report(session, admin.organization.id)
    points = charts.trend_points(report.trend)
    return render(
        request,
        admin,
        "csat.html",
        report=report,
        bars=charts.distribution_bars(report.distribution),
        points=points,
        line=charts.polyline(points),
        chart=charts,
    )
