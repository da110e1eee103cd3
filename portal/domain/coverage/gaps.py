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
    """The organizations with the most people still to train (in the snapshot's scope)."""
    ranked = []
    for org_id, groups in snapshot.organization_counts(locality_id).items():
        people = sum(n for n, _covered in groups.values())
        covered = sum(c for _n, c in groups.values())
        if people > covered:
            behind = {group_id: n - c for group_id, (n, c) in groups.items()}
            ranked.append((org_id, Figure(roster=people, covered_roster=covered), behind))
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
