"""Certificates for the demo district: completions for staff of the first organizations, some expired,
one renewed, one revoked. Idempotent: people who already completed the course are left alone."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.learning import hooks
from portal.domain.certificates.issue import revoke
from portal.domain.workforce.rules import current_rules
from portal.domain.workforce.schedule import completion_validity
from portal.models import Certificate, Completion, Course, Organization, Person, Trainee, User

PREFERRED_COURSE = "all-staff-basics"
ORGANIZATIONS = 3
PEOPLE_PER_ORGANIZATION = 8
DEMO_TRAINEE_LOGIN = "trainee"
REVOKE_REASON = "演示：培训记录核查有误 (demo: training record found to be wrong)"


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), tzinfo=timezone.utc)


def _complete(session: Session, trainee: Trainee, course: Course, completed_on: date) -> Completion:
    completion = Completion(person_id=trainee.person_id, course_id=course.id, completed_on=completed_on,
                            mode="offline", score=None)
    session.add(completion)
    session.flush()
    # valid for as long as the rules say; a course no rule requires (the test content's) gets a year, so that
    # the demo still shows an expired certificate
    completion.valid_until = (completion_validity(session, completion, current_rules(session))
                              or completed_on + timedelta(days=365))
    hooks.completion_recorded(session, completion, now=_at(completed_on))
    return completion


def _demo_course(session: Session) -> Course | None:
    course = session.scalar(select(Course).where(Course.code == PREFERRED_COURSE, Course.retired.is_(False)))
    return course or session.scalar(select(Course).where(Course.retired.is_(False)).order_by(Course.code).limit(1))


def _people(session: Session) -> list[Trainee]:
    orgs = session.scalars(select(Organization).order_by(Organization.id).limit(ORGANIZATIONS)).all()
    people = []
    for org in orgs:
        people += session.scalars(select(Trainee).join(Trainee.person).where(
            Trainee.organization_id == org.id, Trainee.status == "active", Person.user_id.is_(None))
                                  .order_by(Trainee.id).limit(PEOPLE_PER_ORGANIZATION)).all()
    return people


def seed_demo_certificates(session: Session, *, today: date) -> dict[str, int]:
    """Give demo staff completions and certificates (some expired, one renewed, one revoked).

    Needs a synced course (`flask content sync`); without one it adds nothing.
    """
    counts = {"completions": 0, "revoked": 0}
    course = _demo_course(session)
    if course is None:
        return counts
    done = set(session.scalars(select(Completion.person_id).where(Completion.course_id == course.id)))
    for n, trainee in enumerate(_people(session)):
        if trainee.person_id in done:
            continue
        if n % 4 == 3:  # completed 400 days ago: the certificate has expired
            _complete(session, trainee, course, today - timedelta(days=400))
        else:
            _complete(session, trainee, course, today - timedelta(days=3 + 9 * n))
        counts["completions"] += 1
    if session.scalar(select(Certificate.id).where(Certificate.status == "revoked").limit(1)) is None:
        target = session.scalar(select(Certificate).join(Person, Person.id == Certificate.person_id)
                                .where(Certificate.status == "valid", Person.user_id.is_(None))
                                .order_by(Certificate.id).offset(1).limit(1))
        if target is not None:
            revoke(session, target, reason=REVOKE_REASON, actor_id=None, now=_at(today))
            counts["revoked"] += 1
    _seed_demo_trainee(session, course, today, counts)
    session.flush()
    return counts


def _seed_demo_trainee(session: Session, course: Course, today: date, counts: dict[str, int]) -> None:
    """The demo trainee account: an expired certificate superseded by a renewal, so both show."""
    user = session.scalar(select(User).where(User.username == DEMO_TRAINEE_LOGIN))
    trainee = user.trainee if user is not None else None
    if trainee is None or session.scalar(select(Completion.id).where(
            Completion.person_id == trainee.person_id, Completion.course_id == course.id).limit(1)):
        return
    _complete(session, trainee, course, today - timedelta(days=420))
    _complete(session, trainee, course, today - timedelta(days=20))
    counts["completions"] += 2
