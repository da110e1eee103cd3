"""Failed tries per account (logins, reset codes), counted in the rate-limit storage (Redis when REDIS_URL is set,
so every node counts the same tries): a page can say how many are left before the lock and until when it lasts.

Keys are what was typed (a mobile or user name, lower-cased), whether or not an account has it, so the counts
tell nothing about which accounts exist.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask import current_app
from limits import parse

from portal.extensions import limiter


@dataclass(frozen=True)
class Tries:
    """Where an account stands: tries left before the lock, and while locked, when it ends."""

    left: int
    locked_until: datetime | None  # UTC, rounded up to the minute: never shown earlier than it ends
    lock_minutes: int  # how long a lock lasts at most (the limit's period)

    @property
    def locked(self) -> bool:
        return self.locked_until is not None


class FailedAttempts:
    """Failed tries of one kind (a `scope`) within the limit named by a configuration key."""

    def __init__(self, scope: str, limit_setting: str):
        self.scope = scope
        self.limit_setting = limit_setting

    def _limit(self):
        return parse(current_app.config[self.limit_setting])

    def _key(self, typed: str) -> str:
        return (typed or "").strip().lower()

    def check(self, typed: str) -> Tries:
        """The account's standing now, counting nothing."""
        limit = self._limit()
        reset_at, left = limiter.limiter.get_window_stats(limit, self.scope, self._key(typed))
        locked_until = _minute_after(reset_at) if left <= 0 else None
        return Tries(left=max(left, 0), locked_until=locked_until, lock_minutes=-(-limit.get_expiry() // 60))

    def record(self, typed: str) -> Tries:
        """Count one failed try; the standing after it."""
        limiter.limiter.hit(self._limit(), self.scope, self._key(typed))
        return self.check(typed)

    def clear(self, *typed: str) -> None:
        """Forget the failed tries (the password was just reset: the person may log in at once)."""
        for value in typed:
            if value:
                limiter.limiter.clear(self._limit(), self.scope, self._key(value))


def _minute_after(timestamp: float) -> datetime:
    moment = datetime.fromtimestamp(timestamp, timezone.utc)
    if moment.second or moment.microsecond:
        moment = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return moment


LOGIN = FailedAttempts("login-account", "LOGIN_LIMIT_PER_ACCOUNT")
RESET_CODE = FailedAttempts("reset-code", "LOGIN_LIMIT_PER_ACCOUNT")
