"""Keep the district's coverage computation between requests, so the dashboard stays instant.

At district scale (a million people, five million completions) the exact computation takes seconds;
its result (cells per locality, organization and group) is small. An entry is reused while the data
it was computed from is unchanged (`data_version`: cheap look-ups of the newest row of every table
that moves coverage). When the data has changed but the entry is younger than `max_age` seconds,
the entry is served and recomputed in the background (`spawn`), so pages never wait; with
max_age=0 a changed database is always recomputed before answering.

Each process keeps its entries in memory; a `SharedStore` (Redis when REDIS_URL is set, else files
under STORAGE_PATH) hands them to every other worker and node, so a new worker, a restarted server or
a second node answers from the figures already computed instead of computing them again. `flask
coverage warm` (deploy/portal-coverage.timer) computes the district's entries ahead of the viewers.
"""
from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
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


log = logging.getLogger(__name__)


class SharedStore:
    """Computed entries every worker and node can read: in Redis when `redis_url` is given, else as files
    in `folder` (a shared volume when there are several nodes). Only the portal writes there; an entry
    that cannot be read back (another version of the code, a broken file) counts as missing."""

    PREFIX = "portal:coverage:"
    # What an entry holds changes shape now and then (cells with one population per as-of date since 2): the
    # entries an older version of the portal shared are then never read back, but recomputed.
    FORMAT = 2

    def __init__(self, *, redis_url: str | None = None, folder: str | None = None, keep_seconds: int = 86400):
        self.keep_seconds = keep_seconds
        self._redis = None
        self._folder = None
        if redis_url:
            import redis

            self._redis = redis.Redis.from_url(redis_url, socket_timeout=5)
        elif folder:
            self._folder = Path(folder)

    @staticmethod
    def name(key) -> str:
        return hashlib.sha256(repr((SharedStore.FORMAT, key)).encode()).hexdigest()

    def load(self, key) -> Entry | None:
        try:
            if self._redis is not None:
                data = self._redis.get(self.PREFIX + self.name(key))
            elif self._folder is not None:
                path = self._folder / f"{self.name(key)}.pickle"
                data = path.read_bytes() if path.exists() else None
            else:
                return None
            entry = pickle.loads(data) if data else None
        except Exception:  # an unreadable entry is recomputed, never shown
            log.warning("coverage cache: entry unreadable, recomputing", exc_info=True)
            return None
        return entry if isinstance(entry, Entry) else None

    def save(self, key, entry: Entry) -> None:
        data = pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            if self._redis is not None:
                self._redis.set(self.PREFIX + self.name(key), data, ex=self.keep_seconds)
            elif self._folder is not None:
                self._folder.mkdir(parents=True, exist_ok=True)
                handle, temporary = tempfile.mkstemp(dir=self._folder, suffix=".tmp")
                with os.fdopen(handle, "wb") as out:
                    out.write(data)
                os.replace(temporary, self._folder / f"{self.name(key)}.pickle")  # readers never see half a file
        except Exception:  # the figures are still served from memory; the next worker computes its own
            log.warning("coverage cache: could not share an entry", exc_info=True)

    def clear(self) -> None:
        if self._redis is not None:
            for name in self._redis.scan_iter(self.PREFIX + "*"):
                self._redis.delete(name)
        elif self._folder is not None and self._folder.exists():
            for path in self._folder.glob("*.pickle"):
                path.unlink(missing_ok=True)


class SnapshotCache:
    """A small LRU of computed values keyed by what they answer, checked against the data version, with
    an optional store shared by all processes behind it."""

    STORE_RECHECK = 30.0  # seconds

    def __init__(self, max_entries: int = 64, store: SharedStore | None = None, refresh_after: float = 0):
        """`refresh_after`: an outdated entry younger than this many seconds is served without starting a
        recomputation (with `flask coverage warm` running every few minutes, the workers need not each
        recompute the district whenever a completion comes in)."""
        self.max_entries = max_entries
        self.store = store
        self.refresh_after = refresh_after
        self._entries: OrderedDict[Any, Entry] = OrderedDict()
        self._refreshing: set = set()
        self._narrow: set = set()
        self._store_read: dict = {}  # key -> when the shared store was last read for it
        self._lock = threading.Lock()

    def get(self, key, version: tuple, compute: Callable[[Session], Any], session: Session, *,
            max_age: float = 0, spawn: Callable[[Callable[[Session], None]], None] | None = None) -> Entry:
        """The entry for `key`: cached if current (or recent enough), computed otherwise."""
        entry = self._lookup(key, version)
        if entry is not None and entry.version == version:
            return entry
        age = time.time() - entry.computed_at if entry is not None else None
        if age is not None and spawn is not None and age <= max_age:
            if age >= self.refresh_after:
                self._refresh_later(key, compute, spawn)
            return entry
        return self._compute(key, version, compute, session)

    def peek(self, key, version: tuple) -> Entry | None:
        """The entry if it is current, without computing anything."""
        entry = self._lookup(key, version)
        return entry if entry is not None and entry.version == version else None

    def _lookup(self, key, version: tuple) -> Entry | None:
        """This process's entry; the shared one when this process has none, or an outdated one and the store
        was not read for it in the last STORE_RECHECK seconds (while the data keeps changing, every request
        would otherwise unpickle a shared entry no newer than its own)."""
        now = time.time()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            recheck = entry is None or (entry.version != version
                                        and now - self._store_read.get(key, 0) >= self.STORE_RECHECK)
            if recheck:
                self._store_read[key] = now
        if recheck and self.store is not None:
            shared = self.store.load(key)
            if shared is not None and (entry is None or shared.computed_at > entry.computed_at):
                entry = shared
                self._remember(key, entry)
        return entry

    def _remember(self, key, entry: Entry) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._evict()

    def _compute(self, key, version, compute, session) -> Entry:
        entry = Entry(compute(session), version, time.time())
        self._remember(key, entry)
        if self.store is not None:
            self.store.save(key, entry)
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

    def share_all(self) -> int:
        """Save this process's entries to the shared store again (once their sums are worked out, see
        Snapshot.prepare); returns how many."""
        if self.store is None:
            return 0
        with self._lock:
            entries = list(self._entries.items())
        for key, entry in entries:
            self.store.save(key, entry)
        return len(entries)

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

    def clear(self, *, shared: bool = True) -> None:
        """Forget every entry of this process, and the shared ones unless `shared` is False."""
        with self._lock:
            self._entries.clear()
            self._narrow.clear()
            self._store_read.clear()
        if shared and self.store is not None:
            self.store.clear()
