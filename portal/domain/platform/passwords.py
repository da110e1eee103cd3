"""Argon2id password hashing with a cost taken from the configuration, a few checks at a time.

The cost follows OWASP's Password Storage Cheat Sheet (argon2id, 19 MiB, 2 iterations, 1 lane: ARGON2_* in
portal/config.py). A stored hash made with other settings still verifies; `needs_rehash` tells the login to
store a new one (accounts.authenticate).

Each hash and verification holds one of PASSWORD_CHECKS_AT_ONCE slots of this process, so that a wave of logins
uses a bounded share of the cores and the pages of people already studying keep their pace. At most
PASSWORD_CHECKS_QUEUED more wait for a slot, each for up to PASSWORD_CHECK_WAIT_SECONDS; beyond that the request
is answered PasswordCheckBusy (503 with Retry-After, "try again in a moment"), never left to pile up.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import ServiceUnavailable

_hashers: dict[tuple[int, int, int], PasswordHasher] = {}


class PasswordCheckBusy(ServiceUnavailable):
    """Too many password checks at once in this process: the person is asked to try again in a moment."""

    description = _l("Many people are logging in right now. Please try again in a moment.")


def _hasher() -> PasswordHasher:
    config = current_app.config
    key = (config["ARGON2_TIME_COST"], config["ARGON2_MEMORY_COST"], config["ARGON2_PARALLELISM"])
    if key not in _hashers:
        _hashers[key] = PasswordHasher(time_cost=key[0], memory_cost=key[1], parallelism=key[2])
    return _hashers[key]


class _Slots:
    """Checks running (`running` of them at most) and waiting (`queued` at most) in this process."""

    def __init__(self, running: int, queued: int):
        self.running = threading.BoundedSemaphore(running)
        self.admitted = threading.BoundedSemaphore(running + queued)


_slots: dict[tuple[int, int], _Slots] = {}
_slots_lock = threading.Lock()


def _process_slots() -> _Slots:
    key = (current_app.config["PASSWORD_CHECKS_AT_ONCE"], current_app.config["PASSWORD_CHECKS_QUEUED"])
    with _slots_lock:
        if key not in _slots:
            _slots[key] = _Slots(*key)
        return _slots[key]


@contextmanager
def _slot() -> Iterator[None]:
    """Hold one of the process's password-check slots; PasswordCheckBusy when none comes free in time."""
    slots = _process_slots()
    wait = float(current_app.config["PASSWORD_CHECK_WAIT_SECONDS"])
    retry_after = int(current_app.config["PASSWORD_CHECK_RETRY_AFTER"])
    if not slots.admitted.acquire(blocking=False):
        raise PasswordCheckBusy(retry_after=retry_after)
    try:
        if not slots.running.acquire(timeout=wait):
            raise PasswordCheckBusy(retry_after=retry_after)
        try:
            yield
        finally:
            slots.running.release()
    finally:
        slots.admitted.release()


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    hasher = _hasher()
    with _slot():
        return hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when the password matches; never raises for a malformed hash (PasswordCheckBusy when too busy)."""
    hasher = _hasher()
    with _slot():
        try:
            return hasher.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False


def needs_rehash(password_hash: str) -> bool:
    """True when a (verified) hash was made with other settings than the configured ones."""
    try:
        return _hasher().check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return True


# A fixed hash per cost to verify against when the account does not exist, so timing does not tell.
_dummy_hashes: dict[tuple[int, int, int], str] = {}


def dummy_verify(password: str) -> None:
    """Spend the time of one verification without an account (and no more: the hash is made once)."""
    hasher = _hasher()
    key = (hasher.time_cost, hasher.memory_cost, hasher.parallelism)
    if key not in _dummy_hashes:
        _dummy_hashes[key] = hasher.hash("not-a-real-account")
    verify_password(_dummy_hashes[key], password)
