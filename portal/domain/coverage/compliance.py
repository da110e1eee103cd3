"""The figures shown beside coverage, per organization (None: people without an employer).

- Onboarding compliance: of the people hired in the period (start date from `since` to today) by an
  employer, the share who had completed every onboarding course (plus their employer kind's) on or
  before their start date: "nobody starts work before a pre-job course".
- Periodic compliance: of the periodic (renewal) assignments that fell due in the period, the share
  completed by their due date.
- Overdue: open assignments past their due date, and the people who have them (active people).
- Certificates issued in the period.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone

from sqlalchemy import and_, case, distinct, func, select
from sqlalchemy.orm import Session

from portal.domain.coverage.requirements import Requirements
from portal.models import Assignment, Certificate, Completion, Organization, Trainee


@dataclass
class Compliance:
    """Counts of one organization (or of several, added up)."""

    hires: int = 0
    hires_trained: int = 0
    periodic_due: int = 0
    periodic_on_time: int = 0
    overdue_assignments: int = 0
    overdue_people: int = 0
    certificates: int = 0

    def __add__(self, other: "Compliance") -> "Compliance":
        return Compliance(*(a + b for a, b in zip(self.as_tuple(), other.as_tuple())))

    def as_tuple(self) -> tuple[int, ...]:
        return (self.hires, self.hires_trained, self.periodic_due, self.periodic_on_time, self.overdue_assignments,
                self.overdue_people, self.certificates)

    @property
    def onboarding_rate(self) -> float | None:
        return self.hires_trained / self.hires if self.hires else None

    @property
    def periodic_rate(self) -> float | None:
        return self.periodic_on_time / self.periodic_due if self.periodic_due else None


@dataclass
class ComplianceBook:
    since: date
    by_organization: dict[int | None, Compliance] = field(default_factory=dict)
    _totals: dict = field(default_factory=dict)

    def total(self, organization_ids: set[int] | None = None, *, include_unemployed: bool = True) -> Compliance:
        """The sum over the organizations in scope (all when None), remembered: the book is shared through
        the cache by every request of the same data."""
        key = (frozenset(organization_ids) if organization_ids is not None else None, include_unemployed)
        if key not in self._totals:
            self._totals[key] = self._total(organization_ids, include_unemployed)
        return self._totals[key]

    def _total(self, organization_ids, include_unemployed: bool) -> Compliance:
        result = Compliance()
        for org_id, figures in self.by_organization.items():
            if org_id is None and not include_unemployed:
                continue
            if organization_ids is not None and org_id not in organization_ids:
                continue
            result = result + figures
        return result


def compliance_by_organization(session: Session, requirements: Requirements, *, today: date, since: date,
                               organization_id: int | None = None, scope=None) -> ComplianceBook:
    """Every figure above per organization (of one organization, or of a scope), in four GROUP BY queries."""
    book = ComplianceBook(since=since)
    only = []
    if organization_id is not None:
        only.append(Trainee.organization_id == organization_id)
    elif scope is not None:
        only.append(Trainee.organization_id.in_(select(Organization.id).where(scope)))

    def entry(org_id) -> Compliance:
        return book.by_organization.setdefault(org_id, Compliance())

    for org_id, kind, mask, people in _onboarding_rows(session, requirements, today=today, since=since, only=only):
        figures = entry(org_id)
        figures.hires += people
        required = requirements.kind_mask(kind)
        if (int(mask or 0) & required) == required:
            figures.hires_trained += people
    periodic = (select(Trainee.organization_id, func.count(),
                       func.sum(case((and_(Assignment.status == "completed",
                                           func.date(Assignment.closed_at) <= Assignment.due_on), 1), else_=0)))
                .join(Trainee, Trainee.id == Assignment.trainee_id)
                .where(Assignment.rule.like("periodic:%"), Assignment.due_on >= since, Assignment.due_on < today, *only)
                .group_by(Trainee.organization_id))
    for org_id, due, on_time in session.execute(periodic):
        entry(org_id).periodic_due += due
        entry(org_id).periodic_on_time += int(on_time or 0)
    overdue = (select(Trainee.organization_id, func.count(), func.count(distinct(Assignment.trainee_id)))
               .join(Trainee, Trainee.id == Assignment.trainee_id)
               .where(Assignment.status == "open", Assignment.due_on < today, Trainee.status == "active", *only)
               .group_by(Trainee.organization_id))
    for org_id, assignments, people in session.execute(overdue):
        entry(org_id).overdue_assignments += assignments
        entry(org_id).overdue_people += people
    start = datetime.combine(since, time.min, tzinfo=timezone.utc)
    end = datetime.combine(today, time.max, tzinfo=timezone.utc)
    certificates = (select(Certificate.organization_id, func.count())
                    .where(Certificate.issued_at >= start, Certificate.issued_at <= end)
                    .group_by(Certificate.organization_id))
    narrowed = _certificate_scope(organization_id, scope)
    if narrowed is not None:
        certificates = certificates.where(narrowed)
    for org_id, count in session.execute(certificates):
        entry(org_id).certificates += count
    return book


def _certificate_scope(organization_id, scope):
    if organization_id is not None:
        return Certificate.organization_id == organization_id
    if scope is not None:
        return Certificate.organization_id.in_(select(Organization.id).where(scope))
    return None


def _onboarding_rows(session: Session, requirements: Requirements, *, today: date, since: date, only=()):
    """(organization, kind, onboarding mask held at the start date, people) for the period's hires."""
    onboarding_ids = [cid for cid, bit in requirements.bits.items()
                      if any(bit & mask for mask in requirements.by_kind.values())]
    bit = requirements.bit_sql(Completion.course_id)
    per_person = (
        select(Trainee.organization_id.label("org"), Organization.kind.label("kind"),
               func.coalesce(func.sum(distinct(bit)), 0).label("mask"))
        .select_from(Trainee)
        .join(Organization, Organization.id == Trainee.organization_id)
        .outerjoin(Completion, and_(Completion.person_id == Trainee.person_id, Completion.course_id.in_(onboarding_ids),
                                    Completion.completed_on <= Trainee.start_date))
        .where(Trainee.start_date >= since, Trainee.start_date <= today, *only)
        .group_by(Trainee.id, Trainee.organization_id, Organization.kind)
    ).subquery("hire")
    statement = (select(per_person.c.org, per_person.c.kind, per_person.c.mask, func.count())
                 .group_by(per_person.c.org, per_person.c.kind, per_person.c.mask))
    return session.execute(statement).all()
