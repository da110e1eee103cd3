"""One coverage computation and everything the dashboard reads from it.

`take_snapshot()` runs (or takes from the cache) the district-wide computation for a list of as-of
dates, then narrows it to the viewer's scope: a department viewer's snapshot keeps the cells of
their sector's organizations only and has no declared part and no people without an employer.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.coverage.arithmetic import (
    WHOLE, CellSet, Figure, Rollup, by_organization, by_sector, rollup, total
)
from portal.domain.coverage.cache import SnapshotCache, data_version
from portal.domain.coverage.compliance import Compliance, ComplianceBook, compliance_by_organization
from portal.domain.coverage.places import LocalityTree, Place, load_tree
from portal.domain.coverage.population import Cell, coverage_cells, people_in_scope
from portal.domain.coverage.projection import PACE_DAYS, Projection, project
from portal.domain.coverage.requirements import GroupInfo, Requirements, load_requirements
from portal.domain.coverage.targets import TargetBook, load_targets
from portal.domain.workforce.employment import outranked_on
from portal.domain.workforce.rules import Rules
from portal.models import Organization, Sector


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
    cellset: CellSet
    compliance_loader: Callable[[], ComplianceBook]
    outranked_loader: Callable[[], frozenset[int]] = frozenset
    organization_ids: set[int] | None = None  # None: the whole district
    computed_at: datetime | None = None
    _rollups: dict[int, Rollup] = field(default_factory=dict)
    _compliance: list = field(default_factory=list)  # the book, once loaded (shared by restricted copies)
    _outranked: list = field(default_factory=list)  # the same for outranked()

    @property
    def cells(self) -> list[Cell]:
        return self.cellset.cells

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

    def collapsed(self) -> list[Cell]:
        """The cells without the organization (what locality figures need), computed once."""
        return self.cellset.collapsed()

    def prepare(self) -> None:
        """Work out the sums the views read (every date's roll-up, today's organizations) so that the
        snapshot carries them when it is shared with other processes, which then need not redo them."""
        for index in range(len(self.dates)):
            self.cellset.sums(index, self.tree)
        if self.index() is not None:
            self.cellset.per_organization(self.index())
        self.compliance()
        self.outranked()

    def rollup(self, index: int | None = None) -> Rollup:
        index = self.index() if index is None else index
        if index not in self._rollups:
            self._rollups[index] = rollup(self.cellset, index, tree=self.tree, book=self.book,
                                          group_ids=[g.id for g in self.groups], include_declared=not self.scoped)
        return self._rollups[index]

    def figure(self, group_id: int, locality_id: int | None = WHOLE, index: int | None = None) -> Figure:
        return self.rollup(index).figure(group_id, locality_id)

    def restrict(self, organization_ids: set[int]) -> "Snapshot":
        """The same snapshot limited to some organizations' rosters (a sector, a scope)."""
        allowed = organization_ids if self.organization_ids is None else organization_ids & self.organization_ids
        return replace(self, cellset=self.cellset.restrict(allowed), organization_ids=allowed, _rollups={},
                       _compliance=self._compliance, _outranked=self._outranked)

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
        """The group's figure on every as-of date, oldest first (one pass over the cells)."""
        places = self.tree.subtree(locality_id) if locality_id is not None else None
        count = len(self.dates)
        population, roster, unrostered = [0] * count, [0] * count, [0] * count
        for cell in self.collapsed():
            if cell.group_id != group_id or (places is not None and cell.locality_id not in places):
                continue
            if cell.organization_id is not None:
                population = [a + b for a, b in zip(population, cell.population)]
                roster = [a + b for a, b in zip(roster, cell.covered)]
            else:
                unrostered = [a + b for a, b in zip(unrostered, cell.covered)]
        declared = self.rollup().declared.get((group_id, locality_id), 0)
        goal = self.book.goal(group_id, locality_id, self.tree)
        return [(day, Figure(population[k], roster[k], declared, unrostered[k], goal))
                for k, day in enumerate(self.dates)]

    def organizations(self, locality_id: int | None = WHOLE) -> dict[int, dict[int, Figure]]:
        """Roster figures per organization and group (of people under a place)."""
        goals = {g.id: self.book.goal(g.id, locality_id, self.tree) for g in self.groups}
        if locality_id is None:
            return {org_id: {group_id: Figure(roster=people, covered_roster=covered, goal=goals.get(group_id))
                             for group_id, (people, covered) in groups.items()}
                    for org_id, groups in self.cellset.per_organization(self.index()).items()}
        result = by_organization(self.cells, self.index(), localities=self.tree.subtree(locality_id))
        for groups in result.values():
            for group_id, figure in groups.items():
                figure.goal = goals.get(group_id)
        return result

    def organization_counts(self, locality_id: int | None = WHOLE) -> dict[int, dict[int, tuple[int, int]]]:
        """organization -> group -> (people on the roster, covered) today, in the whole district (worked out
        once per cached computation) or under one locality."""
        if locality_id is None:
            return self.cellset.per_organization(self.index())
        return {org_id: {group_id: (f.roster, f.covered_roster) for group_id, f in groups.items()}
                for org_id, groups in self.organizations(locality_id).items()}

    def ranked_organizations(self, locality_id: int | None = WHOLE,
                             group_id: int | None = None) -> list[tuple[int, Figure]]:
        """Organizations with people in the group (or in any group, counted in person-group pairs), most
        people still to train first, then the lowest rate."""
        rows = []
        for org_id, groups in self.organization_counts(locality_id).items():
            if group_id is not None:
                if group_id not in groups:
                    continue
                people, covered = groups[group_id]
            else:
                people = sum(n for n, _c in groups.values())
                covered = sum(c for _n, c in groups.values())
            rows.append((covered - people, covered / people if people else 2, org_id, people, covered))
        rows.sort()
        goal = self.book.goal(group_id, locality_id, self.tree) if group_id is not None else None
        return [(org_id, Figure(roster=people, covered_roster=covered, goal=goal))
                for _behind, _rate, org_id, people, covered in rows]

    def sectors(self, sector_of: dict[int, int]) -> dict[int, dict[int, Figure]]:
        """Roster figures per sector and group."""
        return by_sector(self.cells, self.index(), sector_of)

    def compliance(self) -> Compliance:
        """Onboarding, periodic, overdue and certificate counts in the snapshot's scope (computed on first use)."""
        if not self._compliance:
            self._compliance.append(self.compliance_loader())
        return self._compliance[0].total(self.organization_ids, include_unemployed=not self.scoped)

    def outranked(self) -> frozenset[int]:
        """The employments held today that do not count, as another job places their person (employment.py):
        what the lists of people leave out to agree with the figures (computed on first use)."""
        if not self._outranked:
            self._outranked.append(self.outranked_loader())
        return self._outranked[0]

    def all_groups(self, locality_id: int | None = WHOLE, index: int | None = None) -> Figure:
        """Every group together, counted in person-group pairs."""
        rollup = self.rollup(index)
        return total(rollup.figure(g.id, locality_id, with_goal=False) for g in self.groups)


def rules_key(rules: Rules) -> str:
    return hashlib.sha256((rules.text or repr(rules)).encode()).hexdigest()[:16]


def scope_organization_ids(session: Session, scope) -> set[int] | None:
    """The organizations a scope clause lets through (None: no scope, the whole district)."""
    if scope is None:
        return None
    return set(session.scalars(select(Organization.id).where(scope)))


@dataclass
class _Source:
    """Where a snapshot's expensive parts come from. The district's computation is shared by every
    viewer through the cache; a department's scope or one organization is computed on its own (in SQL,
    so it costs what that part of the district costs) unless the district's is cached already."""

    session: Session
    rules: Rules
    today: date
    since: date
    organization_id: int | None
    scope: object
    scope_ids: set[int] | None
    cache: SnapshotCache | None
    max_age: float
    spawn: object

    def __post_init__(self):
        self.version = data_version(self.session) if self.cache is not None else None
        self.computed_at = datetime.now(timezone.utc)

    def _narrow_key(self):
        if self.organization_id is not None:
            return ("organization", self.organization_id)
        if self.scope_ids is not None:
            return ("scope", hashlib.sha256(repr(sorted(self.scope_ids)).encode()).hexdigest())
        return None

    def get(self, kind: str, args: tuple, compute):
        """compute(session, requirements, organization_id, scope) for the whole district, or narrowed."""
        key = (kind, self.today, args, self.since, rules_key(self.rules))
        narrow = self._narrow_key()
        organization_id, scope = self.organization_id, self.scope if self.organization_id is None else None

        def run(db_session: Session, *, whole: bool):
            requirements = load_requirements(db_session, self.rules)
            return compute(db_session, requirements, None, None) if whole else \
                compute(db_session, requirements, organization_id, scope)

        if self.cache is None:
            return run(self.session, whole=narrow is None)
        entry = self.cache.peek(key, self.version)
        if entry is None and narrow is None:
            entry = self.cache.get(key, self.version, lambda db_session: run(db_session, whole=True), self.session,
                                   max_age=self.max_age, spawn=self.spawn)
        elif entry is None:
            self.cache.mark_narrow((*key, narrow))
            entry = self.cache.get((*key, narrow), self.version, lambda db_session: run(db_session, whole=False),
                                   self.session, max_age=self.max_age, spawn=self.spawn)
        self.computed_at = min(self.computed_at, datetime.fromtimestamp(entry.computed_at, timezone.utc))
        return entry.value


def take_snapshot(session: Session, *, today: date, rules: Rules, scope=None, dates: list[date] | None = None,
                  since: date | None = None, organization_id: int | None = None, cache: SnapshotCache | None = None,
                  max_age: float = 0, spawn=None) -> Snapshot:
    """Coverage on `dates` (default: today and PACE_DAYS before, for the projection) narrowed to `scope`
    (a clause on Organization, or None for the whole district) and to one organization if given.
    The compliance figures are computed when first asked for."""
    dates = sorted(set(dates or [today - timedelta(days=PACE_DAYS)]) | {today})
    since = since or date(today.year, 1, 1)
    organization_ids = scope_organization_ids(session, scope)
    source = _Source(session, rules, today, since, organization_id, scope, organization_ids, cache, max_age, spawn)
    cellset = source.get("cells", tuple(dates), lambda s, requirements, org, clause: CellSet(coverage_cells(
        s, requirements, dates=dates, organization_id=org, scope=clause)))

    def compliance() -> ComplianceBook:
        return source.get("compliance", (), lambda s, requirements, org, clause: compliance_by_organization(
            s, requirements, today=today, since=since, organization_id=org, scope=clause))

    snapshot = Snapshot(today=today, dates=list(dates), requirements=load_requirements(session, rules),
                        tree=load_tree(session), book=load_targets(session, today=today), cellset=cellset,
                        compliance_loader=compliance, computed_at=source.computed_at,
                        outranked_loader=lambda: source.get("outranked", (), lambda s, _requirements, org, clause:
                                                            outranked_on(s, today, persons=people_in_scope(
                                                                scope=clause, organization_id=org))))
    if organization_id is not None:
        organization_ids = {organization_id} & organization_ids if organization_ids is not None else {organization_id}
    return snapshot.restrict(organization_ids) if organization_ids is not None else snapshot


def organization_attributes(session: Session) -> dict[int, tuple]:
    """Organization id -> (name, credit code, sector id, locality id), for tables of many organizations."""
    return {row[0]: tuple(row[1:]) for row in session.execute(select(
        Organization.id, Organization.name, Organization.credit_code, Organization.sector_id,
        Organization.locality_id))}


def sector_map(session: Session, organization_ids=None) -> dict[int, int]:
    """Organization id -> sector id."""
    statement = select(Organization.id, Organization.sector_id)
    rows = session.execute(statement).all()
    if organization_ids is None:
        return {org_id: sector_id for org_id, sector_id in rows}
    return {org_id: sector_id for org_id, sector_id in rows if org_id in organization_ids}


def coverage_by_sector(session: Session, snapshot: Snapshot) -> list[tuple[Sector, dict[int, Figure]]]:
    """The sectors (the plan's responsible departments) with people on the snapshot's rosters, by code, each
    with its roster figure per group: the sectors page's and the reports' one definition."""
    per_sector = snapshot.sectors(sector_map(session, snapshot.organization_ids))
    sectors = session.scalars(select(Sector).where(Sector.id.in_(list(per_sector) or [-1])).order_by(Sector.code))
    return [(sector, per_sector[sector.id]) for sector in sectors]
