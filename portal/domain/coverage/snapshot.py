"""One coverage computation and everything the dashboard reads from it.

`take_snapshot()` runs (or takes from the cache) the district-wide computation for a list of as-of
dates, then narrows it to the viewer's scope: a department viewer's snapshot keeps the cells of
their sector's organizations only and has no declared part and no people without an employer.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.coverage.arithmetic import WHOLE, Figure, Rollup, by_organization, by_sector, rollup, total
from portal.domain.coverage.cache import SnapshotCache, data_version
from portal.domain.coverage.compliance import Compliance, ComplianceBook, compliance_by_organization
from portal.domain.coverage.places import LocalityTree, Place, load_tree
from portal.domain.coverage.population import Cell, coverage_cells
from portal.domain.coverage.projection import PACE_DAYS, Projection, project
from portal.domain.coverage.requirements import GroupInfo, Requirements, load_requirements
from portal.domain.coverage.targets import TargetBook, load_targets
from portal.domain.rules import Rules
from portal.models import Organization


@dataclass
class DistrictData:
    """The expensive part: cells for every as-of date, and the compliance counts."""

    dates: tuple[date, ...]
    cells: list[Cell]
    compliance: ComplianceBook


@dataclass(frozen=True)
class GroupLine:
    group: GroupInfo
    now: Figure
    before: Figure | None
    projection: Projection | None


@dataclass
class Snapshot:
    today: date
    dates: list[date]
    requirements: Requirements
    tree: LocalityTree
    book: TargetBook
    cells: list[Cell]
    compliance_book: ComplianceBook
    organization_ids: set[int] | None = None  # None: the whole district
    computed_at: datetime | None = None
    _rollups: dict[int, Rollup] = field(default_factory=dict)

    @property
    def scoped(self) -> bool:
        """Rosters of some organizations only: no declared counts, no people without an employer."""
        return self.organization_ids is not None

    @property
    def groups(self) -> list[GroupInfo]:
        return self.requirements.groups

    def index(self, day: date | None = None) -> int | None:
        day = day or self.today
        return self.dates.index(day) if day in self.dates else None

    def rollup(self, index: int | None = None) -> Rollup:
        index = self.index() if index is None else index
        if index not in self._rollups:
            self._rollups[index] = rollup(self.cells, index, tree=self.tree, book=self.book,
                                          group_ids=[g.id for g in self.groups], include_declared=not self.scoped)
        return self._rollups[index]

    def figure(self, group_id: int, locality_id: int | None = WHOLE, index: int | None = None) -> Figure:
        return self.rollup(index).figure(group_id, locality_id)

    def restrict(self, organization_ids: set[int]) -> "Snapshot":
        """The same snapshot limited to some organizations' rosters (a sector, a scope)."""
        allowed = organization_ids if self.organization_ids is None else organization_ids & self.organization_ids
        cells = [c for c in self.cells if c.organization_id in allowed]
        return replace(self, cells=cells, organization_ids=allowed, _rollups={})

    def headline(self, locality_id: int | None = WHOLE) -> list[GroupLine]:
        """Each group's figure now, 28 days ago and the projection."""
        before_index = self.index(self.today - timedelta(days=PACE_DAYS))
        lines = []
        for group in self.groups:
            now = self.figure(group.id, locality_id)
            before = self.figure(group.id, locality_id, before_index) if before_index is not None else None
            projection = project(now, before, today=self.today) if before is not None else None
            lines.append(GroupLine(group, now, before, projection))
        return lines

    def children(self, locality_id: int | None = WHOLE) -> list[tuple[Place, dict[int, Figure]]]:
        """The level below a place, each with its figure per group."""
        return [(place, {g.id: self.figure(g.id, place.id) for g in self.groups})
                for place in self.tree.children_of(locality_id)]

    def series(self, group_id: int, locality_id: int | None = WHOLE) -> list[tuple[date, Figure]]:
        """The group's figure on every as-of date, oldest first."""
        return [(day, self.figure(group_id, locality_id, index)) for index, day in enumerate(self.dates)]

    def organizations(self, locality_id: int | None = WHOLE) -> dict[int, dict[int, Figure]]:
        """Roster figures per organization and group (of people under a place)."""
        localities = self.tree.subtree(locality_id) if locality_id is not None else None
        result = by_organization(self.cells, self.index(), localities=localities)
        for org_id, groups in result.items():
            for group_id, figure in groups.items():
                figure.goal = self.book.goal(group_id, locality_id, self.tree)
        return result

    def sectors(self, sector_of: dict[int, int]) -> dict[int, dict[int, Figure]]:
        """Roster figures per sector and group."""
        return by_sector(by_organization(self.cells, self.index()), sector_of)

    def compliance(self) -> Compliance:
        """Onboarding, periodic, overdue and certificate counts in the snapshot's scope."""
        return self.compliance_book.total(self.organization_ids, include_unemployed=not self.scoped)

    def all_groups(self, locality_id: int | None = WHOLE, index: int | None = None) -> Figure:
        """Every group together, counted in person-group pairs."""
        return total(self.figure(g.id, locality_id, index) for g in self.groups)


def rules_key(rules: Rules) -> str:
    return hashlib.sha256((rules.text or repr(rules)).encode()).hexdigest()[:16]


def compute_district(session: Session, requirements: Requirements, *, today: date, dates: list[date],
                     since: date, organization_id: int | None = None) -> DistrictData:
    """The district-wide (or one organization's) cells and compliance counts; flushes nothing."""
    cells = coverage_cells(session, requirements, dates=dates, organization_id=organization_id)
    compliance = compliance_by_organization(session, requirements, today=today, since=since,
                                            organization_id=organization_id)
    return DistrictData(tuple(dates), cells, compliance)


def scope_organization_ids(session: Session, scope) -> set[int] | None:
    """The organizations a scope clause lets through (None: no scope, the whole district)."""
    if scope is None:
        return None
    return set(session.scalars(select(Organization.id).where(scope)))


def take_snapshot(session: Session, *, today: date, rules: Rules, scope=None, dates: list[date] | None = None,
                  since: date | None = None, organization_id: int | None = None, cache: SnapshotCache | None = None,
                  max_age: float = 0, spawn=None) -> Snapshot:
    """Coverage on `dates` (default: today and PACE_DAYS before, for the projection) narrowed to `scope`
    (a clause on Organization, or None for the whole district). With `organization_id`, only that
    organization is computed (directly, it is cheap) unless the district's snapshot is cached already."""
    dates = sorted(set(dates or [today - timedelta(days=PACE_DAYS)]) | {today})
    since = since or date(today.year, 1, 1)
    requirements = load_requirements(session, rules)

    def compute(db_session: Session) -> DistrictData:
        return compute_district(db_session, load_requirements(db_session, rules), today=today, dates=dates,
                                since=since)

    key = ("district", today, tuple(dates), since, rules_key(rules))
    version = data_version(session) if cache is not None else None
    entry = cache.peek(key, version) if cache is not None and organization_id is not None else None
    if organization_id is not None and entry is None:
        data = compute_district(session, requirements, today=today, dates=dates, since=since,
                                organization_id=organization_id)
        computed_at = datetime.now(timezone.utc)
    elif cache is None:
        data, computed_at = compute(session), datetime.now(timezone.utc)
    else:
        entry = entry or cache.get(key, version, compute, session, max_age=max_age, spawn=spawn)
        data, computed_at = entry.value, datetime.fromtimestamp(entry.computed_at, timezone.utc)
    snapshot = Snapshot(today=today, dates=list(dates), requirements=requirements, tree=load_tree(session),
                        book=load_targets(session, today=today), cells=data.cells,
                        compliance_book=data.compliance, computed_at=computed_at)
    organization_ids = scope_organization_ids(session, scope)
    if organization_id is not None:
        organization_ids = {organization_id} & organization_ids if organization_ids is not None else {organization_id}
    return snapshot.restrict(organization_ids) if organization_ids is not None else snapshot


def sector_map(session: Session, organization_ids=None) -> dict[int, int]:
    """Organization id -> sector id."""
    statement = select(Organization.id, Organization.sector_id)
    rows = session.execute(statement).all()
    if organization_ids is None:
        return {org_id: sector_id for org_id, sector_id in rows}
    return {org_id: sector_id for org_id, sector_id in rows if org_id in organization_ids}
