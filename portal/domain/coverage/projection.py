"""Trend and projection: coverage on past dates, and when full coverage comes at the recent pace.

The trend counts, on each date d, the people employed on d (employment.py) and those of them who held, on d,
a completion valid on d of every required course; the declared counts are today's targets'.
The projection compares the covered count now with 28 days ago: daily pace = difference / 28; when
the pace is zero or negative the target is "not reached at the current pace"; otherwise the date is
today + (target count - covered) / pace, flagged when it falls after the deadline.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from portal.domain.coverage.arithmetic import Figure

PACE_DAYS = 28
TREND_WEEKS = (12, 26, 52)

REACHED, ON_TRACK, LATE, STALLED = "reached", "on_track", "late", "stalled"


@dataclass(frozen=True)
class Projection:
    covered_now: int
    covered_before: int
    target_count: int
    deadline: date
    pace_per_day: float
    reach_on: date | None  # None: reached already, or not at the current pace
    status: str  # reached | on_track | late | stalled

    @property
    def flagged(self) -> bool:
        """Full coverage will not come by the deadline at the current pace."""
        return self.status in (LATE, STALLED)

    @property
    def pace_per_week(self) -> float:
        return self.pace_per_day * 7


def project(now: Figure, before: Figure, *, today: date) -> Projection:
    """When `now` reaches its target at the pace since `before` (PACE_DAYS ago)."""
    deadline = now.goal.deadline if now.goal else date(today.year, 12, 31)
    target = now.target_count
    pace = (now.covered - before.covered) / PACE_DAYS
    if now.covered >= target:
        return Projection(now.covered, before.covered, target, deadline, pace, None, REACHED)
    if pace <= 0:
        return Projection(now.covered, before.covered, target, deadline, pace, None, STALLED)
    reach_on = today + timedelta(days=math.ceil((target - now.covered) / pace))
    status = LATE if reach_on > deadline else ON_TRACK
    return Projection(now.covered, before.covered, target, deadline, pace, reach_on, status)


def trend_dates(today: date, weeks: int = 12) -> list[date]:
    """Weekly as-of dates ending today, oldest first; today - PACE_DAYS is always among them."""
    weeks = max(weeks, PACE_DAYS // 7)
    return [today - timedelta(days=7 * k) for k in range(weeks, -1, -1)]


def month_ends(year: int, today: date) -> list[date]:
    """The last day of each month of a year up to today (today itself for the running month)."""
    dates = []
    for month in range(1, 13):
        first_next = date(year + (month == 12), month % 12 + 1, 1)
        end = first_next - timedelta(days=1)
        if date(year, month, 1) > today:
            break
        dates.append(min(end, today))
    return dates


def quarter_ends(first_year: int, today: date) -> list[date]:
    """The last day of each quarter from the start of `first_year` up to today (today itself for the running
    quarter)."""
    dates = []
    for year in range(first_year, today.year + 1):
        for month in (3, 6, 9, 12):
            start = date(year, month - 2, 1)
            if start > today:
                return dates
            end = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
            dates.append(min(end, today))
    return dates
