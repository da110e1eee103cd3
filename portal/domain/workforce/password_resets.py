"""A new password without the old one, and without SMS.

Two ways: a one-time code that a company administrator or the office gives the person (shown once to the
issuer, kept only as an argon2 hash, expiring, used up by the reset, replaced by a newer code, void once the
password changes), or a link e-mailed to the account's own address (signed and expiring; it carries the password
stamp, which the new password changes, so it works once). Who may issue a code is policy.may_reset_password_of.
"""
from __future__ import annotations

import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.domain.workforce import accounts
from portal.domain.platform import audit
from portal.domain.platform.errors import ValidationError
from portal.domain.platform.mail import Recipient, compose, mail_locale, valid_address
from portal.domain.platform.passwords import dummy_verify, hash_password, verify_password
from portal.domain.platform.password_strength import check_password
from portal.models import PasswordResetCode, User

# No 0/O, 1/I/L: a code is read out over the phone and typed on one. 31 symbols, 8 of them: about 40 bits,
# against a few tries an hour per account once wrong codes bring waits (web/failed_attempts.py).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
LINK_SALT = "password-reset-link"


class ResetRefused(ValidationError):
    """A wrong, expired or used code: one message whatever the reason, so nothing tells which accounts exist."""

    def __init__(self, message=None):
        super().__init__(message or _l("This reset code does not match this mobile number or user name, or it has "
                                       "expired or been used. Check both, or ask for a new code."))


@dataclass(frozen=True)
class IssuedCode:
    """A code just issued: the only time it exists in clear."""

    code: str
    expires_at: datetime

    @property
    def readable(self) -> str:
        """ABCD-EFGH: easier to read out; the dash may be typed or not."""
        return f"{self.code[:4]}-{self.code[4:]}"


def issue_code(session: Session, user: User, *, actor: User, now: datetime, valid_for: timedelta,
               address: str = "") -> IssuedCode:
    """A new reset code for the user, replacing any earlier one; audit-logged (who, for whom, never the code)."""
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    session.execute(delete(PasswordResetCode).where(PasswordResetCode.user_id == user.id))
    row = PasswordResetCode(user_id=user.id, code_hash=hash_password(code), created_at=now, expires_at=now + valid_for)
    session.add(row)
    session.flush()
    audit.record(session, actor_id=actor.id, action="user.reset_code_issued", target_type="user", target_id=user.id,
                 details={"expires_at": row.expires_at.isoformat(timespec="minutes")}, address=address)
    return IssuedCode(code, row.expires_at)


def normalize_code(typed: str) -> str:
    """The code as issued: full-width characters made ASCII, spaces and dashes removed, upper case."""
    return re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", typed or "")).upper()


def reset_with_code(session: Session, login: str, code: str, new_password: str, *, now: datetime,
                    address: str = "") -> User:
    """Set a new password with the reset code given for this mobile or user name; the code is used up.

    A weak password is refused (on new_password) before the code is looked at; a wrong, expired or used code,
    or an unknown login, raises ResetRefused after the same work."""
    _check_new_password(new_password, login)
    user = accounts.find_user(session, login)
    row = session.scalar(select(PasswordResetCode).where(PasswordResetCode.user_id == user.id)) if user else None
    if row is None:
        dummy_verify(code)
        raise ResetRefused()
    if not verify_password(row.code_hash, normalize_code(code)) or row.expires_at <= now or not user.active:
        raise ResetRefused()
    # Used up before anything else: of two resets racing with one code, the second finds nothing to delete.
    if session.execute(delete(PasswordResetCode).where(PasswordResetCode.id == row.id)).rowcount != 1:
        raise ResetRefused()
    _set_password(session, user, new_password)
    audit.record(session, actor_id=user.id, action="user.password_reset_with_code", target_type="user",
                 target_id=user.id, address=address)
    return user


def _check_new_password(password: str, *identifiers: str) -> None:
    try:
        check_password(password, identifiers=tuple(i.strip() for i in identifiers if i))
    except ValidationError as error:
        raise ValidationError(error.message, "new_password") from None


def _set_password(session: Session, user: User, password: str) -> None:
    try:
        accounts.set_password(session, user, password)
    except ValidationError as error:
        raise ValidationError(error.message, "new_password") from None


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=LINK_SALT)


def link_recipient(session: Session, login: str) -> User | None:
    """The account a reset link may be mailed to for this mobile or user name: active, with a usable address."""
    user = accounts.find_user(session, login)
    return user if user is not None and user.active and valid_address(user.email) else None


def link_token(user: User, *, secret_key: str) -> str:
    """The signed token of a reset link for the user: their id and password stamp."""
    return _serializer(secret_key).dumps([user.id, user.password_stamp])


def link_message(session: Session, user: User, link: str, *, valid_minutes: int, now: datetime,
                 address: str = "") -> EmailMessage:
    """The e-mail carrying a reset link to the user's own address; audit-logged (never the link)."""
    recipient = Recipient(user.email.strip(), user.display_name, mail_locale(user.locale))
    audit.record(session, actor_id=None, action="user.reset_link_sent", target_type="user", target_id=user.id,
                 address=address)
    return compose("password_reset", recipient, now=now, link=link, minutes=valid_minutes,
                   login=user.username or user.mobile)  # the owner's own mailbox: the login as they type it


def user_for_link(session: Session, token: str, *, secret_key: str, max_age: int) -> User | None:
    """The account a reset link is for, while the link is valid (signed, not older than max_age seconds, and the
    password unchanged since it was sent); None otherwise."""
    try:
        user_id, stamp = _serializer(secret_key).loads(token, max_age=max_age)
    except (BadSignature, TypeError, ValueError):
        return None
    user = session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.active or not hmac.compare_digest(user.password_stamp, str(stamp)):
        return None
    return user


def reset_with_link(session: Session, token: str, new_password: str, *, secret_key: str, max_age: int,
                    address: str = "") -> User:
    """Set a new password through an e-mailed link; the new password's stamp uses the link up."""
    user = user_for_link(session, token, secret_key=secret_key, max_age=max_age)
    if user is None:
        raise ResetRefused(_l("This link has expired or has already been used. Ask for a new one."))
    _set_password(session, user, new_password)
    audit.record(session, actor_id=user.id, action="user.password_reset_with_link", target_type="user",
                 target_id=user.id, address=address)
    return user
