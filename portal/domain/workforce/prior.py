"""Prior training: training done before or outside the portal (paper records, a training institution).

A company or the office records it with its evidence; it counts like any completion (due dates, standing,
coverage) for as long as the rules give the course, earns no portal certificate, and the office can reject it:
the completion goes, the record and the reason stay, and the schedule asks for the course again.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.platform import audit
from portal.domain.learning import hooks
from portal.domain.workforce import schedule
from portal.domain.platform.errors import ValidationError
from portal.domain.platform.localtime import local_date
from portal.domain.workforce.rules import Rules
from portal.models import Completion, Course, Person, PriorTraining

EARLIEST = date(1990, 1, 1)
MAX_HOURS = 200


@dataclass
class PriorData:
    course_code: str
    completed_on: date | None
    provider: str
    hours: float | None
    evidence: str


def _checked(session: Session, data: PriorData, today: date) -> tuple[Course, str, str]:
    course = session.scalar(select(Course).where(Course.code == (data.course_code or ""), Course.retired.is_(False)))
    if course is None:
        raise ValidationError(_l("Choose the course this training stands for."), "course")
    if data.completed_on is None or not EARLIEST <= data.completed_on <= today:
        raise ValidationError(_l("Enter the date of the training: a past date, from 1990 on."), "completed_on")
    provider, evidence = " ".join((data.provider or "").split()), " ".join((data.evidence or "").split())
    if not 2 <= len(provider) <= 200:
        raise ValidationError(_l("Name who gave the training (2 to 200 characters)."), "provider")
    if data.hours is None or not 0 < data.hours <= MAX_HOURS:
        raise ValidationError(_l("Class hours are more than 0 and at most %(n)s.", n=MAX_HOURS), "hours")
    if not 2 <= len(evidence) <= 200:
        raise ValidationError(_l("Say where the proof is: a certificate number or a file reference (2 to 200 "
                                 "characters)."), "evidence")
    return course, provider, evidence


def record(session: Session, person: Person, data: PriorData, *, organization_id: int | None, actor_id: int | None,
           now: datetime, rules: Rules, address: str = "") -> PriorTraining:
    """Record one prior training of a person and let it count (a completion of mode 'prior')."""
    course, provider, evidence = _checked(session, data, local_date(now))
    completion = Completion(person_id=person.id, course_id=course.id, completed_on=data.completed_on, mode="prior")
    session.add(completion)
    session.flush()
    completion.valid_until = schedule.completion_validity(session, completion, rules)
    prior = PriorTraining(person_id=person.id, course_id=course.id, completed_on=data.completed_on, provider=provider,
                          hours=float(data.hours), evidence=evidence, organization_id=organization_id,
                          recorded_by_id=actor_id, recorded_at=now, status="accepted", completion_id=completion.id)
    session.add(prior)
    hooks.completion_recorded(session, completion, now=now)
    _reconcile(session, person, rules, now)
    audit.record(session, actor_id=actor_id, action="prior_training.record", target_type="person",
                 target_id=person.id, address=address,
                 details={"course": course.code, "completed_on": data.completed_on.isoformat(), "provider": provider})
    return prior


def reject(session: Session, prior: PriorTraining, *, actor_id: int, reason: str, now: datetime, rules: Rules,
           address: str = "") -> None:
    """The office does not accept a prior training: it stops counting, and the schedule asks for the course again."""
    if prior.status != "accepted":
        raise ValidationError(_l("This record has already been rejected."))
    note = " ".join((reason or "").split())
    if not 2 <= len(note) <= 300:
        raise ValidationError(_l("Give the reason (2 to 300 characters): the company sees it."), "reason")
    completion = session.get(Completion, prior.completion_id) if prior.completion_id else None
    prior.status, prior.reviewed_by_id, prior.reviewed_at, prior.review_note = "rejected", actor_id, now, note
    prior.completion_id = None
    if completion is not None:
        session.delete(completion)
    session.flush()
    _reconcile(session, prior.person, rules, now)
    audit.record(session, actor_id=actor_id, action="prior_training.reject", target_type="person",
                 target_id=prior.person_id, address=address, details={"prior_training": prior.id, "reason": note})


def _reconcile(session: Session, person: Person, rules: Rules, now: datetime) -> None:
    for job in person.employments:
        if job.status == "active":
            schedule.reconcile(session, job, rules, now=now)


def for_person(session: Session, person_id: int) -> list[PriorTraining]:
    return list(session.scalars(select(PriorTraining).where(PriorTraining.person_id == person_id)
                                .order_by(PriorTraining.completed_on.desc(), PriorTraining.id.desc())))
