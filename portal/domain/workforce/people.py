"""Persons and their employments: finding a person, who may employ them, joining two records of one human.

The rules of "one person, one record":
- a person is found by their ID number (canonical form) and by nothing weaker: a mobile alone is not proof;
- a person holds one active job unless the office allows second jobs (ALLOW_CONCURRENT_EMPLOYMENT); a
  second job shows in its company's standing figures, but coverage counts the person once, at their first job;
- joining two records of one person (a confirmed claim) moves every record to the one kept, never drops one.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, contains_eager

from portal.domain.workforce.employment import began
from portal.domain.platform.errors import ValidationError
from portal.models import (
    Attempt, Certificate, Completion, LessonProgress, OfflineAttendance, Person, RosterClaim, Trainee, User,
)


class EmployedElsewhere(ValidationError):
    """The person already works for another organization and may not hold a second job here."""

    code = "employed_elsewhere"

    def __init__(self, since: date, *, has_account: bool, field: str | None = "id_number"):
        if has_account:
            message = _l("This person is already employed at another organization since %(date)s. That employer "
                         "must release them first, or add them with the portal's form: they are then asked to confirm "
                         "the move from their own account.", date=format_date(since))
        else:
            message = _l("This person is already employed at another organization since %(date)s. That employer "
                         "must release them first.", date=format_date(since))
        super().__init__(message, field)
        self.since = since


def with_id_number(session: Session, id_number: str | None) -> Person | None:
    """The person with this (canonical) ID number."""
    if not id_number:
        return None
    return session.scalar(select(Person).where(Person.id_number == id_number))


def active_jobs(session: Session, person: Person, *, besides: int | None = None) -> list[Trainee]:
    """The person's active employments with an employer, except at organization `besides` (a job waiting for
    the person to confirm a move has status 'pending' and is not active)."""
    clauses = [Trainee.person_id == person.id, Trainee.status == "active", Trainee.organization_id.is_not(None)]
    if besides is not None:
        clauses.append(Trainee.organization_id != besides)
    return list(session.scalars(select(Trainee).where(*clauses).order_by(Trainee.start_date, Trainee.id)))


@dataclass(frozen=True)
class Standing:
    """What an employer may see of a person's other jobs: whether they have one and since when, no more."""

    employed_elsewhere: bool
    since: date | None
    has_account: bool


def _employed_since(jobs: list[Trainee]) -> date | None:
    """Since when the person has worked elsewhere: the earliest start (or roster date) of those jobs."""
    return min((began(job) for job in jobs), default=None)


def standing(session: Session, person: Person | None, org_id: int) -> Standing:
    if person is None:
        return Standing(False, None, False)
    others = active_jobs(session, person, besides=org_id)
    return Standing(bool(others), _employed_since(others), person.user_id is not None)


def check_may_employ(session: Session, person: Person, org_id: int, *, allow_concurrent: bool) -> bool:
    """Raise EmployedElsewhere unless the person may start a job at `org_id`; True when it is a second job."""
    others = active_jobs(session, person, besides=org_id)
    if others and not allow_concurrent:
        raise EmployedElsewhere(_employed_since(others), has_account=person.user_id is not None)
    return bool(others)


def promote_second_job(session: Session, person: Person) -> None:
    """When the job that placed a person ends, their earliest remaining job places them (coverage counts it)."""
    jobs = active_jobs(session, person)
    if jobs and all(job.second_job for job in jobs):
        jobs[0].second_job = False
        session.flush()


def close_unemployed_rows(session: Session, person: Person, *, on: date) -> None:
    """A person who registered without an employer and now has one is counted at the employer only."""
    for row in person.employments:
        if row.organization_id is None and row.status == "active":
            row.status, row.left_on = "left", on


def join(session: Session, keep: Person, drop: Person) -> Person:
    """Make `drop` part of `keep`: its employments, records, account and ID number move over, then it goes.

    Refused when both have an ID number and they differ (two humans), or both have an account.
    """
    if keep.id == drop.id:
        return keep
    if keep.id_number and drop.id_number and keep.id_number != drop.id_number:
        raise ValidationError(_l("These records carry two different ID numbers: they are two people."))
    if keep.user_id is not None and drop.user_id is not None:
        raise ValidationError(_l("Both records have their own account; the training office must join them."))
    number, user = keep.id_number or drop.id_number, keep.user or drop.user
    drop.id_number, drop.user = None, None
    session.flush()  # the unique ID number and account leave `drop` before `keep` takes them
    keep.id_number, keep.user = number, user
    for job in list(drop.employments):
        job.person = keep
    session.flush()
    _move_records(session, keep.id, drop.id)
    session.delete(drop)
    session.flush()
    return keep


def _move_records(session: Session, keep_id: int, drop_id: int) -> None:
    for model in (Completion, Attempt, Certificate):
        session.execute(update(model).where(model.person_id == drop_id).values(person_id=keep_id))
    _fold(session, LessonProgress, LessonProgress.lesson_id, keep_id, drop_id)
    _fold(session, OfflineAttendance, OfflineAttendance.session_id, keep_id, drop_id)


def _fold(session: Session, model, key, keep_id: int, drop_id: int) -> None:
    """Move rows unique per (person, key): where `keep` already has the key, the kept row absorbs the other."""
    kept = {row_key: row for row_key, row in
            ((getattr(r, key.key), r) for r in session.scalars(select(model).where(model.person_id == keep_id)))}
    for row in session.scalars(select(model).where(model.person_id == drop_id)).all():
        twin = kept.get(getattr(row, key.key))
        if twin is None:
            row.person_id = keep_id
            continue
        if model is LessonProgress:
            twin.seconds_spent += row.seconds_spent
            if row.read_at is not None and (twin.read_at is None or row.read_at < twin.read_at):
                twin.read_at = row.read_at
        session.delete(row)
    session.flush()


def has_account_with_mobile(session: Session, mobile: str) -> User | None:
    """The account registered with this mobile number, if any."""
    return session.scalar(select(User).where(User.mobile == mobile))


def _pending(*, org_id: int | None, user_id: int | None, direction: str | None) -> list:
    """WHERE clauses (on RosterClaim joined to its roster row) for the claims still waiting."""
    clauses = [RosterClaim.status == "pending"]
    if org_id is not None:
        clauses.append(Trainee.organization_id == org_id)
    if user_id is not None:
        clauses.append(RosterClaim.user_id == user_id)
    if direction is not None:
        clauses.append(RosterClaim.direction == direction)
    return clauses


def pending_claims(session: Session, *, org_id: int | None = None, user_id: int | None = None,
                   direction: str | None = None) -> list[RosterClaim]:
    """Claims still waiting, for one organization's roster or one account."""
    statement = (select(RosterClaim).join(Trainee, Trainee.id == RosterClaim.trainee_id)
                 .where(*_pending(org_id=org_id, user_id=user_id, direction=direction)))
    return list(session.scalars(statement.order_by(RosterClaim.created_at, RosterClaim.id)))


def count_pending_claims(session: Session, org_id: int) -> int:
    """How many registrations wait for this organization to confirm them (its dashboard's notice)."""
    return session.scalar(select(func.count()).select_from(RosterClaim)
                          .join(Trainee, Trainee.id == RosterClaim.trainee_id)
                          .where(*_pending(org_id=org_id, user_id=None, direction="by_person"))) or 0


@dataclass(frozen=True)
class Signups:
    """Who on an organization's active roster has an account and who has not registered yet."""

    registered: list[Trainee]
    unregistered: list[Trainee]


def signups(session: Session, org_id: int) -> Signups:
    """The invitation page's lists: the active roster split by whether the person has an account, by name."""
    rows = session.scalars(select(Trainee).join(Person, Person.id == Trainee.person_id)
                           .where(Trainee.organization_id == org_id, Trainee.status == "active")
                           .options(contains_eager(Trainee.person))
                           .order_by(Person.real_name, Trainee.id)).all()
    return Signups(registered=[t for t in rows if t.person.user_id is not None],
                   unregistered=[t for t in rows if t.person.user_id is None])
