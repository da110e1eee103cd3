"""Jobs run from cron or systemd timers; safe to start on several nodes at once."""
from __future__ import annotations

import fcntl
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from portal.domain.workforce import schedule
from portal.domain.workforce.rules import current_rules
from portal.models import utcnow

LOCK_SCHEDULE = 7301  # PostgreSQL advisory lock keys, one per job
LOCK_REMINDERS = 7302


@contextmanager
def job_lock(session: Session, key: int):
    """One job run at a time across processes and nodes; commit inside the block.

    PostgreSQL: a transaction-level advisory lock (another node waits; released at commit).
    SQLite (one machine by nature): an exclusive lock on a file beside the database.
    """
    bind = session.get_bind()
    database = bind.url.database if bind.dialect.name == "sqlite" else None
    if bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
        yield
    elif database and database != ":memory:":
        with open(f"{database}.job-{key}.lock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
    else:
        yield


def run_schedule(session: Session, *, now: datetime | None = None, apply: bool = True) -> schedule.RunSummary:
    """Reconcile everyone's assignments under the current rules; commits inside the job lock
    (a dry run rolls back), so a second node sees this run's assignments and creates none twice."""
    with job_lock(session, LOCK_SCHEDULE):
        summary = schedule.run_all(session, current_rules(session), now=now or utcnow(), apply=apply)
        if apply:
            session.commit()
        else:
            session.rollback()
    return summary
