"""Signed-in sessions kept on the server, so that they can end.

A login starts a LoginSession and gives the browser a random token (in its session cookie and, with "remember
me", its remember-me cookie); every request looks the token up. A session ends when its user logs out, when
the password changes (every other session of the account; a reset ends them all), when the office ends it, or
when it has been idle or alive too long:

- idle: a session without "remember me" ends after `idle` without a request (the browser forgot it anyway
  when it closed);
- absolute: every session ends `absolute` after the login, remembered or not.

Only the token's SHA-256 is stored, so a copy of the table does not sign anyone in.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from portal.models import LoginSession

TOKEN_BYTES = 32
TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often per session
END_REASONS = ("logout", "password", "reset", "office", "idle", "expired", "deactivated")


@dataclass(frozen=True)
class Lifetimes:
    idle: timedelta
    absolute: timedelta

    @classmethod
    def from_config(cls, config) -> "Lifetimes":
        return cls(idle=timedelta(minutes=int(config["SESSION_IDLE_MINUTES"])),
                   absolute=timedelta(days=int(config["SESSION_ABSOLUTE_DAYS"])))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(session: Session, user_id: int, *, remembered: bool, now: datetime, user_agent: str = "",
          address: str = "") -> tuple[LoginSession, str]:
    """A new live session for the user; returns it and the token the browser keeps (flushed, not committed)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = LoginSession(user_id=user_id, token_hash=token_hash(token), remembered=remembered, created_at=now,
                       last_seen_at=now, device=describe_device(user_agent), address=(address or "")[:45])
    session.add(row)
    session.flush()
    return row, token


def expiry(row: LoginSession, now: datetime, lifetimes: Lifetimes) -> str | None:
    """Why a session is over at `now` ("idle", "expired", or its recorded reason), or None while it is live."""
    if row.ended_at is not None:
        return row.ended_because or "logout"
    if now - row.created_at >= lifetimes.absolute:
        return "expired"
    if not row.remembered and now - row.last_seen_at >= lifetimes.idle:
        return "idle"
    return None


def needs_touch(row: LoginSession, now: datetime) -> bool:
    return now - row.last_seen_at >= TOUCH_EVERY


def touch(connection, session_id: int, now: datetime) -> None:
    """Record that the session was used (on its own connection, so the request's unit of work is untouched)."""
    connection.execute(update(LoginSession).where(LoginSession.id == session_id).values(last_seen_at=now))


def end(session: Session, token: str, *, now: datetime, reason: str = "logout") -> None:
    """End the session this token belongs to (nothing happens for an unknown or ended token)."""
    session.execute(update(LoginSession).where(
        LoginSession.token_hash == token_hash(token), LoginSession.ended_at.is_(None),
    ).values(ended_at=now, ended_because=reason))


def end_all(session: Session, user_id: int, *, now: datetime, reason: str, keep_token: str | None = None) -> int:
    """End every live session of a user, except the one holding `keep_token`; how many ended."""
    statement = update(LoginSession).where(LoginSession.user_id == user_id, LoginSession.ended_at.is_(None))
    if keep_token:
        statement = statement.where(LoginSession.token_hash != token_hash(keep_token))
    result = session.execute(statement.values(ended_at=now, ended_because=reason))
    return result.rowcount or 0


def _live(now: datetime, lifetimes: Lifetimes):
    """The SQL form of `expiry(...) is None`."""
    return and_(LoginSession.ended_at.is_(None), LoginSession.created_at > now - lifetimes.absolute,
                or_(LoginSession.remembered.is_(True), LoginSession.last_seen_at > now - lifetimes.idle))


def live_sessions(session: Session, user_id: int, *, now: datetime, lifetimes: Lifetimes) -> list[LoginSession]:
    """The user's sessions that are still live, most recently used first."""
    return list(session.scalars(select(LoginSession).where(LoginSession.user_id == user_id, _live(now, lifetimes))
                                .order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc())))


def live_counts(session: Session, user_ids: list[int], *, now: datetime, lifetimes: Lifetimes) -> dict[int, int]:
    """How many live sessions each of these users has (users without any are left out)."""
    if not user_ids:
        return {}
    return dict(session.execute(select(LoginSession.user_id, func.count()).where(
        LoginSession.user_id.in_(user_ids), _live(now, lifetimes)).group_by(LoginSession.user_id)).all())


@lru_cache(maxsize=256)
def describe_device(user_agent: str) -> str:
    """"Chrome on Android", "WeChat Browser on iOS", or "" when the User-Agent names neither."""
    if not user_agent:
        return ""
    from ua_parser import parse  # its rules load on first use (about 0.1 s): only logins pay for it

    result = parse(user_agent[:500])
    browser = result.user_agent.family if result.user_agent and result.user_agent.family != "Other" else ""
    system = result.os.family if result.os and result.os.family != "Other" else ""
    return " / ".join(part for part in (browser, system) if part)[:120]
