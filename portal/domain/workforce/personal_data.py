"""A person's own data: everything the portal holds about them, and deleting an account."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, and_, cast, delete, or_, select
from sqlalchemy.orm import Session

from portal.domain.platform import audit
from portal.domain.platform.errors import NotAllowed, ValidationError
from portal.domain.platform.passwords import verify_password
from portal.models import (Assignment, Attempt, AuditEvent, Certificate, Commitment, Completion, EmploymentEvent,
                           LessonProgress, LoginSession, User)


def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _row(obj, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: _plain(getattr(obj, name)) for name in fields}


def export_personal_data(session: Session, user: User) -> dict[str, Any]:
    """Everything held about the user, as JSON-ready data (the password hash excepted)."""
    person = user.person
    data: dict[str, Any] = {
        "account": _row(user, ("id", "username", "mobile", "email", "display_name", "locale", "created_at", "last_login_at")),
        "roles": [{"role": g.role, "organization_id": g.organization_id, "sector_id": g.sector_id} for g in user.grants],
    }
    if person is not None:
        pid = person.id
        data["person"] = _row(person, ("id", "real_name", "mobile", "id_number", "created_at"))
        data["employments"] = [_employment(session, job) for job in person.employments]
        data["lessons"] = [dict(_row(p, ("opened_at", "read_at", "seconds_spent")), lesson=p.lesson.slug)
                           for p in session.scalars(select(LessonProgress).where(LessonProgress.person_id == pid))]
        data["quiz_attempts"] = [_attempt(a) for a in session.scalars(select(Attempt).where(Attempt.person_id == pid))]
        data["completions"] = [dict(_row(c, ("completed_on", "valid_until", "mode", "score")), course=c.course.code)
                               for c in session.scalars(select(Completion).where(Completion.person_id == pid))]
        data["commitments"] = [dict(_row(c, ("serial", "role", "text_version", "typed_name", "signed_at", "user_agent",
                                             "address", "valid_until", "revoked_at", "organization_id", "trainee_id")),
                                    title=c.text.title_zh)
                               for c in session.scalars(select(Commitment).where(Commitment.person_id == pid)
                                                        .order_by(Commitment.signed_at))]
        data["certificates"] = [_row(c, ("serial", "issued_at", "valid_until", "status", "holder_name"))
                                for c in session.scalars(select(Certificate).where(Certificate.person_id == pid))]
    data["audit_events_about_you"] = [_row(e, ("at", "action", "target_type", "target_id", "details", "address"))
                                      for e in session.scalars(_events_about(user))]
    data["audit_events_by_you"] = [_row(e, ("at", "action", "target_type", "target_id", "address"))
                                   for e in session.scalars(select(AuditEvent).where(AuditEvent.actor_id == user.id)
                                                            .order_by(AuditEvent.at, AuditEvent.id))]
    data["sessions"] = [_row(s, ("created_at", "last_seen_at", "ended_at", "ended_because", "remembered", "device",
                                 "address"))
                        for s in session.scalars(select(LoginSession).where(LoginSession.user_id == user.id)
                                                 .order_by(LoginSession.created_at))]
    return data


def _events_about(user: User):
    """The audit events whose record is the account, the person, one of their jobs, certificates or commitments."""
    targets = [and_(AuditEvent.target_type == "user", AuditEvent.target_id == str(user.id))]
    person = user.person
    if person is not None:
        targets.append(and_(AuditEvent.target_type == "person", AuditEvent.target_id == str(person.id)))
        job_ids = [str(job.id) for job in person.employments]
        if job_ids:
            targets.append(and_(AuditEvent.target_type == "trainee", AuditEvent.target_id.in_(job_ids)))
        certificates = select(cast(Certificate.id, String)).where(Certificate.person_id == person.id)
        targets.append(and_(AuditEvent.target_type == "certificate", AuditEvent.target_id.in_(certificates)))
        signed = select(cast(Commitment.id, String)).where(Commitment.person_id == person.id)
        targets.append(and_(AuditEvent.target_type == "commitment", AuditEvent.target_id.in_(signed)))
    return select(AuditEvent).where(or_(*targets)).order_by(AuditEvent.at, AuditEvent.id)


def _employment(session: Session, job) -> dict[str, Any]:
    """One job: the roster row, its history and what it requires."""
    row = _row(job, ("id", "organization_id", "locality_id", "post", "status", "start_date", "left_on", "second_job",
                     "created_at"))
    row["organization"] = job.organization.name if job.organization else None
    row["key_groups"] = [g.code for g in job.groups]
    row["history"] = [_row(e, ("kind", "effective_on", "post", "groups", "source", "created_at"))
                      for e in session.scalars(select(EmploymentEvent).where(EmploymentEvent.trainee_id == job.id))]
    row["assignments"] = [dict(_row(a, ("status", "due_on", "rule", "legal_basis", "created_at", "closed_at")),
                               course=a.course.code)
                          for a in session.scalars(select(Assignment).where(Assignment.trainee_id == job.id))]
    return row


def _attempt(attempt: Attempt) -> dict[str, Any]:
    return dict(_row(attempt, ("number", "started_at", "submitted_at", "score", "passed", "practice")),
                course=attempt.course.code,
                answers=[{"question": item.question_version.question.code, "answer": item.answer, "correct": item.correct}
                         for item in attempt.items])


def has_legal_records(session: Session, user: User) -> bool:
    """Training records the portal must keep (completions, certificates) exist for this person."""
    person = user.person
    if person is None:
        return False
    return (session.scalar(select(Completion.id).where(Completion.person_id == person.id).limit(1)) is not None
            or session.scalar(select(Certificate.id).where(Certificate.person_id == person.id).limit(1)) is not None)


def delete_account(session: Session, user: User, password: str, *, address: str) -> None:
    """Delete a trainee's own account when no legal training record must be kept.

    A roster row belongs to the employer and stays (the person only loses the account); a person nobody
    employs goes with the account.
    """
    if not verify_password(user.password_hash, password):
        raise ValidationError(_l("The password is not correct."), "password")
    if user.grants:
        raise NotAllowed(_l("Accounts with administrative roles are closed by the training office."))
    if has_legal_records(session, user):
        raise NotAllowed(_l("Your training records must be kept by law, so the account cannot be deleted. "
                            "Ask the training office if you think this is wrong."))
    person = user.person
    user_id = user.id
    if person is not None:
        session.execute(delete(LessonProgress).where(LessonProgress.person_id == person.id))
        for attempt in session.scalars(select(Attempt).where(Attempt.person_id == person.id)):
            session.delete(attempt)
        person.user_id = None
        session.flush()
        unemployed = [job for job in person.employments if job.organization_id is None]
        for job in unemployed:
            session.delete(job)
        if len(unemployed) == len(person.employments):  # nobody's roster holds them: the person goes too
            session.flush()
            session.delete(person)
    session.flush()
    for event in session.scalars(select(AuditEvent).where(AuditEvent.actor_id == user_id)):
        event.actor_id = None
    session.delete(user)
    session.flush()
    audit.record(session, actor_id=None, action="user.delete_self", target_type="user", target_id=user_id,
                 address=address)
