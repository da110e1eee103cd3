"""Who is compliant, due soon, overdue or never trained: one definition for pages, exports and the API."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, case, exists, func, not_, select
from sqlalchemy.orm import Session

from portal.models import Assignment, Completion, Course, KeyGroup, Trainee
from portal.models.people import trainee_group

STATUSES = ("compliant", "due_soon", "overdue", "never_trained")
DUE_SOON_DAYS = 30


def _open_due_before(day: date):
    return exists().where(Assignment.trainee_id == Trainee.id, Assignment.status == "open", Assignment.due_on < day)


def _has_completion():
    """The person of the roster row completed any course, at this employer or before."""
    return exists().where(Completion.person_id == Trainee.person_id)


def status_clause(status: str, today: date):
    """A WHERE clause on Trainee for one standing (active people only)."""
    overdue = _open_due_before(today)
    soon = _open_due_before(today + timedelta(days=DUE_SOON_DAYS + 1))
    active = Trainee.status == "active"
    clauses = {
        "overdue": and_(active, overdue),
        "never_trained": and_(active, not_(overdue), not_(_has_completion())),
        "due_soon": and_(active, not_(overdue), _has_completion(), soon),
        "compliant": and_(active, not_(soon), _has_completion()),
    }
    return clauses[status]


@dataclass(frozen=True)
class _CourseTitle:
    title_zh: str
    title_en: str

    def title(self, locale: str) -> str:
        return self.title_en if locale == "en" else self.title_zh


@dataclass(frozen=True)
class Overdue(_CourseTitle):
    """One overdue course of a person, and the day it became overdue."""

    since: date


@dataclass(frozen=True)
class DueSoon(_CourseTitle):
    """One course of a person due within DUE_SOON_DAYS, and the day it falls due."""

    due_on: date


@dataclass(frozen=True)
class WhatIsDue:
    """For one person: what is overdue and the next date that matters: the earliest open due date, or, with
    nothing open, the day the first required training they hold expires."""

    overdue: tuple[Overdue, ...] = ()
    next_due: date | None = None
    expires: bool = False  # next_due is an expiry (nothing open), not a due date
    due_soon: tuple[DueSoon, ...] = ()  # open courses due within DUE_SOON_DAYS (not yet overdue)


def what_is_due(session: Session, trainee_ids: list[int], today: date) -> dict[int, WhatIsDue]:
    """WhatIsDue for each listed person, in two queries whatever the count."""
    open_rows = session.execute(
        select(Assignment.trainee_id, Assignment.due_on, Course.title_zh, Course.title_en)
        .join(Course, Course.id == Assignment.course_id)
        .where(Assignment.trainee_id.in_(trainee_ids), Assignment.status == "open", Assignment.due_on.is_not(None))
        .order_by(Assignment.due_on, Course.id)).all()
    overdue: dict[int, list[Overdue]] = {}
    due_soon: dict[int, list[DueSoon]] = {}
    first_due: dict[int, date] = {}
    soon = today + timedelta(days=DUE_SOON_DAYS)
    for trainee_id, due_on, title_zh, title_en in open_rows:
        if due_on < today:
            overdue.setdefault(trainee_id, []).append(Overdue(title_zh, title_en, due_on))
        elif due_on <= soon:
            due_soon.setdefault(trainee_id, []).append(DueSoon(title_zh, title_en, due_on))
        first_due.setdefault(trainee_id, due_on)
    # With nothing open: the day the first of their valid completions expires (its renewal is due then).
    settled = [t for t in trainee_ids if t not in first_due]
    expiry = {}
    if settled:
        expiry = dict(session.execute(
            select(Trainee.id, func.min(Completion.valid_until))
            .join(Completion, Completion.person_id == Trainee.person_id)
            .where(Trainee.id.in_(settled), Completion.valid_until >= today)
            .group_by(Trainee.id)).all())
    result = {}
    for trainee_id in trainee_ids:
        if trainee_id in first_due:
            result[trainee_id] = WhatIsDue(tuple(overdue.get(trainee_id, ())), first_due[trainee_id],
                                           due_soon=tuple(due_soon.get(trainee_id, ())))
        else:
            result[trainee_id] = WhatIsDue(next_due=expiry.get(trainee_id), expires=trainee_id in expiry)
    return result


def has_due_clause(today: date):
    """A WHERE clause on Trainee: active, with an open course overdue or due within DUE_SOON_DAYS (whatever
    their standing: someone never trained with a course due next week is due soon too)."""
    return and_(Trainee.status == "active", _open_due_before(today + timedelta(days=DUE_SOON_DAYS + 1)))


def standing_of(session: Session, trainee_ids: list[int], today: date) -> dict[int, str]:
    """The standing of each listed person, in four queries whatever the count."""
    result = {}
    for status in STATUSES:
        for trainee_id in session.scalars(select(Trainee.id).where(Trainee.id.in_(trainee_ids), status_clause(status, today))):
            result[trainee_id] = status
    return result


def _standings(organization_id: int, today: date):
    """Each active person of the organization (a CTE: id, post) and their standing (an expression on it).

    The standing reads each person's earliest open due date and whether they ever completed a course,
    each looked up once (MATERIALIZED: not again for each use in the CASE), instead of one pass over the
    people per standing (status_clause). The same definition: overdue before anything; no completion is
    never trained; then due within DUE_SOON_DAYS; else compliant. A test holds the two to the same answers."""
    next_due = (select(func.min(Assignment.due_on)).where(Assignment.trainee_id == Trainee.id,
                                                         Assignment.status == "open").scalar_subquery())
    person = (select(Trainee.id, Trainee.post, next_due.label("next_due"), _has_completion().label("trained"))
              .where(Trainee.organization_id == organization_id, Trainee.status == "active")
              .cte("person").prefix_with("MATERIALIZED"))
    standing = case((person.c.next_due < today, "overdue"), (not_(person.c.trained), "never_trained"),
                    (person.c.next_due < today + timedelta(days=DUE_SOON_DAYS + 1), "due_soon"),
                    else_="compliant")
    return person, standing


def counts(session: Session, organization_id: int, today: date) -> dict[str, int]:
    """How many active people of an organization stand in each status."""
    person, standing = _standings(organization_id, today)
    found = dict(session.execute(select(standing, func.count()).group_by(standing)).all())
    return {status: found.get(status, 0) for status in STATUSES}


@dataclass
class Dashboard:
    """An organization's standing counts: overall, and [(label, {status: n})] per key group code and per post."""

    counts: dict[str, int]
    by_group: list[tuple[str, dict[str, int]]]
    by_post: list[tuple[str, dict[str, int]]]


def dashboard(session: Session, organization_id: int, today: date) -> Dashboard:
    """The dashboard's three tables from two queries: each person's standing, and everyone's key groups."""
    person, standing = _standings(organization_id, today)
    people = {person_id: (post or "", status) for person_id, post, status in
              session.execute(select(person.c.id, person.c.post, standing))}
    members = select(trainee_group.c.trainee_id, KeyGroup.code).join(
        KeyGroup, KeyGroup.id == trainee_group.c.key_group_id).where(trainee_group.c.trainee_id.in_(
            select(Trainee.id).where(Trainee.organization_id == organization_id, Trainee.status == "active")))
    overall = dict.fromkeys(STATUSES, 0)
    by_group: dict[str, dict[str, int]] = {}
    by_post: dict[str, dict[str, int]] = {}
    for post, status in people.values():
        overall[status] += 1
        by_post.setdefault(post, dict.fromkeys(STATUSES, 0))[status] += 1
    for person_id, code in session.execute(members):
        if person_id in people:  # joined or left between the two statements: counted as the first one saw
            by_group.setdefault(code, dict.fromkeys(STATUSES, 0))[people[person_id][1]] += 1
    return Dashboard(counts=overall, by_group=sorted(by_group.items()), by_post=sorted(by_post.items()))
