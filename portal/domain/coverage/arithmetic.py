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


def roster_sums(cells: list[Cell], index: int, tree: LocalityTree) -> dict[tuple[int, int | None], list[int]]:
    """(group, place) -> [roster, covered roster, covered without employer] on the index-th date, every cell
    added to its locality and each locality above it (and to the whole district)."""
    sums: dict[tuple[int, int | None], list[int]] = defaultdict(lambda: [0, 0, 0])
    for cell in cells:
        places = tree.ancestors(cell.locality_id) if cell.locality_id in tree.places else ()
        population, covered = cell.population[index], cell.covered[index]
        employed = cell.organization_id is not None
        for place in (*places, WHOLE):
            entry = sums[(cell.group_id, place)]
            if employed:
                entry[0] += population
                entry[1] += covered
            else:
                entry[2] += covered
    return dict(sums)


def collapse(cells: list[Cell]) -> list[Cell]:
    """The cells added up per (locality, with or without employer, group): what the roll-up needs, about a
    third as many rows as there are organizations' cells. Employed people get organization_id -1."""
    sums: dict[tuple, list] = {}
    for cell in cells:
        key = (cell.locality_id, cell.organization_id is not None, cell.group_id)
        entry = sums.get(key)
        if entry is None:
            sums[key] = [list(cell.population), list(cell.covered)]
        else:
            entry[0] = [a + b for a, b in zip(entry[0], cell.population)]
            entry[1] = [a + b for a, b in zip(entry[1], cell.covered)]
    return [Cell(locality, -1 if employed else None, group, tuple(population), tuple(covered))
            for (locality, employed, group), (population, covered) in sums.items()]


class CellSet:
    """Cells and what follows from them alone, computed once per cached computation and shared by the
    requests that read it (at district scale the roll-up's sums cost more than the rest of a page).
    The sums assume the locality tree of the data version they were computed for."""

    def __init__(self, cells: list[Cell]):
        self._cells: list[Cell] | None = cells
        self._raw: list[tuple] | None = None  # the cells as plain tuples, as they come from another process
        self._collapsed: list[Cell] | None = None
        self._sums: dict = {}

    @property
    def cells(self) -> list[Cell]:
        if self._cells is None:
            self._cells = [Cell._make(row) for row in self._raw]
            self._raw = None
        return self._cells

    def __getstate__(self) -> dict:
        """Pickled as plain tuples, which load without a Python call each: a fresh worker reading a shared
        district (a hundred thousand cells, sums already worked out) only pays for what its page reads."""
        return {"raw": self._raw if self._cells is None else [tuple(cell) for cell in self._cells],
                "collapsed": None if self._collapsed is None else [tuple(cell) for cell in self._collapsed],
                "sums": self._sums}

    def __setstate__(self, state: dict) -> None:
        self._cells, self._raw, self._sums = None, state["raw"], state["sums"]
        self._collapsed = None if state["collapsed"] is None else [Cell._make(row) for row in state["collapsed"]]

    def collapsed(self) -> list[Cell]:
        if self._collapsed is None:
            self._collapsed = collapse(self.cells)
        return self._collapsed

    def sums(self, index: int, tree: LocalityTree) -> dict:
        found = self._sums.get(index)
        if found is None:
            found = self._sums[index] = roster_sums(self.collapsed(), index, tree)
        return found

    def per_organization(self, index: int) -> dict[int, dict[int, tuple[int, int]]]:
        """organization -> group -> (roster, covered) on the index-th date, computed once."""
        key = ("organizations", index)
        found = self._sums.get(key)
        if found is None:
            found = {}
            for cell in self.cells:
                if cell.organization_id is None:
                    continue
                groups = found.setdefault(cell.organization_id, {})
                people, covered = groups.get(cell.group_id, (0, 0))
                groups[cell.group_id] = (people + cell.population[index], covered + cell.covered[index])
            self._sums[key] = found
        return found

    def restrict(self, allowed: set[int]) -> "CellSet":
        kept = [cell for cell in self.cells if cell.organization_id in allowed]
        return self if len(kept) == len(self.cells) else CellSet(kept)


@dataclass
class Rollup:
    """Figures of every place and group on one date: roster sums (from the cells) and declared counts."""

    tree: LocalityTree
    book: TargetBook
    roster: dict[tuple[int, int | None], list[int]]
    declared: dict[tuple[int, int | None], int] = field(default_factory=dict)

    def add_declared(self, group_ids) -> None:
        wanted = set(group_ids)
        declared: dict[tuple[int, int | None], int] = defaultdict(int)
        for (group_id, locality_id), count in self.book.declared.items():
            if group_id not in wanted or not count or locality_id not in self.tree.places:
                continue
            for place in (*self.tree.ancestors(locality_id), WHOLE):
                declared[(group_id, place)] += count
        self.declared = dict(declared)

    def figure(self, group_id: int, locality_id: int | None = WHOLE, *, with_goal: bool = True) -> Figure:
        roster, covered, unrostered = self.roster.get((group_id, locality_id), (0, 0, 0))
        return Figure(roster=roster, covered_roster=covered, declared=self.declared.get((group_id, locality_id), 0),
                      unrostered_covered=unrostered,
                      goal=self.book.goal(group_id, locality_id, self.tree) if with_goal else None)


def rollup(cells: CellSet | list[Cell], index: int, *, tree: LocalityTree, book: TargetBook, group_ids,
           include_declared: bool) -> Rollup:
    """Figures of every place and group on the index-th as-of date."""
    cellset = cells if isinstance(cells, CellSet) else CellSet(cells)
    result = Rollup(tree=tree, book=book, roster=cellset.sums(index, tree))
    if include_declared:
        result.add_declared(group_ids)
    return result


def by_organization(cells: list[Cell], index: int, *, localities: set[int] | None = None) -> dict[int, dict[int, Figure]]:
    """Roster figures per organization and group (optionally of people under some localities)."""
    result: dict[int, dict[int, Figure]] = defaultdict(dict)
    for cell in cells:
        if cell.organization_id is None or (localities is not None and cell.locality_id not in localities):
            continue
        figure = result[cell.organization_id].setdefault(cell.group_id, Figure())
        figure.roster += cell.population[index]
        figure.covered_roster += cell.covered[index]
    return result


def by_sector(cells: list[Cell], index: int, sector_of: dict[int, int]) -> dict[int, dict[int, Figure]]:
    """Roster figures per sector and group."""
    result: dict[int, dict[int, Figure]] = defaultdict(dict)
    for cell in cells:
        sector_id = sector_of.get(cell.organization_id)
        if sector_id is None:
            continue
        figure = result[sector_id].get(cell.group_id)
        if figure is None:
            figure = result[sector_id][cell.group_id] = Figure()
        figure.roster += cell.population[index]
        figure.covered_roster += cell.covered[index]
    return result


def rate_text(rate: float | None) -> str:
    """A rate as a percentage with one decimal, '—' when there is nobody to count."""
    return "—" if rate is None else f"{rate * 100:.1f}%"


def days_between(start: date, end: date) -> int:
    return (end - start).days
