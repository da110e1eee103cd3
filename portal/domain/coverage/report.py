"""The coverage reports' figures: a year's, and the plan period's (three years to the deadline).

A year's report takes its figures as of December 31 of the year (today for the running year): coverage per
group and per street, month-end trend, gaps, and the year's activity (completions online and offline, people
trained, certificates issued, classroom sessions held), plus one row per plan year and the plan's cumulative
totals. The plan starts in `plan_start` (default: three years ending with the latest target deadline's year,
as the district's three-year plan does). The plan period's report is the same report over the plan's years:
figures as of the end of its last year (or today), a trend at quarter ends, the compliance figures and
certificates since the plan began. Both also count fire drills and duty commitments on their date (duties.py).

Every date counts the people employed that day (employment.py): people put on a roster later, or who left
since, leave a past date's figures as they were.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Callable

from sqlalchemy import Integer, distinct, exists, extract, func, select
from sqlalchemy.orm import Session

from portal.domain.coverage.arithmetic import Figure
from portal.domain.coverage.cache import data_version
from portal.domain.coverage.compliance import Compliance
from portal.domain.coverage.duties import DutyFigures, duty_figures
from portal.domain.coverage.gaps import LocalityGap, OrganizationGap, locality_gaps, organization_gaps
from portal.domain.coverage.places import Place
from portal.domain.coverage.projection import PACE_DAYS, month_ends, quarter_ends
from portal.domain.coverage.offline_trace import OfflineTrace, offline_trace
from portal.domain.coverage.snapshot import GroupLine, Snapshot, coverage_by_sector, take_snapshot
from portal.domain.workforce.employment import held_on_sql
from portal.domain.workforce.rules import Rules
from portal.models import Certificate, Completion, OfflineSession, Organization, Sector, Target, Trainee

PLAN_YEARS = 3


@dataclass(frozen=True)
class ReportPeriod:
    """What a report covers: one year (`first` == `last`), or the plan period. `plan_start` is the first of the
    plan's years the report gives a row each, up to `last`."""

    first: int
    last: int
    plan_start: int

    @classmethod
    def year(cls, year: int, plan_start: int) -> ReportPeriod:
        return cls(year, year, min(plan_start, year))

    @classmethod
    def plan(cls, first: int) -> ReportPeriod:
        return cls(first, first + PLAN_YEARS - 1, first)

    @property
    def whole_plan(self) -> bool:
        return self.first != self.last

    @property
    def label(self) -> str:
        """'2026', or '2024–2026' for the plan period."""
        return f"{self.first}–{self.last}" if self.whole_plan else str(self.last)

    def as_of(self, today: date) -> date:
        return min(date(self.last, 12, 31), today)

    def plan_years(self, today: date) -> list[int]:
        return list(range(self.plan_start, self.as_of(today).year + 1))

    def trend_dates(self, as_of: date) -> list[date]:
        """Month ends of the year; quarter ends of the plan period."""
        return quarter_ends(self.first, as_of) if self.whole_plan else month_ends(self.last, as_of)


@dataclass(frozen=True)
class YearActivity:
    year: int
    completions: int = 0
    offline_completions: int = 0
    people_trained: int = 0
    certificates: int = 0
    sessions: int = 0
    coverage: Figure | None = None  # every group together (person-group pairs) at the year's end


@dataclass
class CoverageReport:
    period: ReportPeriod
    as_of: date
    plan_years: list[int]
    snapshot: Snapshot
    headline: list[GroupLine]
    overall: Figure
    compliance: Compliance
    streets: list[tuple[Place, dict[int, Figure]]]
    trend: dict[int, list[tuple[date, Figure]]]  # per group, at the period's month or quarter ends
    organization_gaps: list[OrganizationGap]
    locality_gaps: list[LocalityGap]
    sectors: list[tuple[Sector, dict[int, Figure]]] = field(default_factory=list)  # the sectors page's figures
    offline: OfflineTrace = field(default_factory=OfflineTrace)  # the annex: sessions behind offline completions
    duties: DutyFigures | None = None  # fire drills and duty commitments on the report's date (the duties page's)
    years: list[YearActivity] = field(default_factory=list)
    cumulative: YearActivity | None = None


def default_plan_start(session: Session, year: int) -> int:
    """Three plan years ending with the latest target deadline's year (or with `year`)."""
    latest = session.scalar(select(func.max(Target.deadline)))
    end = max(year, latest.year) if latest else year
    return min(year, end - PLAN_YEARS + 1)


REPORT_STEPS = 3  # the coverage figures, the year's activity, the people trained: coverage_report's progress


def yearly_report(session: Session, *, year: int, today: date, rules: Rules, plan_start: int | None = None,
                  **options) -> CoverageReport:
    """A year's report (see coverage_report for the options)."""
    period = ReportPeriod.year(year, plan_start or default_plan_start(session, year))
    return coverage_report(session, period=period, today=today, rules=rules, **options)


def coverage_report(session: Session, *, period: ReportPeriod, today: date, rules: Rules, scope=None,
                    gap_limit: int = 10, cache=None, max_age: float = 0, spawn=None,
                    progress: Callable[[int], None] | None = None) -> CoverageReport:
    """Everything a report shows, for the whole district or a scope. With a `cache` (see take_snapshot) the
    figures come from it when `flask coverage warm` has computed them. `progress(step)` is told each of the
    REPORT_STEPS steps as it ends."""
    progress = progress or (lambda _step: None)
    as_of, plan_years = period.as_of(today), period.plan_years(today)
    trend_dates = period.trend_dates(as_of)
    in_trend = set(trend_dates)
    year_ends = [date(y, 12, 31) for y in plan_years if date(y, 12, 31) < as_of]
    dates = sorted({*trend_dates, *year_ends, as_of, as_of - timedelta(days=PACE_DAYS)})
    snapshot = take_snapshot(session, today=as_of, rules=rules, scope=scope, dates=dates,
                             since=date(period.first, 1, 1), cache=cache, max_age=max_age, spawn=spawn)
    progress(1)
    report = CoverageReport(
        period=period, as_of=as_of, plan_years=plan_years, snapshot=snapshot, headline=snapshot.headline(),
        overall=snapshot.all_groups(), compliance=snapshot.compliance(), streets=snapshot.children(snapshot.tree.top()),
        trend={g.id: [(d, f) for d, f in snapshot.series(g.id) if d in in_trend] for g in snapshot.groups},
        organization_gaps=organization_gaps(session, snapshot, limit=gap_limit),
        locality_gaps=locality_gaps(snapshot, level=_gap_level(snapshot), limit=gap_limit),
        sectors=coverage_by_sector(session, snapshot),
        offline=period_offline_trace(session, period, as_of, organization_ids=snapshot.organization_ids),
        duties=duty_figures(session, on=as_of, rules=rules, organization_ids=snapshot.organization_ids,
                            tree=snapshot.tree))
    _add_activity(session, report, cache=cache, max_age=max_age, spawn=spawn, progress=progress)
    return report


def _add_activity(session: Session, report: CoverageReport, *, cache, max_age: float, spawn, progress) -> None:
    """The plan years' rows (activity, coverage at each year's end) and the cumulative row."""
    snapshot, plan_years, as_of = report.snapshot, report.plan_years, report.as_of
    scope_key = None if snapshot.organization_ids is None else \
        hashlib.sha256(repr(sorted(snapshot.organization_ids)).encode()).hexdigest()
    version = data_version(session) if cache is not None else None  # once for both counts below

    def cached(name: str, compute):
        """The activity counts (aggregates over every completion of the plan's years) are cached like the
        snapshot's figures: `flask coverage warm` computes the current year's."""
        if cache is None:
            return compute(session)
        key = ("report", name, tuple(plan_years), as_of, scope_key)
        return cache.get(key, version, compute, session, max_age=max_age, spawn=spawn).value

    activity = cached("activity", lambda s: year_activity(s, plan_years, organization_ids=snapshot.organization_ids))
    progress(2)
    trained = cached("people", lambda s: people_trained(s, plan_years[0], as_of,
                                                        organization_ids=snapshot.organization_ids))
    progress(3)
    for y in plan_years:
        index = snapshot.index(min(date(y, 12, 31), as_of))
        figure = snapshot.all_groups(index=index) if index is not None else None
        report.years.append(YearActivity(y, *activity.get(y, (0, 0, 0, 0, 0)), coverage=figure))
    years = report.years
    report.cumulative = YearActivity(
        0, sum(a.completions for a in years), sum(a.offline_completions for a in years), trained,
        sum(a.certificates for a in years), sum(a.sessions for a in years), coverage=report.overall)


def period_offline_trace(session: Session, period: ReportPeriod, as_of: date, *,
                         organization_ids: set[int] | None = None) -> OfflineTrace:
    """The report's annex: the sessions behind the period's offline completions, and what stands behind the rest,
    in the report's scope (a completion counts for the organizations its person worked for that day)."""
    return offline_trace(session, date(period.first, 1, 1), as_of,
                         scoped=lambda statement: _scope_trainees(statement, organization_ids))


def _gap_level(snapshot: Snapshot) -> str:
    levels = {p.level for p in snapshot.tree.places.values()}
    return "community" if "community" in levels else "grid" if "grid" in levels else "street"


def _scope_trainees(statement, organization_ids):
    if organization_ids is None:
        return statement
    # a completion counts for the organizations its person worked for on the day it was earned
    return statement.where(exists().where(Trainee.person_id == Completion.person_id,
                                          Trainee.organization_id.in_(organization_ids or [-1]),
                                          held_on_sql(Completion.completed_on)))


def year_activity(session: Session, years: list[int], *, organization_ids: set[int] | None = None) -> dict:
    """year -> (completions, offline completions, people trained, certificates, sessions)."""
    first, last = date(years[0], 1, 1), date(years[-1], 12, 31)
    year_of = extract("year", Completion.completed_on)
    statement = _scope_trainees(
        select(year_of, func.count(), func.sum((Completion.mode == "offline").cast(Integer)),
               func.count(distinct(Completion.person_id)))
        .where(Completion.completed_on >= first, Completion.completed_on <= last).group_by(year_of), organization_ids)
    result = {int(y): [n, int(offline or 0), people, 0, 0] for y, n, offline, people in session.execute(statement)}
    issued = extract("year", Certificate.issued_at)
    certificates = (select(issued, func.count()).where(
        Certificate.issued_at >= datetime.combine(first, time.min, tzinfo=timezone.utc),
        Certificate.issued_at <= datetime.combine(last, time.max, tzinfo=timezone.utc)).group_by(issued))
    if organization_ids is not None:
        certificates = certificates.where(Certificate.organization_id.in_(organization_ids or [-1]))
    for y, n in session.execute(certificates):
        result.setdefault(int(y), [0, 0, 0, 0, 0])[3] = n
    held = extract("year", OfflineSession.held_on)
    sessions = (select(held, func.count()).where(OfflineSession.held_on >= first, OfflineSession.held_on <= last)
                .group_by(held))
    if organization_ids is not None:
        sessions = sessions.where(OfflineSession.organization_id.in_(organization_ids or [-1]))
    for y, n in session.execute(sessions):
        result.setdefault(int(y), [0, 0, 0, 0, 0])[4] = n
    return {y: tuple(v) for y, v in result.items()}


def people_trained(session: Session, first_year: int, as_of: date, *, organization_ids=None) -> int:
    """Distinct people with a completion from the plan's first year to the report date."""
    statement = _scope_trainees(select(func.count(distinct(Completion.person_id))).where(
        Completion.completed_on >= date(first_year, 1, 1), Completion.completed_on <= as_of), organization_ids)
    return session.scalar(statement) or 0


def sector_names(session: Session, locale: str) -> dict[int, str]:
    from portal.models import Sector

    return {s.id: s.name(locale) for s in session.scalars(select(Sector))}


def organization_count(session: Session, organization_ids=None) -> int:
    statement = select(func.count()).select_from(Organization)
    if organization_ids is not None:
        statement = statement.where(Organization.id.in_(organization_ids or [-1]))
    return session.scalar(statement) or 0
