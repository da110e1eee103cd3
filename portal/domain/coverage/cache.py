"""Keep the district's coverage computation between requests, so the dashboard stays instant.

At district scale (a million people, five million completions) the exact computation takes seconds;
its result (cells per locality, organization and group) is small. An entry is reused while the data
it was computed from is unchanged (`data_version`: cheap look-ups of the newest row of every table
that moves coverage). When the data has changed but the entry is younger than `max_age` seconds,
the entry is served and recomputed in the background (`spawn`), so pages never wait; with
max_age=0 a changed database is always recomputed before answering.
"""
from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import (AuditEvent, Completion, Course, EmploymentEvent, KeyGroup, Locality, Organization,
                           RuleSet, Target, Trainee)


def data_version(session: Session) -> tuple:
    """What the coverage depends on, in a dozen index look-ups: newest ids and change times."""
    newest = [session.scalar(select(func.max(column))) for column in (
        Completion.id, Trainee.id, EmploymentEvent.id, AuditEvent.id, RuleSet.id, Organization.id, Locality.id)]
    targets = session.execute(select(func.count(), func.max(Target.updated_at))).one()
    courses = session.scalar(select(func.max(Course.updated_at)))
    groups = tuple(session.execute(select(KeyGroup.id, KeyGroup.active).order_by(KeyGroup.id)).all())
    return (*newest, tuple(targets), courses, hashlib.sha256(repr(groups).encode()).hexdigest())


@dataclass
class Entry:
    value: Any
    version: tuple
    computed_at: float  # time.time()


class SnapshotCache:
    """A small LRU of computed values keyed by what they answer, checked against the data version."""

    def __init__(self, max_entries: int = 64):
        self.max_entries = max_entries
        self._entries: OrderedDict[Any, Entry] = OrderedDict()
        self._refreshing: set = set()
        self._narrow: set = set()
        self._lock = threading.Lock()

    def get(self, key, version: tuple, compute: Callable[[Session], Any], session: Session, *,
            max_age: float = 0, spawn: Callable[[Callable[[Session], None]], None] | None = None) -> Entry:
        """The entry for `key`: cached if current (or recent enough), computed otherwise."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
        if entry is not None and entry.version == version:
            return entry
        if entry is not None and spawn is not None and time.time() - entry.computed_at <= max_age:
            self._refresh_later(key, compute, spawn)
            return entry
        return self._compute(key, version, compute, session)

    def peek(self, key, version: tuple) -> Entry | None:
        """The entry if it is current, without computing anything."""
        with self._lock:
            entry = self._entries.get(key)
        return entry if entry is not None and entry.version == version else None

    def _compute(self, key, version, compute, session) -> Entry:
        entry = Entry(compute(session), version, time.time())
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._evict()
        return entry

    def _evict(self) -> None:
        """Drop the least recently used entry, sparing the district's entries (costly) while narrower
        ones (a department, an organization) can go: `narrow` keys are those marked by the caller."""
        for key in self._entries:
            if key in self._narrow:
                del self._entries[key]
                self._narrow.discard(key)
                return
        self._entries.popitem(last=False)

    def mark_narrow(self, key) -> None:
        with self._lock:
            self._narrow.add(key)

    def _refresh_later(self, key, compute, spawn) -> None:
        with self._lock:
            if key in self._refreshing:
                return
            self._refreshing.add(key)

        def job(session: Session) -> None:
            try:
                self._compute(key, data_version(session), compute, session)
            finally:
                with self._lock:
                    self._refreshing.discard(key)

        spawn(job)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._narrow.clear()
