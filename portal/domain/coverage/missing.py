"""The people still missing from a group's coverage, and what each of them lacks.

A page is found through the snapshot: its cells say how many people are missing in each
organization, so a page only queries the one or two organizations it shows, whatever the size of the
district. Mobiles are masked here, for pages and exports alike.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from portal.domain.coverage.population import covered_clause, held_masks, people_in_scope, tune_for_aggregates
from portal.domain.coverage.requirements import CourseInfo, Requirements
from portal.domain.coverage.snapshot import Snapshot
from portal.domain.workforce.employment import held_on_sql
from portal.models.privacy import mask_mobile
from portal.models import Completion, Organization, Person, Trainee
from portal.models.people import trainee_group

NO_EMPLOYER = None


@dataclass(frozen=True)
class Lack:
    course: CourseInfo
    expired_on: date | None  # None: never completed


@dataclass
class MissingPerson:
    trainee_id: int
    name: str
    mobile: str  # masked
    organization_id: int | None
    organization_name: str
    locality_id: int | None
    lacks: list[Lack] = field(default_factory=list)


@dataclass
class MissingPage:
    items: list[MissingPerson]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def buckets(snapshot: Snapshot, group_id: int, *, locality_id: int | None = None,
            organization_ids: set[int] | None = None) -> dict[int | None, int]:
    """How many people are missing per organization (None: people without an employer)."""
    localities = snapshot.tree.subtree(locality_id) if locality_id is not None else None
    index = snapshot.index()
    counts: dict[int | None, int] = {}
    for cell in snapshot.cells:
        if cell.group_id != group_id or (localities is not None and cell.locality_id not in localities):
            continue
        if organization_ids is not None and cell.organization_id not in organization_ids:
            continue
        missing = cell.population[index] - cell.covered[index]
        if missing:
            counts[cell.organization_id] = counts.get(cell.organization_id, 0) + missing
    return counts


def _ordered(session: Session, counts: dict[int | None, int]) -> list[tuple[int | None, str, int]]:
    """Buckets by organization name; people without an employer last."""
    ids = [org_id for org_id in counts if org_id is not None]
    statement = select(Organization.id, Organization.name)
    if len(ids) <= 1000:  # a few organizations: ask for them; many: one pass over the table is cheaper
        statement = statement.where(Organization.id.in_(ids or [-1]))
    names = dict(session.execute(statement).all()) if ids else {}
    rows = [(org_id, names.get(org_id, ""), n) for org_id, n in counts.items() if org_id is not None]
    rows.sort(key=lambda row: (row[1], row[0]))
    if NO_EMPLOYER in counts:
        rows.append((NO_EMPLOYER, "", counts[NO_EMPLOYER]))
    return rows


def missing_statement(session: Session, requirements: Requirements, group_id: int, *, today: date,
                      outranked: frozenset[int] = frozenset(), organization_id: int | None = None,
                      organization_ids: set[int] | None = None, localities: set[int] | None = None,
                      no_employer: bool = False):
    """SELECT the group's people counted today who are not covered: id, name, mobile, organization id, locality id
    and organization name (columns, not entities: an export reads tens of thousands of them). Counted: held today,
    and not `outranked` (Snapshot.outranked: the jobs of people another job places)."""
    counted = [held_on_sql(today), Trainee.id.not_in(sorted(outranked))] if outranked else [held_on_sql(today)]
    missing_bits = requirements.group_missing_bits_sql(group_id, Organization.kind)
    columns = (Trainee.id, Person.real_name, Person.mobile, Trainee.organization_id, Trainee.locality_id,
               Organization.name)
    order = (Organization.name, Trainee.organization_id, Person.real_name, Trainee.id)
    if organization_id is not None and not no_employer and localities is None:
        # One organization (its page, its export): a plain join, and the completions of its people only (an
        # index look-up); the planners do best with it on both databases.
        held = held_masks(session, requirements, [today], persons=people_in_scope(organization_id=organization_id))
        return (select(*columns)
                .join(Person, Person.id == Trainee.person_id)
                .join(trainee_group, trainee_group.c.trainee_id == Trainee.id)  # a person is in a group once
                .outerjoin(Organization, Organization.id == Trainee.organization_id)
                .outerjoin(held, held.c.person_id == Trainee.person_id)
                .where(trainee_group.c.key_group_id == group_id, *counted,
                       Trainee.organization_id == organization_id, ~covered_clause(held.c.m0, missing_bits))
                .order_by(*order))
    people = select(Trainee.id).join(trainee_group, trainee_group.c.trainee_id == Trainee.id).where(
        trainee_group.c.key_group_id == group_id, *counted)
    if no_employer:
        people = people.where(Trainee.organization_id.is_(None))
    elif organization_id is not None:
        people = people.where(Trainee.organization_id == organization_id)
    else:
        people = people.where(Trainee.organization_id.is_not(None))
        if organization_ids is not None:
            people = people.where(Trainee.organization_id.in_(organization_ids or [-1]))
    if localities is not None:  # the locality the cells count people under
        employer = aliased(Organization)
        people = people.outerjoin(employer, employer.id == Trainee.organization_id).where(
            func.coalesce(Trainee.locality_id, employer.locality_id).in_(sorted(localities) or [-1]))
    held = held_masks(session, requirements, [today], persons=select(Trainee.person_id).where(Trainee.id.in_(people)))
    return (select(*columns)
            .join(Person, Person.id == Trainee.person_id)
            .outerjoin(Organization, Organization.id == Trainee.organization_id)
            .outerjoin(held, held.c.person_id == Trainee.person_id)
            .where(Trainee.id.in_(people), ~covered_clause(held.c.m0, missing_bits))
            .order_by(*order))


def missing_page(session: Session, snapshot: Snapshot, group_id: int, *, page: int = 1, per_page: int = 25,
                 locality_id: int | None = None, organization_ids: set[int] | None = None) -> MissingPage:
    """One page of the people missing, ordered by organization and name."""
    tune_for_aggregates(session)
    counts = buckets(snapshot, group_id, locality_id=locality_id, organization_ids=organization_ids)
    ordered = _ordered(session, counts)
    total = sum(n for _org, _name, n in ordered)
    page = max(1, min(page, max(1, -(-total // per_page))))
    start, end = (page - 1) * per_page, page * per_page
    localities = snapshot.tree.subtree(locality_id) if locality_id is not None else None
    items: list[MissingPerson] = []
    position = 0
    for org_id, _name, count in ordered:
        if position + count <= start:
            position += count
            continue
        if position >= end:
            break
        offset = max(0, start - position)
        statement = missing_statement(session, snapshot.requirements, group_id, today=snapshot.today,
                                      outranked=snapshot.outranked(), organization_id=org_id, localities=localities,
                                      no_employer=org_id is NO_EMPLOYER)
        rows = session.execute(statement.offset(offset).limit(end - position - offset)).all()
        items.extend(_person(*row) for row in rows)
        position += count
    describe(session, snapshot.requirements, group_id, items, today=snapshot.today)
    return MissingPage(items=items, total=total, page=page, per_page=per_page)


def all_missing(session: Session, snapshot: Snapshot, group_id: int, *, locality_id: int | None = None,
                organization_ids: set[int] | None = None, batch: int = 2000) -> Iterator[MissingPerson]:
    """Every person missing (for exports), described in batches."""
    tune_for_aggregates(session)
    localities = snapshot.tree.subtree(locality_id) if locality_id is not None else None
    scoped = organization_ids is not None or snapshot.scoped
    allowed = organization_ids if organization_ids is not None else snapshot.organization_ids
    parts = [dict(organization_ids=allowed)]
    if not scoped:
        parts.append(dict(no_employer=True))
    for part in parts:
        statement = missing_statement(session, snapshot.requirements, group_id, today=snapshot.today,
                                      outranked=snapshot.outranked(), localities=localities, **part)
        chunk: list[MissingPerson] = []
        for row in session.execute(statement):
            chunk.append(_person(*row))
            if len(chunk) >= batch:
                yield from describe(session, snapshot.requirements, group_id, chunk, today=snapshot.today)
                chunk = []
        yield from describe(session, snapshot.requirements, group_id, chunk, today=snapshot.today)


def _person(trainee_id: int, name: str, mobile: str | None, organization_id: int | None, locality_id: int | None,
            org_name: str | None) -> MissingPerson:
    return MissingPerson(trainee_id, name, mask_mobile(mobile), organization_id, org_name or "", locality_id)


def describe(session: Session, requirements: Requirements, group_id: int, people: list[MissingPerson], *,
             today: date) -> list[MissingPerson]:
    """Fill in what each person lacks: required courses not validly held today, and when they expired."""
    if not people:
        return people
    kinds = dict(session.execute(select(Organization.id, Organization.kind).where(
        Organization.id.in_({p.organization_id for p in people if p.organization_id is not None} or {-1}))).all())
    latest: dict[tuple[int, int], tuple[date, date | None]] = {}
    statement = (select(Trainee.id, Completion.course_id, Completion.completed_on, Completion.valid_until)
                 .join(Completion, Completion.person_id == Trainee.person_id)
                 .where(Trainee.id.in_([p.trainee_id for p in people]),
                        Completion.course_id.in_(requirements.course_ids()), Completion.completed_on <= today))
    for trainee_id, course_id, completed_on, valid_until in session.execute(statement):
        key = (trainee_id, course_id)
        if valid_until is None or valid_until >= today:
            latest[key] = (completed_on, None)  # valid: not lacking
        elif key not in latest or (latest[key][1] is not None and valid_until > latest[key][1]):
            latest[key] = (completed_on, valid_until)
    for person in people:
        mask = requirements.mask(group_id, kinds.get(person.organization_id))
        person.lacks = []
        for course in requirements.courses_of(mask):
            found = latest.get((person.trainee_id, course.id))
            if found is None:
                person.lacks.append(Lack(course, None))
            elif found[1] is not None:
                person.lacks.append(Lack(course, found[1]))
    return people

