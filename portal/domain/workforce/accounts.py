"""Accounts: registration with an invitation code, login, password changes."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Collection

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from portal.domain.platform import audit, login_sessions
from portal.domain.workforce import claims, people, schedule
from portal.domain.platform.errors import ValidationError
from portal.domain.platform.localtime import local_date
from portal.domain.workforce.rules import Rules
from portal.domain.platform.passwords import dummy_verify, hash_password, needs_rehash, verify_password
from portal.domain.platform.password_strength import check_password
from portal.domain.platform.validators import normalize_id_number, normalize_mobile
from portal.models import KeyGroup, Organization, PasswordResetCode, Person, Trainee, User, utcnow

# each role of models.ROLES in words (accounts page, audit log)
ROLE_LABELS = {
    "trainee": _l("trainee"),
    "org_admin": _l("company administrator"),
    "dept_viewer": _l("department viewer"),
    "office_admin": _l("office administrator"),
    "superuser": _l("superuser"),
}


def role_labels(roles) -> str:
    """"company administrator, trainee": the roles of an account in words."""
    return ", ".join(sorted(str(ROLE_LABELS.get(role, role)) for role in roles))


@dataclass
class Registration:
    real_name: str
    mobile: str
    password: str
    invite_code: str
    id_number: str = ""


def find_user(session: Session, login: str) -> User | None:
    """The user whose user name or mobile number is `login` (case-insensitive user name)."""
    login = (login or "").strip()
    if not login:
        return None
    return session.scalar(
        select(User).where(or_(func.lower(User.username) == login.lower(), User.mobile == login))
    )


def authenticate(session: Session, login: str, password: str, *, now: datetime) -> User | None:
    """The active user with these credentials, or None; spends equal time either way."""
    user = find_user(session, login)
    if user is None:
        dummy_verify(password)
        return None
    if not verify_password(user.password_hash, password) or not user.active:
        return None
    if needs_rehash(user.password_hash):  # made with an older cost: store one with today's (same password)
        user.password_hash = hash_password(password)
    user.last_login_at = now
    return user


def organization_for_invite(session: Session, code: str, public_code: str) -> Organization | None:
    """The employer an invitation code belongs to; None for the office's public code."""
    code = (code or "").strip()
    if code and code.upper() == public_code.upper():
        return None
    org = session.scalar(select(Organization).where(func.upper(Organization.invite_code) == code.upper()))
    if org is None:
        raise ValidationError(_l("This invitation code is not valid. Ask your employer for theirs."), "invite_code")
    return org


class RegistrationRefused(ValidationError):
    """Registration details with one or more problems, each with its field, to be shown all at once."""

    def __init__(self, problems: list[ValidationError]):
        super().__init__(problems[0].message, problems[0].field)
        self.problems = problems


def registration_problems(session: Session, data: Registration, *, public_code: str,
                          skip: Collection[str] = ()) -> list[ValidationError]:
    """Every problem of these details that a field shows on its own, all at once: the invitation code, the
    mobile, the ID number, the password and an account already holding the mobile or ID number. `skip`: fields
    the form has already found wrong.

    Whether a mobile or ID number has an account is told only once the invitation code is valid."""
    problems: list[ValidationError] = []

    def passes(field: str, check: Callable[[], object]) -> bool:
        if field in skip:
            return False
        try:
            check()
        except ValidationError as error:
            problems.append(ValidationError(error.message, error.field or field))
            return False
        return True

    code_valid = passes("invite_code", lambda: organization_for_invite(session, data.invite_code, public_code))
    mobile_valid = passes("mobile", lambda: normalize_mobile(data.mobile))
    typed_id = bool((data.id_number or "").strip())
    id_valid = typed_id and passes("id_number", lambda: normalize_id_number(data.id_number))
    mobile = normalize_mobile(data.mobile) if mobile_valid else (data.mobile or "").strip()
    passes("password", lambda: check_password(data.password, identifiers=(mobile, data.real_name)))
    if code_valid and mobile_valid:
        passes("mobile", lambda: _mobile_has_no_account(session, mobile))
    if code_valid and id_valid:
        passes("id_number", lambda: _id_number_has_no_account(session, normalize_id_number(data.id_number)))
    return problems


def _mobile_has_no_account(session: Session, mobile: str) -> None:
    if session.scalar(select(User.id).where(User.mobile == mobile)) is not None:
        raise ValidationError(_l("An account with this mobile number already exists. Log in instead."), "mobile")


def _id_number_has_no_account(session: Session, id_number: str) -> None:
    known = people.with_id_number(session, id_number)
    if known is not None and known.user_id is not None:
        raise ValidationError(_l("An account for this ID number already exists. Log in with it, or ask the "
                                 "training office for help."), "id_number")


class ClaimRefused(ValidationError):
    """The details typed do not prove that the roster row is this person's (one neutral message)."""

    def __init__(self):
        super().__init__(_l("These details do not match your employer's records. Check your ID number, or ask "
                            "your employer to check what they hold."), "id_number")


@dataclass
class Registered:
    user: User
    waiting: bool = False  # the claim on a roster row waits for the employer to confirm


def register_trainee(session: Session, data: Registration, *, public_code: str, now: datetime, rules: Rules,
                     allow_concurrent: bool = False) -> Registered:
    """Create a trainee's account and their person, joined to the inviting organization's roster, with their
    training worked out at once (the hourly scheduler is only for what time changes).

    A roster row with this mobile is joined only with proof: the ID number typed matches the one on the
    roster; when the roster has none, the claim waits for the employer. Nothing says whether a mobile is
    registered until the invitation code is known to be valid. RegistrationRefused lists every problem at once.
    """
    registered = _register(session, data, public_code=public_code, now=now, allow_concurrent=allow_concurrent)
    jobs = [job.id for job in registered.user.person.employments if job.status == "active"]
    schedule.reconcile_many(session, jobs, rules, now=now)
    return registered


def _register(session: Session, data: Registration, *, public_code: str, now: datetime,
              allow_concurrent: bool) -> Registered:
    problems = registration_problems(session, data, public_code=public_code)
    if problems:
        raise RegistrationRefused(problems)
    org = organization_for_invite(session, data.invite_code, public_code)
    mobile = normalize_mobile(data.mobile)
    name = (data.real_name or "").strip()
    id_number = normalize_id_number(data.id_number) if (data.id_number or "").strip() else None
    known = people.with_id_number(session, id_number)
    row = _roster_row(session, org, mobile)
    if row is not None and row.person.id_number and row.person.id_number != id_number:
        raise ClaimRefused()
    user = User(mobile=mobile, display_name=name, password_hash=hash_password(data.password))
    session.add(user)
    session.flush()
    if row is not None and row.person.id_number:  # proven: the ID number on the roster was typed
        row.person.user = user
        people.close_unemployed_rows(session, row.person, on=local_date(now))
        session.flush()
        return Registered(user)
    person = known or Person(real_name=name, mobile=mobile, id_number=id_number)
    person.user = user
    session.add(person)
    session.flush()
    if row is not None:  # the roster holds no ID number: the employer confirms; meanwhile the all-staff courses
        _join_organization(session, person, None, groups=list(session.scalars(
            select(KeyGroup).where(KeyGroup.code == "all_staff"))))
        claims.open_claim(session, row, user, "by_person", now=now)
        return Registered(user, waiting=True)
    _join_organization(session, person, org, allow_concurrent=allow_concurrent, today=local_date(now))
    return Registered(user)


def _join_organization(session: Session, person: Person, org: Organization | None, *, allow_concurrent: bool = False,
                       today=None, groups=()) -> None:
    """Put a newly registered person on the inviting organization's roster (or none, for the public code)."""
    if org is not None and any(job.organization_id == org.id and job.status == "active" for job in person.employments):
        return
    second = False
    if org is not None:
        try:
            second = people.check_may_employ(session, person, org.id, allow_concurrent=allow_concurrent)
        except people.EmployedElsewhere:
            return  # they keep their job elsewhere; the new employer can add them once released
        people.close_unemployed_rows(session, person, on=today)
    elif any(job.status == "active" for job in person.employments):
        return
    session.add(Trainee(person=person, organization=org, locality_id=org.locality_id if org else None,
                        second_job=second, groups=list(groups)))
    session.flush()


def _roster_row(session: Session, org: Organization | None, mobile: str) -> Trainee | None:
    """The inviting organization's own active roster row with this mobile and no account, never another's."""
    if org is None:
        return None
    return session.scalar(
        select(Trainee).join(Person, Person.id == Trainee.person_id).where(
            Trainee.organization_id == org.id, Person.mobile == mobile,
            Person.user_id.is_(None), Trainee.status == "active",
        ).order_by(Trainee.id).limit(1)
    )


def set_password(session: Session, user: User, new: str, *, reason: str = "reset", keep_token: str | None = None,
                 now: datetime | None = None) -> None:
    """Give a user a new password, checked first: the one place a password changes. Every session of theirs ends
    (but the one holding `keep_token`: the browser of a user changing their own password) and a reset code they
    hold is void."""
    check_password(new, identifiers=own_words(user))
    user.password_hash = hash_password(new)
    session.execute(delete(PasswordResetCode).where(PasswordResetCode.user_id == user.id))
    login_sessions.end_all(session, user.id, now=now or utcnow(), reason=reason, keep_token=keep_token)


def own_words(user: User) -> tuple[str, ...]:
    """What a user's password must not be built from: their user name, mobile, names and e-mail name."""
    person = user.person
    return (user.username or "", user.mobile or "", user.display_name or "", person.real_name if person else "",
            (user.email or "").partition("@")[0])


def change_password(session: Session, user: User, current: str, new: str, *, keep_token: str | None = None) -> None:
    """Change a user's own password after checking the current one; their other sessions end."""
    if not verify_password(user.password_hash, current):
        raise ValidationError(_l("The current password is not correct."), "current_password")
    set_password(session, user, new, reason="password", keep_token=keep_token)


def reset_password(session: Session, user: User, new: str, *, actor: User, address: str) -> None:
    """An administrator sets a new password for another user (every session of theirs ends); audit-logged."""
    set_password(session, user, new, reason="reset")
    audit.record(session, actor_id=actor.id, action="user.reset_password", target_type="user",
                 target_id=user.id, address=address)
