"""Accounts: registration with an invitation code, login, password changes."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from portal.domain import audit
from portal.domain.errors import ValidationError
from portal.domain.passwords import dummy_verify, hash_password, verify_password
from portal.domain.validators import check_password, normalize_id_number, normalize_mobile
from portal.models import Organization, Trainee, User


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


def register_trainee(session: Session, data: Registration, *, public_code: str) -> User:
    """Create a trainee's account, joined to their roster row in the inviting organization if any."""
    mobile = normalize_mobile(data.mobile)
    id_number = normalize_id_number(data.id_number) if data.id_number.strip() else None
    check_password(data.password, identifiers=(mobile,))
    if session.scalar(select(User.id).where(User.mobile == mobile)) is not None:
        raise ValidationError(_l("An account with this mobile number already exists. Log in instead."), "mobile")
    org = organization_for_invite(session, data.invite_code, public_code)
    user = User(mobile=mobile, display_name=data.real_name.strip(), password_hash=hash_password(data.password))
    session.add(user)
    session.flush()
    trainee = _roster_row(session, org, mobile)
    if trainee is None:
        trainee = Trainee(real_name=data.real_name.strip(), mobile=mobile, organization=org,
                          locality_id=org.locality_id if org else None)
        session.add(trainee)
    trainee.user = user
    if id_number:
        trainee.id_number = id_number
    session.flush()
    return user


def _roster_row(session: Session, org: Organization | None, mobile: str) -> Trainee | None:
    """The inviting organization's own unclaimed roster row with this mobile, never another's."""
    if org is None:
        return None
    return session.scalar(
        select(Trainee).where(
            Trainee.organization_id == org.id, Trainee.mobile == mobile,
            Trainee.user_id.is_(None), Trainee.status == "active",
        )
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
