"""Who is compliant, due soon, overdue or never trained: one definition for pages, exports and the API."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import and_, exists, func, not_, select
from sqlalchemy.orm import Session

from portal.models import Assignment, Completion, KeyGroup, Trainee
from portal.models.people import trainee_group

STATUSES = ("compliant", "due_soon", "overdue", "never_trained")
DUE_SOON_DAYS = 30


def _open_due_before(day: date):
    return exists().where(Assignment.trainee_id == Trainee.id, Assignment.status == "open", Assignment.due_on < day)


def _has_completion():
    return exists().where(Completion.trainee_id == Trainee.id)


def status_clause(status: str, today: date):
    """A WHERE clause on Trainee for one standing (active people only)."""
    overdue = _open_due_before(today)
    soon = _open_due_before(today + timedelta(days=DUE_SOON_DAYS + 1))
    active = Trainee.status == "active"
    clauses = {
        "overdue": and_(active, overdue),
        "never_trained": and_(active, not_(overdue), not_(_has_completion())),
        "due_soon": and_(active, not_(overdue), _has_completion(), soon),
        "compliant": and_(active, not_(soon), _has_completion()),
    }
    return clauses[status]


def standing_of(session: Session, trainee_ids: list[int], today: date) -> dict[int, str]:
    """The standing of each listed person, in four queries whatever the count."""
    result = {}
    for status in STATUSES:
        for trainee_id in session.scalars(select(Trainee.id).where(Trainee.id.in_(trainee_ids), status_clause(status, today))):
            result[trainee_id] = status
    return result


def counts(session: Session, organization_id: int, today: date) -> dict[str, int]:
    """How many active people of an organization stand in each status."""
    return {status: session.scalar(select(func.count()).select_from(Trainee).where(
        Trainee.organization_id == organization_id, status_clause(status, today))) or 0 for status in STATUSES}


def counts_by(session: Session, organization_id: int, today: date, by: str) -> list[tuple[str, dict[str, int]]]:
    """Counts per post or per key group code: [(label, {status: n})]."""
    table: dict[str, dict[str, int]] = {}
    for status in STATUSES:
        if by == "post":
            statement = (select(Trainee.post, func.count()).where(
                Trainee.organization_id == organization_id, status_clause(status, today)).group_by(Trainee.post))
        else:
            statement = (select(KeyGroup.code, func.count()).select_from(Trainee)
                         .join(trainee_group, trainee_group.c.trainee_id == Trainee.id)
                         .join(KeyGroup, KeyGroup.id == trainee_group.c.key_group_id)
                         .where(Trainee.organization_id == organization_id, status_clause(status, today))
                         .group_by(KeyGroup.code))
        for label, number in session.execute(statement):
            table.setdefault(label or "", dict.fromkeys(STATUSES, 0))[status] = number
    return sorted(table.items())
