"""Wrong tries per account (passwords at login, reset codes) and a quota per account (reset links by e-mail), counted
in the rate-limit storage (Redis when REDIS_URL is set, so every node counts the same tries).

Wrong tries bring waits that double (domain/login_backoff.py), never a lock. They are counted per account: the
typed login (a mobile or a user name) is resolved to the account first, so an account with both gets no more tries.
A login without an account is counted under what was typed (lower-cased), answered the same way and in the same
time, so the answers tell nothing about which accounts exist.
"""
from __future__ import annotations

import math
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Iterator

from flask import current_app
from limits import parse
from werkzeug.exceptions import TooManyRequests

from portal.domain.platform import login_backoff
from portal.domain.workforce.accounts import find_user
from portal.extensions import db, limiter

# Tries for one account are heard one at a time, so parallel requests cannot slip several guesses into the moment
# between one wait and the next. A try waits this long for its turn (a double click; longer would tie workers up
# under a flood), and a turn left by a crashed worker is free again after TURN_SECONDS.
TURN_WAIT_SECONDS = 2.0
TURN_SECONDS = 10


class Busy(TooManyRequests):
    """Other tries for this account are still being checked (many at once: an attack): the error page's 429."""


def account_key(login: str) -> str:
    """What the tries of a typed login are counted under: its account, or the text itself when no account has it."""
    user = find_user(db.session, login)
    return f"user:{user.id}" if user is not None else "typed:" + (login or "").strip().lower()


def user_key(user) -> str:
    return f"user:{user.id}"


class Backoff:
    """Wrong tries of one kind (a `scope`), under the LOGIN_BACKOFF_* settings."""

    def __init__(self, scope: str):
        self.scope = scope

    def policy(self) -> login_backoff.BackoffPolicy:
        config = current_app.config
        return login_backoff.BackoffPolicy(free_tries=config["LOGIN_BACKOFF_AFTER"],
                                           first_wait=timedelta(minutes=config["LOGIN_BACKOFF_FIRST_MINUTES"]),
                                           longest_wait=timedelta(minutes=config["LOGIN_BACKOFF_MAX_MINUTES"]))

    def _names(self, key: str) -> tuple[str, str, str]:
        return tuple(f"backoff:{self.scope}:{part}:{key}" for part in ("failures", "until", "turn"))

    def standing(self, key: str, *, now: datetime) -> login_backoff.Standing:
        """The account's standing now, counting nothing."""
        failures, until, _turn = self._names(key)
        storage = limiter.storage
        stamp = storage.get(until)
        waiting_until = datetime.fromtimestamp(stamp, timezone.utc) if stamp else None
        return login_backoff.standing(storage.get(failures), waiting_until, self.policy(), now=now)

    def record_failure(self, key: str, *, now: datetime) -> login_backoff.Standing:
        """Count one wrong try; the standing after it (with the wait it brings, if any)."""
        failures, until, _turn = self._names(key)
        storage = limiter.storage
        forget = current_app.config["LOGIN_BACKOFF_FORGET_HOURS"] * 3600
        after = login_backoff.after_failure(storage.incr(failures, forget), self.policy(), now=now)
        if after.waiting:
            # The storage keeps counters only: the end of the wait is stored as a count of seconds since 1970.
            storage.clear(until)
            stamp = math.ceil(after.wait_until.timestamp())
            storage.incr(until, int((after.wait_until - now).total_seconds()) + 60, amount=stamp)
        return after

    def clear(self, key: str) -> None:
        """Forget the wrong tries (the right password, or a new one): the next try is heard at once."""
        failures, until, _turn = self._names(key)
        limiter.storage.clear(failures)
        limiter.storage.clear(until)

    @contextmanager
    def attempt(self, login: str, *, now: datetime) -> Iterator[Attempt]:
        """One try for the account of a typed login, in the account's turn: check `waiting` first (then hear
        nothing), else say whether the try was right. An error inside counts nothing."""
        key = account_key(login)
        with self.turn(key):
            yield Attempt(self, key, now)

    @contextmanager
    def turn(self, key: str) -> Iterator[None]:
        """Hold the account's turn while a try is checked; raises Busy when other tries hold it for too long."""
        name = self._names(key)[2]
        storage = limiter.storage
        deadline = time.monotonic() + TURN_WAIT_SECONDS
        while storage.incr(name, TURN_SECONDS) != 1:
            if time.monotonic() > deadline:
                raise Busy
            time.sleep(0.05)
        try:
            yield
        finally:
            storage.clear(name)


class Attempt:
    """A try being heard (Backoff.attempt): its account's standing before it, then after it."""

    def __init__(self, backoff: Backoff, key: str, now: datetime):
        self.backoff, self.key, self.now = backoff, key, now
        self.standing = backoff.standing(key, now=now)

    @property
    def waiting(self) -> bool:
        return self.standing.waiting

    def count(self, *, right: bool) -> None:
        """The try was right (the wrong tries are forgotten) or wrong (counted, perhaps with a wait)."""
        if right:
            self.backoff.clear(self.key)
            self.standing = self.backoff.standing(self.key, now=self.now)
        else:
            self.standing = self.backoff.record_failure(self.key, now=self.now)


LOGIN = Backoff("login")
RESET_CODE = Backoff("reset-code")


@dataclass(frozen=True)
class Quota:
    """Where an account stands against a quota: how many are left, and while used up, until when."""

    left: int
    used_up_until: datetime | None

    @property
    def used_up(self) -> bool:
        return self.used_up_until is not None


class AccountQuota:
    """Requests of one kind per account within the limit named by a configuration key (reset links by e-mail)."""

    def __init__(self, scope: str, limit_setting: str):
        self.scope = scope
        self.limit_setting = limit_setting

    def _limit(self):
        return parse(current_app.config[self.limit_setting])

    def check(self, key: str) -> Quota:
        """The account's standing now, counting nothing."""
        reset_at, left = limiter.limiter.get_window_stats(self._limit(), self.scope, key)
        return Quota(left=max(left, 0),
                     used_up_until=datetime.fromtimestamp(reset_at, timezone.utc) if left <= 0 else None)

    def record(self, key: str) -> Quota:
        """Count one request; the standing after it."""
        limiter.limiter.hit(self._limit(), self.scope, key)
        return self.check(key)
