"""The demo's duty commitments: at 示范购物中心 the responsible person has signed and the fire-safety manager, whose
training is complete too, has not yet (the company's page shows one "to sign")."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.learning import hooks
from portal.domain.workforce.commitments import active_texts, person_duties
from portal.domain.workforce.rules import current_rules
from portal.models import Commitment, Completion, Course, KeyGroup, Organization, Trainee
from portal.models.people import trainee_group

MALL = "示范购物中心"


def _holder(session: Session, org: Organization, group: str) -> Trainee | None:
    return session.scalar(select(Trainee).join(trainee_group, trainee_group.c.trainee_id == Trainee.id)
                          .join(KeyGroup, KeyGroup.id == trainee_group.c.key_group_id)
                          .where(Trainee.organization_id == org.id, Trainee.status == "active", KeyGroup.code == group)
                          .order_by(Trainee.id).limit(1))


def _complete_training(session: Session, job: Trainee, courses, *, today: date) -> None:
    """A valid completion of each course the person lacks (done a month ago)."""
    done = today - timedelta(days=30)
    for code in courses:
        course = session.scalar(select(Course).where(Course.code == code))
        if course is None:
            continue
        valid = session.scalar(select(Completion.id).where(
            Completion.person_id == job.person_id, Completion.course_id == course.id,
            (Completion.valid_until.is_(None)) | (Completion.valid_until >= today)).limit(1))
        if valid is None:
            completion = Completion(person_id=job.person_id, course_id=course.id, completed_on=done, mode="online",
                                    score=90.0)
            session.add(completion)
            session.flush()
            hooks.completion_recorded(session, completion, now=datetime.combine(done, time(10), tzinfo=timezone.utc))


def seed_commitment_stories(session: Session, *, today: date) -> dict[str, int]:
    """Idempotent: training completed where missing, one commitment signed once."""
    org = session.scalar(select(Organization).where(Organization.name == MALL))
    rules = current_rules(session)
    if org is None or not active_texts(session):
        return {"commitments": 0}
    signed = 0
    for group, sign in (("responsible_person", True), ("safety_manager", False)):
        job = _holder(session, org, group)
        rule = rules.groups.get(group)
        if job is None or rule is None:
            continue
        _complete_training(session, job, rule.courses, today=today)
        duty = next((d for d in person_duties(session, job.person_id, today=today, rules=rules)
                     if d.trainee.id == job.id and d.role == group), None)
        if sign and duty is not None and duty.status in ("to_sign", "expired") and duty.text is not None:
            session.add(Commitment(
                person_id=job.person_id, trainee_id=job.id, organization_id=org.id, role=group, text_id=duty.text.id,
                text_version=duty.text.version, typed_name=job.person.real_name,
                signed_at=datetime.combine(today - timedelta(days=20), time(2, 30), tzinfo=timezone.utc),
                user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) demo", address="127.0.0.1",
                valid_until=duty.training.valid_until))
            signed += 1
    session.flush()
    return {"commitments": signed}
