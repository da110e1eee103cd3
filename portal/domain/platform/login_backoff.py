"""How long an account waits after wrong tries (passwords at login, reset codes): a few wrong tries are free, then
every further wrong one means a wait before the next try, doubling each time up to a ceiling.

A wait is never a lock: whoever guesses is slowed down to a handful of tries an hour, and the owner, who knows the
password, gets in at the end of the wait (the page says when), or at once by setting a new password with a reset
code or an e-mailed link. The counts themselves are kept by the web layer (web/failed_attempts.py) in the
rate-limit storage shared by every node; this module only says what they mean, given `now`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class BackoffPolicy:
    """`free_tries` wrong tries without a wait, then `first_wait` after the next one, doubling up to `longest_wait`."""

    free_tries: int = 5
    first_wait: timedelta = timedelta(minutes=1)
    longest_wait: timedelta = timedelta(hours=1)

    def wait_after(self, failures: int) -> timedelta:
        """The wait that `failures` wrong tries in a row impose before the next try (none for the first few)."""
        if failures < self.free_tries:
            return timedelta(0)
        doublings = min(failures - self.free_tries, 40)  # past the ceiling anyway; keeps the number small
        return min(self.first_wait * 2 ** doublings, self.longest_wait)


@dataclass(frozen=True)
class Standing:
    """Where an account stands after `failures` wrong tries in a row."""

    failures: int
    wait_until: datetime | None  # UTC: no try is heard before then (None: the account may try now)
    policy: BackoffPolicy

    @property
    def waiting(self) -> bool:
        return self.wait_until is not None

    @property
    def left(self) -> int:
        """Wrong tries left before the first wait (0 once the waits have started)."""
        return max(self.policy.free_tries - self.failures, 0)

    @property
    def next_wait_minutes(self) -> int:
        """The wait one more wrong try would bring, in whole minutes (rounded up): what the warning announces."""
        seconds = self.policy.wait_after(self.failures + 1).total_seconds()
        return int(-(-seconds // 60))

    @property
    def longest_wait_minutes(self) -> int:
        return int(-(-self.policy.longest_wait.total_seconds() // 60))


def standing(failures: int, waiting_until: datetime | None, policy: BackoffPolicy, *, now: datetime) -> Standing:
    """The standing from the stored count and end of wait: a wait that has ended is no wait."""
    if waiting_until is not None and waiting_until <= now:
        waiting_until = None
    return Standing(failures=failures, wait_until=waiting_until, policy=policy)


def after_failure(failures: int, policy: BackoffPolicy, *, now: datetime) -> Standing:
    """The standing right after the `failures`-th wrong try in a row (counting that one)."""
    wait = policy.wait_after(failures)
    return Standing(failures=failures, wait_until=now + wait if wait else None, policy=policy)
