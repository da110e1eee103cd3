"""Things that follow a completion (assignments closed, certificates issued) plug in here."""
from __future__ import annotations

from datetime import datetime
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Assignment, Completion, Trainee, utcnow

_on_completion: list[Callable[[Session, Completion, datetime], None]] = []


def on_completion(handler: Callable[[Session, Completion, datetime], None]) -> Callable:
    """Register a handler run after each new completion, in the same transaction."""
    _on_completion.append(handler)
    return handler


def completion_recorded(session: Session, completion: Completion, *, now: datetime) -> None:
    for handler in list(_on_completion):
        handler(session, completion, now)


@on_completion
def close_open_assignments(session: Session, completion: Completion, now: datetime) -> None:
    """A completion gets its validity from the rule that made it due and fulfils open assignments."""
    from portal.domain.rules import current_rules
    from portal.domain.schedule import completion_validity

    if completion.valid_until is None:
        completion.valid_until = completion_validity(session, completion, current_rules(session))
    # the person's completion fulfils what any of their jobs asks of that course
    jobs = select(Trainee.id).where(Trainee.person_id == completion.person_id)
    for assignment in session.scalars(select(Assignment).where(
            Assignment.trainee_id.in_(jobs), Assignment.course_id == completion.course_id,
            Assignment.status == "open")):
        assignment.status, assignment.closed_reason, assignment.closed_at = "completed", "completed", now or utcnow()
import portal.domain.certificates.issue  # noqa: E402,F401  (registers the completion hook)
