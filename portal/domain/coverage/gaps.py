"""The gap list: organizations and localities furthest behind, for supervision and follow-up.

"Furthest behind" is the number of people still to train (every key group together, a person in two
groups counting twice), then the lowest rate; sort="rate" puts the lowest rate first instead.
Organizations come with their contact person and phone.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.coverage.arithmetic import Figure
from portal.domain.coverage.places import Place
from portal.domain.coverage.snapshot import Snapshot
from portal.models import Organization

GAP_LEVELS = ("street", "community", "grid")
SORTS = ("missing", "rate")


@dataclass(frozen=True)
class OrganizationGap:
    organization_id: int
    name: str
    sector_id: int
    locality_id: int
    contact_name: str
    contact_phone: str
    figure: Figure
    worst_group_id: int | None  # the group with the most people still to train


@dataclass(frozen=True)
class LocalityGap:
    place: Place
    path: list[Place]
    figure: Figure


def _sort_key(sort: str):
    if sort == "rate":
        return lambda item: (item.figure.rate if item.figure.rate is not None else 2, -item.figure.missing)
    return lambda item: (-item.figure.missing, item.figure.rate if item.figure.rate is not None else 2)


def organization_gaps(session: Session, snapshot: Snapshot, *, locality_id: int | None = None, limit: int = 50,
                      sort: str = "missing") -> list[OrganizationGap]:
    """The organizations with the most people still to train (in the snapshot's scope), in one pass over
    the cells."""
    localities = snapshot.tree.subtree(locality_id) if locality_id is not None else None
    index = snapshot.index()
    per_org: dict[int, list] = {}
    for cell in snapshot.cells:
        if cell.organization_id is None or (localities is not None and cell.locality_id not in localities):
            continue
        entry = per_org.get(cell.organization_id)
        if entry is None:
            entry = per_org[cell.organization_id] = [0, 0, {}]
        entry[0] += cell.population
        entry[1] += cell.covered[index]
        entry[2][cell.group_id] = entry[2].get(cell.group_id, 0) + cell.population - cell.covered[index]
    ranked = [(org_id, Figure(roster=people, covered_roster=covered), behind)
              for org_id, (people, covered, behind) in per_org.items() if people > covered]
    key = _sort_key(sort)
    ranked.sort(key=lambda row: (key(_Ranked(row[1])), row[0]))
    ranked = ranked[:limit]
    orgs = {o.id: o for o in session.scalars(select(Organization).where(
        Organization.id.in_([row[0] for row in ranked] or [-1])))}
    return [OrganizationGap(org_id, orgs[org_id].name, orgs[org_id].sector_id, orgs[org_id].locality_id,
                            orgs[org_id].contact_name, orgs[org_id].contact_phone, figure,
                            max(behind.items(), key=lambda item: (item[1], -item[0]))[0])
            for org_id, figure, behind in ranked if org_id in orgs]


@dataclass(frozen=True)
class _Ranked:
    figure: Figure


def locality_gaps(snapshot: Snapshot, *, level: str = "community", limit: int = 50,
                  sort: str = "missing") -> list[LocalityGap]:
    """The localities of a level with the most people still to train."""
    gaps = []
    for place in snapshot.tree.at_level(level):
        figure = snapshot.all_groups(place.id)
        if figure.missing > 0:
            gaps.append(LocalityGap(place, snapshot.tree.path(place.id), figure))
    gaps.sort(key=_sort_key(sort))
    return gaps[:limit]
