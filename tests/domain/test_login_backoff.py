"""The waits after wrong tries: a few free, then doubling up to the ceiling; a wait that has ended is none."""
from datetime import datetime, timedelta, timezone

from portal.domain.platform.login_backoff import BackoffPolicy, after_failure, standing

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=timezone.utc)
POLICY = BackoffPolicy(free_tries=5, first_wait=timedelta(minutes=1), longest_wait=timedelta(hours=1))


def test_waits_double_from_the_first_up_to_the_longest():
    waits = [POLICY.wait_after(failures) / timedelta(minutes=1) for failures in range(1, 14)]
    assert waits == [0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert POLICY.wait_after(10**6) == timedelta(hours=1)  # no overflow however long someone keeps guessing


def test_the_standing_counts_down_and_announces_the_next_wait():
    assert (standing(0, None, POLICY, now=NOW).left, standing(3, None, POLICY, now=NOW).left) == (5, 2)
    last_free = standing(4, None, POLICY, now=NOW)
    assert last_free.left == 1 and last_free.next_wait_minutes == 1 and not last_free.waiting
    assert after_failure(4, POLICY, now=NOW).wait_until is None
    fifth = after_failure(5, POLICY, now=NOW)
    assert fifth.wait_until == NOW + timedelta(minutes=1) and fifth.left == 0 and fifth.longest_wait_minutes == 60


def test_a_wait_that_has_ended_is_none():
    until = NOW + timedelta(minutes=2)
    assert standing(6, until, POLICY, now=NOW).wait_until == until
    assert not standing(6, until, POLICY, now=until).waiting
