"""Accounts: registration with an invitation code, login, password changes."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from portal.domain import audit, claims, people
from portal.domain.errors import ValidationError
from portal.domain.localtime import local_date
from portal.domain.passwords import dummy_verify, hash_password, verify_password
from portal.domain.validators import check_password, normalize_id_number, normalize_mobile
from portal.models import KeyGroup, Organization, Person, Trainee, User


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


class ClaimRefused(ValidationError):
    """The details typed do not prove that the roster row is this person's (one neutral message)."""

    def __init__(self):
        super().__init__(_l("These details do not match your employer's records. Check your ID number, or ask "
                            "your employer to check what they hold."), "id_number")


@dataclass
class Registered:
    user: User
    waiting: bool = False  # the claim on a roster row waits for the employer to confirm


def register_trainee(session: Session, data: Registration, *, public_code: str, now: datetime,
                     allow_concurrent: bool = False) -> Registered:
    """Create a trainee's account and their person, joined to the inviting organization's roster.

    A roster row with this mobile is joined only with proof: the ID number typed matches the one on the
    roster; when the roster has none, the claim waits for the employer. Nothing says whether a mobile is
    registered until the invitation code is known to be valid.
    """
    org = organization_for_invite(session, data.invite_code, public_code)
    mobile = normalize_mobile(data.mobile)
    name = (data.real_name or "").strip()
    id_number = normalize_id_number(data.id_number) if (data.id_number or "").strip() else None
    check_password(data.password, identifiers=(mobile,))
    if session.scalar(select(User.id).where(User.mobile == mobile)) is not None:
        raise ValidationError(_l("An account with this mobile number already exists. Log in instead."), "mobile")
    known = people.with_id_number(session, id_number)
    if known is not None and known.user_id is not None:
        raise ValidationError(_l("An account for this ID number already exists. Log in with it, or ask the "
                                 "training office for help."), "id_number")
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


def change_password(user: User, current: str, new: str) -> None:
    """Change a user's own password after checking the current one."""
    if not verify_password(user.password_hash, current):
        raise ValidationError(_l("The current password is not correct."), "current_password")
    check_password(new, identifiers=(user.username or "", user.mobile or ""))
    user.password_hash = hash_password(new)


def reset_password(session: Session, user: User, new: str, *, actor: User, address: str) -> None:
    """An administrator sets a new password for a user; audit-logged."""
    check_password(new, identifiers=(user.username or "", user.mobile or ""))
    user.password_hash = hash_password(new)
    audit.record(session, actor_id=actor.id, action="user.reset_password", target_type="user",
                 target_id=user.id, address=address)
