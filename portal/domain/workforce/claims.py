"""Claims: an account and a roster row that may be one person, joined only when the other side agrees.

- by_person: someone registered with the employer's invitation code and a mobile on its roster, but the
  roster holds no ID number to prove it. The employer confirms (company pages, "waiting to be confirmed").
- by_employer: an employer added a mobile that belongs to an account. The account's owner confirms from
  their own pages; confirming a move ends their earlier job unless the office allows second jobs.
- move: an employer added (with the ID number) a person who works elsewhere and has an account; the roster
  row waits with status 'pending' until the person confirms the move (their earlier job ends that day).
Every decision is in the audit log; confirming joins the two records into one person (people.join).
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from portal.domain.platform import audit
from portal.domain.workforce import people, schedule
from portal.domain.platform.errors import ValidationError
from portal.domain.platform.localtime import local_date
from portal.domain.workforce.rules import Rules
from portal.models import EmploymentEvent, RosterClaim, Trainee, User


def open_claim(session: Session, row: Trainee, user: User, direction: str, *, now: datetime) -> RosterClaim:
    """Record that `user` and roster row `row` may be one person, waiting for the other side."""
    claim = RosterClaim(trainee_id=row.id, user_id=user.id, direction=direction, status="pending", created_at=now)
    session.add(claim)
    session.flush()
    audit.record(session, actor_id=user.id if direction == "by_person" else None, action=f"claim.{direction}",
                 target_type="trainee", target_id=row.id, details={"claim": claim.id})
    return claim


def _pending(claim: RosterClaim) -> None:
    if claim.status != "pending":
        raise ValidationError(_l("This request has already been decided."))


def confirm(session: Session, claim: RosterClaim, *, actor: User, now: datetime, allow_concurrent: bool,
            address: str = "") -> Trainee:
    """Join the account's person and the roster row's person; returns the roster row."""
    _pending(claim)
    row = claim.trainee
    if claim.direction == "move":
        _move(session, row, actor=actor, now=now, allow_concurrent=allow_concurrent)
    else:
        _join(session, claim, actor=actor, now=now, allow_concurrent=allow_concurrent)
    session.flush()
    session.refresh(row)
    people.close_unemployed_rows(session, row.person, on=local_date(now))
    claim.status, claim.decided_at, claim.decided_by_id = "confirmed", now, actor.id
    session.flush()
    audit.record(session, actor_id=actor.id, action="claim.confirm", target_type="trainee", target_id=row.id,
                 details={"claim": claim.id, "direction": claim.direction}, address=address)
    return row


DECISIONS = ("confirm", "refuse")


def decide(session: Session, claim: RosterClaim, decision: str, *, actor: User, now: datetime, rules: Rules,
           allow_concurrent: bool, address: str = "") -> None:
    """Carry out the deciding side's answer; a confirmed row's training is brought in line with the rules."""
    if decision == "confirm":
        row = confirm(session, claim, actor=actor, now=now, allow_concurrent=allow_concurrent, address=address)
        schedule.reconcile(session, row, rules, now=now)
    elif decision == "refuse":
        refuse(session, claim, actor=actor, now=now, address=address)
    else:
        raise ValueError(f"unknown decision {decision!r}")


def _join(session: Session, claim: RosterClaim, *, actor: User, now: datetime, allow_concurrent: bool) -> None:
    """by_person: the roster row's person takes in the account's; by_employer: the account's person takes in the
    row's (and, unless the office allows second jobs, their other jobs end: they confirmed working here)."""
    row, user = claim.trainee, claim.user
    if claim.direction == "by_person":
        keep, drop = row.person, user.person
    else:
        keep, drop = user.person, row.person
        if keep is not None and not allow_concurrent:
            _end_other_jobs(session, keep, row, actor=actor, now=now)
    if keep is None:
        row.person.user = user
    elif drop is not None:
        people.join(session, keep, drop)
    session.flush()
    row.second_job = bool(people.active_jobs(session, row.person, besides=row.organization_id))


def _move(session: Session, row: Trainee, *, actor: User, now: datetime, allow_concurrent: bool) -> None:
    """The person confirms the move: the waiting row becomes their job (their other jobs end, unless the office
    allows second jobs)."""
    if not allow_concurrent:
        _end_other_jobs(session, row.person, row, actor=actor, now=now)
    row.second_job = bool(people.active_jobs(session, row.person, besides=row.organization_id))
    row.status, row.left_on = "active", None
    session.add(EmploymentEvent(trainee_id=row.id, organization_id=row.organization_id, kind="hire",
                                effective_on=row.start_date or local_date(now), post=row.post,
                                groups=[g.code for g in row.groups], actor_id=actor.id, source="person"))


def _end_other_jobs(session: Session, person, row: Trainee, *, actor: User, now: datetime) -> None:
    """The person confirms a move: their jobs at other employers end today."""
    for job in people.active_jobs(session, person, besides=row.organization_id):
        job.status, job.left_on = "left", local_date(now)
        session.add(EmploymentEvent(trainee_id=job.id, organization_id=job.organization_id, kind="leave",
                                    effective_on=local_date(now), post=job.post, groups=[g.code for g in job.groups],
                                    actor_id=actor.id, source="person"))


def refuse(session: Session, claim: RosterClaim, *, actor: User, now: datetime, address: str = "") -> None:
    """Keep the two apart: the account keeps its own record, the roster row its own."""
    _pending(claim)
    claim.status, claim.decided_at, claim.decided_by_id = "refused", now, actor.id
    session.flush()
    audit.record(session, actor_id=actor.id, action="claim.refuse", target_type="trainee", target_id=claim.trainee_id,
                 details={"claim": claim.id, "direction": claim.direction,
                          "organization": claim.trainee.organization_id}, address=address)
    if claim.direction == "move":  # the waiting row was never a job: it goes (the audit log keeps the answer)
        row = claim.trainee
        person = row.person
        session.delete(claim)
        session.delete(row)
        session.flush()
        session.expire(person, ["employments"])
