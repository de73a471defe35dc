"""An organization's office hours: a time zone, a weekly schedule and holidays, and what a
handoff does outside them.

Stored on the organization as JSON (`organizations.office_hours`), parsed here into
`OfficeHours`; an organization that never set them is always open. Outside hours a handoff
goes one of three ways (`OUTSIDE_MODES`): to the team anyway, telling the visitor when they
are next in; to the team with the answer promised by email; or not at all, the AI staying on
and offering the email route.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from .errors import InvalidInput
from .models import Organization

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HAND_OFF, BY_EMAIL, KEEP_AI = "handoff", "email", "ai"
OUTSIDE_MODES = (HAND_OFF, BY_EMAIL, KEEP_AI)
MAX_REPLY_MINUTES = 7 * 24 * 60
MAX_HOLIDAYS = 400
_PERIOD = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
Period = tuple[int, int]  # minutes since midnight, start inclusive, end exclusive


@dataclass(frozen=True)
class OfficeHours:
    enabled: bool = False
    timezone: str = "UTC"
    week: Mapping[str, tuple[Period, ...]] = field(default_factory=dict)
    holidays: frozenset[date] = frozenset()
    outside: str = HAND_OFF
    reply_minutes: int | None = None  # what a visitor is told to expect after a live handoff

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def periods_on(self, day: date) -> tuple[Period, ...]:
        return () if day in self.holidays else self.week.get(DAYS[day.weekday()], ())

    def is_open(self, at: datetime) -> bool:
        if not self.enabled:
            return True
        local = at.astimezone(self.zone)
        minute = local.hour * 60 + local.minute
        return any(start <= minute < end for start, end in self.periods_on(local.date()))

    def next_open(self, at: datetime) -> datetime | None:
        """When the team is next in after `at` (None: the schedule has no hours at all)."""
        local = at.astimezone(self.zone)
        for offset in range(MAX_HOLIDAYS + 8):
            day = local.date() + timedelta(days=offset)
            for start, _ in self.periods_on(day):
                opening = _at(day, start, self.zone)
                if opening > at:
                    return opening
        return None

    def closes_at(self, at: datetime) -> datetime | None:
        """The end of the period `at` falls in."""
        local = at.astimezone(self.zone)
        minute = local.hour * 60 + local.minute
        for start, end in self.periods_on(local.date()):
            if start <= minute < end:
                return _at(local.date(), end, self.zone)
        return None


def _at(day: date, minute: int, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone) + timedelta(minutes=minute)


@dataclass(frozen=True)
class Availability:
    """Whether the team is in now, and what changes when."""

    open: bool
    next_open: datetime | None  # closed: when they are next in
    changes_at: datetime | None  # open: when this period ends; closed: next_open
    outside: str
    reply_minutes: int | None

    def payload(self) -> dict[str, Any]:
        return {
            "open": self.open,
            "next_open": _iso(self.next_open),
            "changes_at": _iso(self.changes_at),
            "outside": self.outside,
            "reply_minutes": self.reply_minutes,
        }


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def availability(hours: OfficeHours, now: datetime) -> Availability:
    if not hours.enabled:
        return Availability(True, None, None, hours.outside, hours.reply_minutes)
    if hours.is_open(now):
        return Availability(True, None, hours.closes_at(now), hours.outside, hours.reply_minutes)
    upcoming = hours.next_open(now)
    return Availability(False, upcoming, upcoming, hours.outside, hours.reply_minutes)


def office_hours_of(organization: Organization) -> OfficeHours:
    """The stored hours, as they were checked when saved."""
    stored = organization.office_hours or {}
    return parse(stored) if stored else OfficeHours()


def parse(stored: Mapping[str, Any]) -> OfficeHours:
    """Check and parse hours as the admin form or the stored JSON states them."""
    timezone = str(stored.get("timezone") or "UTC").strip()
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"{timezone!r} is not a time zone like Europe/Berlin") from None
    week = {day: parse_periods(str(stored.get("week", {}).get(day, ""))) for day in DAYS}
    outside = str(stored.get("outside") or HAND_OFF)
    if outside not in OUTSIDE_MODES:
        raise InvalidInput("outside hours a handoff goes to the team, by email, or stays with AI")
    return OfficeHours(
        enabled=bool(stored.get("enabled")),
        timezone=timezone,
        week={day: periods for day, periods in week.items() if periods},
        holidays=parse_holidays(str(stored.get("holidays") or "")),
        outside=outside,
        reply_minutes=_reply_minutes(stored.get("reply_minutes")),
    )


def parse_periods(text: str) -> tuple[Period, ...]:
    """`09:00-12:00, 13:00-17:30` → minutes; `24:00` ends a day; blank is closed."""
    periods = []
    for part in filter(str.strip, text.split(",")):
        found = _PERIOD.match(part)
        if not found:
            raise InvalidInput(f"{part.strip()!r} is not a period like 09:00-17:00")
        h1, m1, h2, m2 = map(int, found.groups())
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if m1 > 59 or m2 > 59 or end > 24 * 60 or start >= end:
            raise InvalidInput(f"{part.strip()!r} is not a period within one day")
        periods.append((start, end))
    return tuple(sorted(periods))


def parse_holidays(text: str) -> frozenset[date]:
    """One date a line (or separated by commas), as 2026-12-24."""
    days = set()
    for word in filter(None, re.split(r"[\s,]+", text)):
        try:
            days.add(date.fromisoformat(word))
        except ValueError:
            raise InvalidInput(f"{word!r} is not a date like 2026-12-24") from None
    if len(days) > MAX_HOLIDAYS:
        raise InvalidInput(f"at most {MAX_HOLIDAYS} holidays")
    return frozenset(days)


def _reply_minutes(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        minutes = int(value)
    except (TypeError, ValueError):
        raise InvalidInput("the expected reply time is a number of minutes") from None
    if not 1 <= minutes <= MAX_REPLY_MINUTES:
        raise InvalidInput(f"the expected reply time is 1 to {MAX_REPLY_MINUTES} minutes")
    return minutes


def stored_form(hours: OfficeHours) -> dict[str, Any]:
    """What is kept on the organization (and shown back in the form)."""
    return {
        "enabled": hours.enabled,
        "timezone": hours.timezone,
        "week": {day: format_periods(hours.week.get(day, ())) for day in DAYS},
        "holidays": "\n".join(sorted(d.isoformat() for d in hours.holidays)),
        "outside": hours.outside,
        "reply_minutes": hours.reply_minutes,
    }


def format_periods(periods: tuple[Period, ...]) -> str:
    return ", ".join(f"{_clock(start)}-{_clock(end)}" for start, end in periods)


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


async def update_office_hours(
    session: AsyncSession, organization: Organization, hours: OfficeHours
) -> None:
    organization.office_hours = stored_form(hours)
    await session.flush()
