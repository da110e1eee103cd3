"""Offline classroom sessions: the office or a company records a session and who attended it.

Attendance (picked from the roster, typed as mobile numbers, or signed in by the trainee with the
session's QR code) creates a Completion marked offline, dated the day of the session; the completion
hooks then close the person's assignments and issue the certificate, exactly as for an online course.
"""
from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, contains_eager

from portal.domain.platform import audit
from portal.domain.learning import hooks
from portal.domain.platform.errors import NotAllowed, ValidationError
from portal.domain.platform.validators import normalize_mobile
from portal.models import (Completion, Course, KeyGroup, OfflineAttendance, OfflineSession, Organization, Person,
                           Trainee)

SIGN_IN_DAYS_AFTER = 1  # the QR code still works the day after the session (late scans, time zones)
METHODS = ("roster", "qr")
BACKDATED = "coverage.offline_session.backdated"  # labelled in audit_labels.ACTIONS
# Class hours (学时) are typed in half hours; a session gives at most a day's worth.
HOURS_STEP = 0.5
MAX_SESSION_HOURS = 24.0
HOURS_TEXT = re.compile(r"\d{1,3}(?:\.\d{1,2})?")


@dataclass(frozen=True)
class SessionData:
    course_id: int
    organization_id: int | None
    held_on: date
    trainer: str
    place: str
    hours: object = None  # class hours as typed; blank: the course's


def read_hours(value, *, most: float, field: str = "hours") -> float:
    """Class hours as typed ("1.5", "１．５", 2): more than 0, at most `most`, in half hours; ValidationError
    (for `field`) otherwise. `most` itself is always accepted (a course's hours need not be whole halves)."""
    text = unicodedata.normalize("NFKC", str(value if value is not None else "")).strip()
    if not HOURS_TEXT.fullmatch(text):
        raise ValidationError(_l("Write the class hours as a number such as 1.5."), field)
    hours = float(text)
    if hours != most and not (0 < hours <= most and (hours / HOURS_STEP).is_integer()):
        raise ValidationError(_l("Class hours must be more than 0 and at most %(most)s, in steps of 0.5.",
                                 most=f"{most:g}"), field)
    return hours


def session_hours(offline: OfflineSession) -> float:
    """The class hours the session gave (the course's, for sessions recorded before sessions stated theirs)."""
    return float(offline.hours if offline.hours is not None else offline.course.credit_hours)


def new_sign_in_code() -> str:
    return secrets.token_urlsafe(12)


@dataclass(frozen=True)
class DateWindow:
    """How far from today a session may be dated: recorded (and its attendance) up to `days_back` days after it was
    held, planned up to `days_ahead` days before. Attendance makes completions dated the day of the session, so an
    open-ended date would let anyone who keeps sessions make certificates for any year."""

    days_back: int = 90
    days_ahead: int = 365


def check_date(held_on: date, *, today: date, window: DateWindow) -> None:
    """Refuse a session date outside the window around today."""
    if held_on < today - timedelta(days=window.days_back):
        raise ValidationError(_l("A session can be recorded up to %(days)s days after it was held; record older "
                                 "training as prior training, with its evidence.", days=window.days_back), "held_on")
    if held_on > today + timedelta(days=window.days_ahead):
        raise ValidationError(_l("A session can be planned up to %(days)s days ahead.", days=window.days_ahead),
                              "held_on")


def create_session(session: Session, data: SessionData, *, actor_id: int | None, today: date,
                   window: DateWindow = DateWindow(), address: str = "") -> OfflineSession:
    """Record a classroom session dated within the window around today; audit-logged, a date before today (its
    completions will be back-dated) once more on its own."""
    check_date(data.held_on, today=today, window=window)
    course = session.get(Course, data.course_id)
    if course is None or course.retired:
        raise ValidationError(_l("Choose a course."), "course_id")
    if data.organization_id is not None and session.get(Organization, data.organization_id) is None:
        raise ValidationError(_l("Choose an organization."), "organization_id")
    if not data.trainer.strip():
        raise ValidationError(_l("Name the trainer."), "trainer")
    if not data.place.strip():
        raise ValidationError(_l("Say where the session was held."), "place")
    blank = data.hours is None or not str(data.hours).strip()
    hours = float(course.credit_hours) if blank else read_hours(data.hours, most=MAX_SESSION_HOURS)
    record = OfflineSession(course_id=course.id, organization_id=data.organization_id, held_on=data.held_on,
                            trainer=data.trainer.strip()[:100], place=data.place.strip()[:200], hours=hours,
                            sign_in_code=new_sign_in_code(), created_by_id=actor_id)
    session.add(record)
    session.flush()
    audit.record(session, actor_id=actor_id, action="coverage.offline_session.create", target_type="offline_session",
                 target_id=record.id, address=address,
                 details={"course": course.code, "held_on": data.held_on.isoformat(),
                          "organization_id": data.organization_id, "hours": hours})
    if data.held_on < today:
        audit.record(session, actor_id=actor_id, action=BACKDATED, target_type="offline_session",
                     target_id=record.id, address=address,
                     details={"held_on": data.held_on.isoformat(), "recorded_on": today.isoformat(),
                              "days_back": (today - data.held_on).days, "course": course.code,
                              "organization_id": data.organization_id})
    return record


def eligible(offline: OfflineSession):
    """A WHERE clause on Trainee: who may attend (the organization's active people, or anyone active)."""
    clause = Trainee.status == "active"
    if offline.organization_id is not None:
        clause = clause & (Trainee.organization_id == offline.organization_id)
    return clause


def record_attendance(session: Session, offline: OfflineSession, trainee_ids, *, method: str, now: datetime,
                      today: date, window: DateWindow = DateWindow(), actor_id: int | None = None,
                      address: str = "", hours: Mapping[int, object] | None = None) -> int:
    """Add attendees (each once) and their offline completions; returns how many were added. Each earns the
    session's class hours, or the hours `hours` gives for their trainee id (read_hours: fewer, for someone who left
    early); every value is checked before anything is added. Attendance is recorded from the day of the session
    until `window.days_back` days after it."""
    if method not in METHODS:
        raise ValueError(f"unknown attendance method {method!r}")
    if offline.held_on > today:
        raise NotAllowed(_l("Attendance can be recorded from the day of the session."))
    if offline.held_on < today - timedelta(days=window.days_back):
        raise NotAllowed(_l("Attendance can be recorded up to %(days)s days after the session.",
                            days=window.days_back))
    wanted = sorted({int(t) for t in trainee_ids})
    if not wanted:
        return 0
    present = set(session.scalars(select(OfflineAttendance.person_id).where(
        OfflineAttendance.session_id == offline.id)))
    people = list(session.scalars(select(Trainee).where(Trainee.id.in_(wanted), eligible(offline))
                                  .order_by(Trainee.id)))
    if len(people) != len(wanted):
        raise ValidationError(_l("Some of these people are not on the session's roster."))
    earned = _attendee_hours(offline, people, hours or {})
    added = 0
    for trainee in people:
        if trainee.person_id in present:
            continue
        present.add(trainee.person_id)
        session.add(OfflineAttendance(session_id=offline.id, person_id=trainee.person_id, method=method,
                                      recorded_at=now, hours=earned[trainee.id]))
        completion = Completion(person_id=trainee.person_id, course_id=offline.course_id, completed_on=offline.held_on,
                                mode="offline", offline_session_id=offline.id)
        session.add(completion)
        session.flush()  # the certificate the hook issues states the attendee's hours (study_time.credited_hours)
        hooks.completion_recorded(session, completion, now=now)
        added += 1
    if added and method == "roster":
        audit.record(session, actor_id=actor_id, action="coverage.offline_session.attendance",
                     target_type="offline_session", target_id=offline.id, address=address,
                     details={"added": added, "fewer_hours": sum(1 for value in earned.values()
                                                                 if value < session_hours(offline))})
    session.flush()
    return added


def _attendee_hours(offline: OfflineSession, people: list[Trainee], typed: Mapping[int, object]) -> dict[int, float]:
    """Trainee id -> class hours earned: the session's unless typed; a wrong value names its person."""
    most = session_hours(offline)
    earned = {}
    for trainee in people:
        value = typed.get(trainee.id)
        if value is None or not str(value).strip():
            earned[trainee.id] = most
            continue
        try:
            earned[trainee.id] = read_hours(value, most=most, field=f"hours-{trainee.id}")
        except ValidationError as error:
            raise ValidationError(_l("%(name)s: %(reason)s", name=trainee.real_name, reason=error.message),
                                  error.field) from None
    return earned


@dataclass(frozen=True)
class PickerFilter:
    """What the attendance picker shows: a name (or part of a mobile number), a post, a department, a key group
    code."""

    name: str = ""
    post: str = ""
    group: str = ""
    department: str = ""

    @classmethod
    def from_values(cls, values: Mapping[str, str]) -> PickerFilter:
        def clean(key: str, limit: int) -> str:
            return " ".join(unicodedata.normalize("NFKC", values.get(key) or "").split())[:limit]
        return cls(name=clean("q", 50), post=clean("post", 100), group=clean("group", 40),
                   department=clean("department", 100))

    @property
    def active(self) -> bool:
        return bool(self.name or self.post or self.group or self.department)


def picker_people(session: Session, offline: OfflineSession, chosen: PickerFilter, *, exclude_person_ids=(),
                  limit: int | None = 500, only_ids=None) -> list[Trainee]:
    """The session's roster (eligible) that the filter keeps, by name, without people already present;
    `only_ids`: among these trainee ids only."""
    if only_ids is not None and not only_ids:
        return []
    statement = (select(Trainee).join(Trainee.person).options(contains_eager(Trainee.person))
                 .where(eligible(offline)).order_by(Person.real_name, Trainee.id))
    if only_ids is not None:
        statement = statement.where(Trainee.id.in_(list(only_ids)))
    if exclude_person_ids:
        statement = statement.where(Trainee.person_id.not_in(list(exclude_person_ids)))
    if chosen.name:
        pattern = "%" + chosen.name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        clause = Person.real_name.ilike(pattern, escape="\\")
        if chosen.name.isdigit() and len(chosen.name) >= 3:
            clause = clause | Person.mobile.like(pattern, escape="\\")
        statement = statement.where(clause)
    if chosen.post:
        statement = statement.where(Trainee.post == chosen.post)
    if chosen.department:
        statement = statement.where(Trainee.department == chosen.department)
    if chosen.group:
        statement = statement.where(Trainee.groups.any(KeyGroup.code == chosen.group))
    return list(session.scalars(statement if limit is None else statement.limit(limit)))


def picker_choices(session: Session, offline: OfflineSession) -> tuple[list[str], list[KeyGroup]]:
    """The posts held on the session's roster and the active key groups, for the picker's filters."""
    posts = list(session.scalars(select(Trainee.post).where(eligible(offline), Trainee.post != "")
                                 .distinct().order_by(Trainee.post)))
    groups = list(session.scalars(select(KeyGroup).where(KeyGroup.active.is_(True))
                                  .order_by(KeyGroup.sort_order, KeyGroup.code)))
    return posts, groups


def picker_departments(session: Session, offline: OfflineSession) -> list[str]:
    """The departments named on the session's roster, for the picker's department filter."""
    return list(session.scalars(select(Trainee.department).where(eligible(offline), Trainee.department != "")
                                .distinct().order_by(Trainee.department)))


def trainees_by_mobile(session: Session, offline: OfflineSession, text: str) -> list[int]:
    """The attendees named by mobile numbers (one per line, or separated by commas or spaces)."""
    ids, unknown = [], []
    for token in text.replace(",", " ").replace("，", " ").split():
        try:
            mobile = normalize_mobile(token)
        except ValidationError:
            unknown.append(token)
            continue
        found = session.scalar(select(Trainee.id).join(Person, Person.id == Trainee.person_id)
                               .where(Person.mobile == mobile, eligible(offline))
                               .order_by(Trainee.id).limit(1))
        if found is None:
            unknown.append(token)
        else:
            ids.append(found)
    if unknown:
        raise ValidationError(_l("Not on the session's roster: %(mobiles)s", mobiles=", ".join(unknown[:10])), "mobiles")
    return ids


def find_by_code(session: Session, code: str) -> OfflineSession | None:
    code = (code or "").strip()
    if not code or len(code) > 32:
        return None
    return session.scalar(select(OfflineSession).where(OfflineSession.sign_in_code == code))


def sign_in(session: Session, offline: OfflineSession, trainee: Trainee, *, now: datetime, today: date) -> bool:
    """A trainee signs in with the session's QR code; True when newly recorded, False if already there."""
    if today < offline.held_on:
        raise NotAllowed(_l("Sign-in opens on the day of the session."))
    if today > offline.held_on + timedelta(days=SIGN_IN_DAYS_AFTER):
        raise NotAllowed(_l("Sign-in for this session has closed. Ask the trainer to record your attendance."))
    if trainee.status != "active" or (offline.organization_id is not None
                                      and trainee.organization_id != offline.organization_id):
        raise NotAllowed(_l("This session is for another organization's staff."))
    if session.scalar(select(OfflineAttendance.id).where(OfflineAttendance.session_id == offline.id,
                                                         OfflineAttendance.person_id == trainee.person_id)):
        return False
    return record_attendance(session, offline, [trainee.id], method="qr", now=now, today=today) == 1


def attendance(session: Session, offline: OfflineSession) -> list[tuple[OfflineAttendance, Person]]:
    return [tuple(row) for row in session.execute(
        select(OfflineAttendance, Person).join(Person, Person.id == OfflineAttendance.person_id)
        .where(OfflineAttendance.session_id == offline.id).order_by(Person.real_name, Person.id))]


def sessions_statement(*, organization_ids: set[int] | None = None):
    """Sessions, newest first; limited to some organizations' sessions."""
    statement = select(OfflineSession).order_by(OfflineSession.held_on.desc(), OfflineSession.id.desc())
    if organization_ids is not None:
        statement = statement.where(OfflineSession.organization_id.in_(organization_ids or [-1]))
    return statement


def attendee_counts(session: Session, session_ids) -> dict[int, int]:
    """Session id -> number of attendees, in one query."""
    return dict(session.execute(select(OfflineAttendance.session_id, func.count())
                                .where(OfflineAttendance.session_id.in_(list(session_ids) or [-1]))
                                .group_by(OfflineAttendance.session_id)).all())


def sessions_table(session: Session, statement, locale: str):
    """Headers and rows of a list of sessions, for exports."""
    from flask_babel import gettext as _

    records = list(session.scalars(statement))
    names = dict(session.execute(select(Organization.id, Organization.name).where(
        Organization.id.in_({r.organization_id for r in records} - {None} or {-1}))).all())
    counts = attendee_counts(session, [r.id for r in records])
    headers = [_("Date"), _("Course"), _("Organization"), _("Trainer"), _("Place"), _("Attendees")]
    rows = [[r.held_on, r.course.title(locale), names.get(r.organization_id) or _("The office"), r.trainer, r.place,
             counts.get(r.id, 0)] for r in records]
    return headers, rows
