"""The demo's people stories: a guard whose certificate followed him to a new employer, a registration
that waits for the employer to confirm it, and a record for the office to check (all idempotent)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.workforce import accounts, roster
from portal.domain.learning import hooks
from portal.domain.workforce.rules import current_rules
from portal.models import Completion, Course, IdentityConflict, Organization, Person, Trainee, User, utcnow

MOVER_ID_NUMBER = "220302198505050019"  # 周强: Siping Tiexi district, born 1985-05-05
MOVER_MOBILE = "13700000001"
SECURITY_COURSE = "security-micro-station"


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9), tzinfo=timezone.utc)


def seed_people_stories(session: Session, *, today: date, password: str) -> dict[str, int]:
    """Add the two stories if missing; returns what was added."""
    counts = {"job changes": 0, "claims waiting": 0, "records to check": 0}
    first = session.scalar(select(Organization).where(Organization.invite_code == "DEMO0001"))
    third = session.scalar(select(Organization).where(Organization.invite_code == "DEMO0003"))
    if first is not None and third is not None and _seed_job_change(session, third, first, today=today):
        counts["job changes"] += 1
    if first is not None and _seed_waiting_claim(session, first, today=today, password=password):
        counts["claims waiting"] += 1
    if _seed_conflict(session):
        counts["records to check"] = 1
    return counts


def _seed_job_change(session: Session, old: Organization, new: Organization, *, today: date) -> bool:
    """周强 guarded DEMO0003 for a year with a valid security-staff certificate, left two weeks ago and now
    guards the shopping mall: the mall's roster shows the certificate and asks only for its own onboarding."""
    if session.scalar(select(Person.id).where(Person.id_number == MOVER_ID_NUMBER)) is not None:
        return False
    course = session.scalar(select(Course).where(Course.code == SECURITY_COURSE, Course.retired.is_(False)))
    if course is None:
        return False
    rules = current_rules(session)
    data = roster.PersonData("周强", MOVER_MOBILE, "保安员", today - timedelta(days=400), ["security_staff"],
                             id_number=MOVER_ID_NUMBER, department="安保部")
    before = _at(today - timedelta(days=400))
    guard = roster.hire(session, old, data, rules=rules, actor=roster.Actor(None, source="demo"), now=before)
    guard.created_at = before
    completion = Completion(person_id=guard.person_id, course_id=course.id, completed_on=today - timedelta(days=120),
                            mode="offline")
    session.add(completion)
    session.flush()
    hooks.completion_recorded(session, completion, now=_at(completion.completed_on))
    roster.release(session, guard, left_on=today - timedelta(days=14), actor=roster.Actor(None, source="demo"),
                   now=_at(today - timedelta(days=14)), rules=rules)
    data.start_date = today - timedelta(days=10)
    roster.hire(session, new, data, rules=rules, actor=roster.Actor(None, source="demo"), now=_at(today))
    return True


def _seed_conflict(session: Session) -> bool:
    """Two rosters spelt 周强's name differently when the portal joined them into one person: the office checks."""
    mover = session.scalar(select(Person).where(Person.id_number == MOVER_ID_NUMBER))
    if mover is None or session.scalar(select(IdentityConflict.id).limit(1)) is not None:
        return False
    session.add(IdentityConflict(person_id=mover.id, kind="names",
                                 details={"names": ["周强", "周墙"], "kept": "周强",
                                          "rows": [job.id for job in mover.employments]}))
    session.flush()
    return True


def _seed_waiting_claim(session: Session, org: Organization, *, today: date, password: str) -> bool:
    """Someone on the mall's roster without an ID number registered with the mall's code: the mall confirms."""
    row = session.scalar(
        select(Trainee).join(Trainee.person).where(
            Trainee.organization_id == org.id, Trainee.status == "active", Person.id_number.is_(None),
            Person.user_id.is_(None), Person.mobile.like("139%"))
        .order_by(Trainee.id).limit(1))
    if row is None or session.scalar(select(User.id).where(User.mobile == row.person.mobile)) is not None:
        return False
    registration = accounts.Registration(real_name=row.person.real_name, mobile=row.person.mobile,
                                         password=password, invite_code=org.invite_code)
    accounts.register_trainee(session, registration, public_code="", now=utcnow(), rules=current_rules(session))
    return True
