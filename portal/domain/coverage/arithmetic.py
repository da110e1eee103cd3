"""Coverage arithmetic: figures per group and place, rolled up the locality tree from the cells.

Population = roster + declared; covered = covered roster people + covered_declared, where
covered_declared = min(declared, covered people without an employer in the group under the place).
The declared count of a place is the sum of the Target rows at it and below it. People without an
employer whose locality is unknown only count toward the whole district's declared part.
Department viewers see rosters only: their figures have no declared part.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from portal.domain.coverage.places import LocalityTree
from portal.domain.coverage.population import Cell
from portal.domain.coverage.targets import Goal, TargetBook

WHOLE = None  # the locality id meaning "the whole district"


@dataclass
class Figure:
    """One coverage figure: a group (or several) at a place, on one date."""

    roster: int = 0
    covered_roster: int = 0
    declared: int = 0
    unrostered_covered: int = 0  # covered people without an employer, before the cap by `declared`
    goal: Goal | None = None

    @property
    def population(self) -> int:
        return self.roster + self.declared

    @property
    def covered_declared(self) -> int:
        return min(self.declared, self.unrostered_covered)

    @property
    def covered(self) -> int:
        return self.covered_roster + self.covered_declared

    @property
    def missing(self) -> int:
        return self.population - self.covered

    @property
    def rate(self) -> float | None:
        return self.covered / self.population if self.population else None

    @property
    def target_rate(self) -> float:
        return self.goal.rate if self.goal else 1.0

    @property
    def target_count(self) -> int:
        """People to cover to meet the target rate (rounded up)."""
        return math.ceil(self.population * self.target_rate - 1e-9)

    @property
    def behind(self) -> int:
        return max(0, self.target_count - self.covered)

    @property
    def meets_target(self) -> bool:
        return self.population > 0 and self.covered >= self.target_count

    def __add__(self, other: "Figure") -> "Figure":
        return Figure(self.roster + other.roster, self.covered_roster + other.covered_roster,
                      self.declared + other.declared, self.unrostered_covered + other.unrostered_covered, self.goal)


def total(figures) -> Figure:
    """The sum of several figures (person-group pairs when they are of several groups)."""
    result = Figure()
    for figure in figures:
        result = result + figure
    result.goal = None
    return result


@dataclass
class Rollup:
    """The cells of one as-of date summed up the locality tree, per group."""

    tree: LocalityTree
    book: TargetBook
    include_declared: bool
    roster: dict[tuple[int, int | None], list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))
    declared: dict[tuple[int, int | None], int] = field(default_factory=lambda: defaultdict(int))

    def add_cells(self, cells: list[Cell], index: int) -> None:
        for cell in cells:
            places = self.tree.ancestors(cell.locality_id) if cell.locality_id in self.tree.places else ()
            for place in (*places, WHOLE):
                sums = self.roster[(cell.group_id, place)]
                if cell.organization_id is not None:
                    sums[0] += cell.population
                    sums[1] += cell.covered[index]
                else:
                    sums[2] += cell.covered[index]

    def add_declared(self, group_ids) -> None:
        if not self.include_declared:
            return
        wanted = set(group_ids)
        for (group_id, locality_id), count in self.book.declared.items():
            if group_id not in wanted or not count or locality_id not in self.tree.places:
                continue
            for place in (*self.tree.ancestors(locality_id), WHOLE):
                self.declared[(group_id, place)] += count

    def figure(self, group_id: int, locality_id: int | None = WHOLE) -> Figure:
        roster, covered, unrostered = self.roster.get((group_id, locality_id), (0, 0, 0))
        return Figure(roster=roster, covered_roster=covered, declared=self.declared.get((group_id, locality_id), 0),
                      unrostered_covered=unrostered, goal=self.book.goal(group_id, locality_id, self.tree))


def rollup(cells: list[Cell], index: int, *, tree: LocalityTree, book: TargetBook, group_ids,
           include_declared: bool) -> Rollup:
    """Figures of every place and group on the index-th as-of date."""
    result = Rollup(tree=tree, book=book, include_declared=include_declared)
    result.add_cells(cells, index)
    result.add_declared(group_ids)
    return result


def by_organization(cells: list[Cell], index: int, *, localities: set[int] | None = None) -> dict[int, dict[int, Figure]]:
    """Roster figures per organization and group (optionally of people under some localities)."""
    result: dict[int, dict[int, Figure]] = defaultdict(dict)
    for cell in cells:
        if cell.organization_id is None or (localities is not None and cell.locality_id not in localities):
            continue
        figure = result[cell.organization_id].setdefault(cell.group_id, Figure())
        figure.roster += cell.population
        figure.covered_roster += cell.covered[index]
    return result


def by_sector(per_organization: dict[int, dict[int, Figure]], sector_of: dict[int, int]) -> dict[int, dict[int, Figure]]:
    """Roster figures per sector and group, from the organizations' figures."""
    result: dict[int, dict[int, Figure]] = defaultdict(dict)
    for org_id, groups in per_organization.items():
        sector_id = sector_of.get(org_id)
        if sector_id is None:
            continue
        for group_id, figure in groups.items():
            result[sector_id][group_id] = result[sector_id].get(group_id, Figure()) + figure
    return result


def rate_text(rate: float | None) -> str:
    """A rate as a percentage with one decimal, '—' when there is nobody to count."""
    return "—" if rate is None else f"{rate * 100:.1f}%"


def days_between(start: date, end: date) -> int:
    return (end - start).days
