"""Reminders an administrator sends by hand, from the roster (the people a filter selects who have training
overdue or due soon) and from the invitation page (people on the roster who have not registered).

Whoever has an account with a usable e-mail address is e-mailed, in their language, with the courses due and
since when; everyone else goes on a printed sheet. Each person reminded gets a PersonReminder: an e-mail only
once the server accepted it, a printed reminder when the sheet is made for them. Someone reminded within
REPEAT_AFTER is left out, so a second click (or two administrators at once) does not remind them again.
Unlike the automatic reminders (reminders.py) nothing here is sent on a schedule.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, Iterable

from flask import current_app
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, contains_eager, joinedload

from portal.domain.platform import audit
from portal.domain.workforce import compliance
from portal.domain.platform.localtime import local_date
from portal.domain.platform.mail import (
    Mailer, MessageRefused, MailUnavailable, Recipient, compose, mail_locale, valid_address
)
from portal.models import Assignment, Course, Organization, Person, PersonReminder, Trainee

REPEAT_AFTER = timedelta(hours=24)
TRAINING = "training"  # purpose: courses overdue or due soon
REGISTER = "register"  # purpose: on the roster without an account
EMAIL, PRINTED = "email", "printed"
_CHUNK = 500  # ids per IN (...) list


@dataclass
class Plan:
    """Who reminding the selected people reaches, and how; `due` holds each one's courses (training only)."""

    email: list[Trainee] = field(default_factory=list)
    printed: list[Trainee] = field(default_factory=list)
    already: list[Trainee] = field(default_factory=list)  # reminded within REPEAT_AFTER: left out
    due: dict[int, compliance.WhatIsDue] = field(default_factory=dict)

    @property
    def to_remind(self) -> int:
        return len(self.email) + len(self.printed)


@dataclass
class Outcome:
    """What a reminder did: ids of the people e-mailed and put on the printed sheet, and what failed."""

    emailed: list[int] = field(default_factory=list)
    printed: list[int] = field(default_factory=list)
    refused: int = 0  # addresses the server refused (those people are on the printed sheet instead)
    not_sent: int = 0  # left when the mail server stopped answering: not logged, reminded on the next try
    already: int = 0
    mail_error: str | None = None


def due_people(session: Session, roster: Select, today) -> list[Trainee]:
    """The people a roster statement (select(Trainee) joined to Person) selects who are active and have a course
    overdue or due within compliance.DUE_SOON_DAYS, with their accounts loaded."""
    statement = roster.where(compliance.has_due_clause(today)).options(
        contains_eager(Trainee.person).joinedload(Person.user))
    return list(session.scalars(statement).unique())


def address_of(trainee: Trainee) -> str | None:
    """The e-mail address a reminder goes to: the person's active account's, when usable."""
    user = trainee.person.user
    if user is None or not user.active or not valid_address(user.email):
        return None
    return user.email.strip()


def plan(session: Session, trainees: Iterable[Trainee], *, now: datetime, purpose: str = TRAINING,
         mail: bool = True) -> Plan:
    """Sort the people into e-mail, printed sheet and already reminded (mail=False: no server, all printed)."""
    trainees = list(trainees)
    recent = reminded_since(session, [t.id for t in trainees], now - REPEAT_AFTER)
    result = Plan()
    for trainee in trainees:
        if trainee.id in recent:
            result.already.append(trainee)
        elif mail and address_of(trainee):
            result.email.append(trainee)
        else:
            result.printed.append(trainee)
    if purpose == TRAINING:
        today = local_date(now)
        ids = [t.id for t in result.email + result.printed]
        for start in range(0, len(ids), _CHUNK):
            result.due.update(compliance.what_is_due(session, ids[start:start + _CHUNK], today))
    return result


def reminded_since(session: Session, trainee_ids: list[int], since: datetime) -> set[int]:
    """The people among these reminded (any channel, any purpose) after `since`."""
    found: set[int] = set()
    for start in range(0, len(trainee_ids), _CHUNK):
        found.update(session.scalars(select(PersonReminder.trainee_id).where(
            PersonReminder.trainee_id.in_(trainee_ids[start:start + _CHUNK]), PersonReminder.sent_at > since)))
    return found


def remind(session: Session, organization: Organization, planned: Plan, *, actor_id: int | None, address: str = "",
           now: datetime, mailer: Mailer | None, base_url: str, purpose: str = TRAINING,
           progress: Callable[[int, int], None] | None = None) -> Outcome:
    """E-mail and log the planned people, log the printed ones; flushes (the caller commits, also after a
    mail server failure: what the server accepted was sent and stays logged). Needs an app context."""
    outcome = Outcome(already=len(planned.already))
    courses = _course_codes(session, [t.id for t in planned.email + planned.printed], local_date(now))
    sheet = list(planned.printed)
    total = len(planned.email)
    for done, trainee in enumerate(planned.email, start=1):
        try:
            recipient = Recipient(address_of(trainee), trainee.real_name, mail_locale(trainee.person.user.locale))
            mailer.send(_message(organization, trainee, recipient, planned, now=now, base_url=base_url))
        except MessageRefused as error:
            current_app.logger.warning("manual reminder to trainee %s refused: %s", trainee.id, error)
            outcome.refused += 1
            sheet.append(trainee)
        except MailUnavailable as error:
            outcome.mail_error = str(error)
            outcome.not_sent = total - done + 1
            break
        else:
            _log(session, organization, trainee, EMAIL, purpose, courses.get(trainee.id, []), actor_id, now,
                 recipient=recipient.address)
            outcome.emailed.append(trainee.id)
        if progress:
            progress(done, total)
    for trainee in sheet:
        _log(session, organization, trainee, PRINTED, purpose, courses.get(trainee.id, []), actor_id, now)
        outcome.printed.append(trainee.id)
    session.flush()
    _audit(session, organization, outcome, actor_id=actor_id, address=address, purpose=purpose)
    return outcome


def _audit(session: Session, organization: Organization, outcome: Outcome, *, actor_id: int | None, address: str,
           purpose: str) -> None:
    details = {"emailed": len(outcome.emailed), "printed": len(outcome.printed), "refused": outcome.refused,
               "not_sent": outcome.not_sent, "already": outcome.already}
    if purpose == REGISTER:
        audit.record(session, actor_id=actor_id, action="reminder.register", target_type="organization",
                     target_id=organization.id, details=details, address=address)
    else:
        audit.record(session, actor_id=actor_id, action="reminder.training", target_type="organization",
                     target_id=organization.id, details=details, address=address)


def _message(organization: Organization, trainee: Trainee, recipient: Recipient, planned: Plan, *, now: datetime,
             base_url: str):
    """The e-mail to one person with an account: their courses overdue (since when) and due soon, the link."""
    due = planned.due.get(trainee.id, compliance.WhatIsDue())
    return compose("manual_reminder", recipient, now=now, org=organization, trainee=trainee,
                   overdue=due.overdue, due_soon=due.due_soon, today=local_date(now), link=f"{base_url}/me/")


def _log(session: Session, organization: Organization, trainee: Trainee, channel: str, purpose: str,
         courses: list[str], actor_id: int | None, now: datetime, *, recipient: str = "") -> None:
    session.add(PersonReminder(trainee_id=trainee.id, organization_id=organization.id, channel=channel,
                               purpose=purpose, recipient=recipient[:200], courses=courses, actor_id=actor_id,
                               sent_at=now))
    session.flush()  # logged as soon as it went: a later failure does not lose it


def _course_codes(session: Session, trainee_ids: list[int], today) -> dict[int, list[str]]:
    """The codes of each person's courses overdue or due soon, as the log keeps them."""
    horizon = today + timedelta(days=compliance.DUE_SOON_DAYS)
    codes: dict[int, list[str]] = {}
    for start in range(0, len(trainee_ids), _CHUNK):
        rows = session.execute(
            select(Assignment.trainee_id, Course.code).join(Course, Course.id == Assignment.course_id)
            .where(Assignment.trainee_id.in_(trainee_ids[start:start + _CHUNK]), Assignment.status == "open",
                   Assignment.due_on.is_not(None), Assignment.due_on <= horizon)
            .order_by(Assignment.due_on, Course.id))
        for trainee_id, code in rows:
            codes.setdefault(trainee_id, []).append(code)
    return codes


def history(session: Session, trainee_id: int) -> list[tuple[PersonReminder, list[Course]]]:
    """The reminders sent to one roster person, newest first, each with the courses it named."""
    reminders = session.scalars(select(PersonReminder).where(PersonReminder.trainee_id == trainee_id)
                                .options(joinedload(PersonReminder.actor))
                                .order_by(PersonReminder.sent_at.desc(), PersonReminder.id.desc())).all()
    codes = {code for reminder in reminders for code in reminder.courses or []}
    courses = {c.code: c for c in session.scalars(select(Course).where(Course.code.in_(codes)))} if codes else {}
    return [(r, [courses[c] for c in r.courses or [] if c in courses]) for r in reminders]

