"""Fire drills and duty commitments counted with the training (issue #21): for the viewer's organizations on a day,
drill compliance and commitment coverage per organization kind, per street and per sector, commitments per role,
and the organizations overdue with their drills.

Nothing here decides a standing: each organization's drill standing is drills.drill_compliance's (the schedule),
each role holder's commitment standing is commitments.commitment_coverage's; this module only groups organizations.
An organization counts from the day it was registered on the portal. Its street is the level below the district
above its locality (organizations registered at the district itself count under the district).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.workforce.commitments import STATUSES, Coverage, commitment_coverage
from portal.domain.coverage.places import LocalityTree, Place, load_tree
from portal.domain.workforce.drills import DrillCompliance, DrillStatus, drill_compliance
from portal.domain.platform.localtime import day_start
from portal.domain.workforce.rules import Rules
from portal.models import ORGANIZATION_KINDS, Organization, Sector


@dataclass(frozen=True)
class DutyLine:
    """One group of organizations (a kind, a street, a sector, or all of them): their drill standing and the
    commitments their role holders must sign."""

    key: object  # an organization kind's code, a Place, a Sector, or None for every organization in view
    drills: DrillCompliance
    commitments: Coverage

    @property
    def organizations(self) -> int:
        return len(self.drills.statuses)

    @property
    def drill_counts(self) -> dict[str, int]:
        return self.drills.counts

    @property
    def drill_rate(self) -> float | None:
        return self.drills.rate

    @property
    def commitment_counts(self) -> dict[str, int]:
        return self.commitments.counts

    @property
    def to_sign(self) -> int:
        """Role holders who may sign and have not: first time, or again after renewed training."""
        counts = self.commitments.counts
        return counts["to_sign"] + counts["expired"]


@dataclass(frozen=True)
class RoleLine:
    """One role's commitments over every organization in view."""

    role: str
    counts: dict[str, int]

    @property
    def required(self) -> int:
        return sum(self.counts.values())

    @property
    def signed(self) -> int:
        return self.counts["signed"]

    @property
    def to_sign(self) -> int:
        return self.counts["to_sign"] + self.counts["expired"]

    @property
    def rate(self) -> float | None:
        return self.signed / self.required if self.required else None


@dataclass(frozen=True)
class OverdueOrganization:
    id: int
    name: str
    kind: str
    street: Place | None
    sector: Sector | None
    status: DrillStatus


@dataclass
class DutyFigures:
    on: date
    total: DutyLine
    kinds: list[DutyLine] = field(default_factory=list)
    streets: list[DutyLine] = field(default_factory=list)
    sectors: list[DutyLine] = field(default_factory=list)
    roles: list[RoleLine] = field(default_factory=list)
    overdue: list[OverdueOrganization] = field(default_factory=list)  # the longest overdue first


def street_of(tree: LocalityTree, locality_id: int | None) -> Place | None:
    """The street (the level below the district) at or above a locality; the district for the district itself."""
    chain = tree.ancestors(locality_id) if locality_id is not None else ()
    if not chain:
        return None
    first_level = {place.id for place in tree.children_of(None)}
    return tree.places[next((place_id for place_id in chain if place_id in first_level), chain[-1])]


def duty_figures(session: Session, *, on: date, rules: Rules, organization_ids: set[int] | None = None,
                 tree: LocalityTree | None = None) -> DutyFigures:
    """Drills and commitments on a day over the organizations in view (`organization_ids` from
    snapshot.scope_organization_ids; None: the whole district), registered by that day, grouped."""
    tree = tree if tree is not None else load_tree(session)
    statement = select(Organization.id, Organization.name, Organization.kind, Organization.sector_id,
                       Organization.locality_id).where(Organization.created_at < day_start(on + timedelta(days=1)))
    if organization_ids is not None:
        statement = statement.where(Organization.id.in_(organization_ids or [-1]))
    orgs = {row.id: row for row in session.execute(statement)}
    drills = drill_compliance(session, sorted(orgs), today=on, rules=rules)
    commitments = commitment_coverage(session, sorted(orgs), on=on, rules=rules)
    sectors = {s.id: s for s in session.scalars(select(Sector).where(
        Sector.id.in_({row.sector_id for row in orgs.values()} or {-1})))}
    streets = {org_id: street_of(tree, row.locality_id) for org_id, row in orgs.items()}

    def line(key, ids) -> DutyLine:
        ids = set(ids)
        return DutyLine(key, DrillCompliance({i: s for i, s in drills.statuses.items() if i in ids}),
                        commitments.restrict(ids))

    def grouped(key_of) -> dict:
        groups: dict = {}
        for org_id in orgs:
            groups.setdefault(key_of(org_id), set()).add(org_id)
        return groups

    by_kind = grouped(lambda i: orgs[i].kind)
    by_street = grouped(lambda i: streets[i].id if streets[i] else None)
    by_sector = grouped(lambda i: orgs[i].sector_id)
    overdue = sorted((s for s in drills.statuses.values() if s.state == "overdue"),
                     key=lambda s: (s.next_due, orgs[s.organization_id].name))
    return DutyFigures(
        on=on, total=line(None, orgs),
        kinds=[line(kind, by_kind.get(kind, ())) for kind in ORGANIZATION_KINDS],
        streets=[line(tree.places[key], ids) for key, ids in sorted(
            ((k, v) for k, v in by_street.items() if k is not None), key=lambda item: tree.places[item[0]].code)],
        sectors=[line(sectors[key], ids) for key, ids in sorted(by_sector.items(),
                                                                key=lambda item: sectors[item[0]].code)],
        roles=[RoleLine(role, counts) for role, counts in _in_rule_order(commitments.by_role, rules)],
        overdue=[OverdueOrganization(s.organization_id, orgs[s.organization_id].name, orgs[s.organization_id].kind,
                                     streets[s.organization_id], sectors.get(orgs[s.organization_id].sector_id), s)
                 for s in overdue])


def _in_rule_order(by_role: dict[str, dict[str, int]], rules: Rules) -> list[tuple[str, dict[str, int]]]:
    """Every role of the rules (none held: all zeros), in the rules' order."""
    roles = [*rules.commitments, *sorted(set(by_role) - set(rules.commitments))]
    return [(role, by_role.get(role, dict.fromkeys(STATUSES, 0))) for role in roles]
