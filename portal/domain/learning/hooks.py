"""The completion event: whatever follows a new completion (assignments closed, a certificate issued) is a
handler registered here, run in the same transaction, in the order `portal.domain.wiring` connects them.

This module knows no handler: the contexts that answer a completion (the schedule, the certificates) register
themselves through `wiring`, so learning never imports the contexts above it."""
from __future__ import annotations

from datetime import datetime
from typing import Callable

from sqlalchemy.orm import Session

from portal.models import Completion

Handler = Callable[[Session, Completion, datetime], None]
_on_completion: list[Handler] = []


def connect(*handlers: Handler) -> None:
    """Run these handlers, in this order, after each new completion (replaces any connected before)."""
    _on_completion[:] = handlers


def completion_recorded(session: Session, completion: Completion, *, now: datetime) -> None:
    """Run the handlers. The completion may not be written yet (maybe_complete hands a new one over unflushed,
    so that one INSERT carries the validity the schedule's handler gives it): a handler needing its id flushes."""
    if not _on_completion:
        raise RuntimeError("no completion handlers: call portal.domain.wiring.connect() (create_app does)")
    for handler in list(_on_completion):
        handler(session, completion, now)
