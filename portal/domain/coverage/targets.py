"""Targets of the plan: declared counts, deadlines and target rates per key group and locality.

A Target row (g, L) declares how many people of group g at L have no roster (grid workers of a street,
for example); its deadline and target rate apply at L and below, unless a row nearer to the place
overrides them. Without any row the deadline is December 31 of the current year and the rate 100%.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.platform import audit
from portal.domain.platform.errors import ValidationError
from portal.models import KeyGroup, Locality, Target

DEFAULT_RATE = 1.0
MAX_DECLARED = 10_000_000


def default_deadline(today: date) -> date:
    return date(today.year, 12, 31)


@dataclass(frozen=True)
class Goal:
    """Where a figure must get to, and by when."""

    deadline: date
    rate: float
    from_target: bool  # False: the default (no Target row applies)


@dataclass
class TargetBook:
    """Every Target row, indexed for the roll-up."""

    today: date
    declared: dict[tuple[int, int], int] = field(default_factory=dict)  # (group id, locality id) -> count
    goals: dict[tuple[int, int], Goal] = field(default_factory=dict)

    def goal(self, group_id: int, locality_id: int | None, tree) -> Goal:
        """The Target of (group, locality) or of its nearest ancestor; for the whole area, the roots' rows."""
        if locality_id is None:
            top = tree.top()
            if top is not None:
                return self.goal(group_id, top, tree)
            found = [self.goals[(group_id, root)] for root in tree.roots if (group_id, root) in self.goals]
            if found:
                return Goal(min(g.deadline for g in found), max(g.rate for g in found), True)
        else:
            for place in tree.ancestors(locality_id):
                goal = self.goals.get((group_id, place))
                if goal is not None:
                    return goal
        return Goal(default_deadline(self.today), DEFAULT_RATE, False)


def load_targets(session: Session, *, today: date) -> TargetBook:
    book = TargetBook(today=today)
    for row in session.scalars(select(Target)):
        book.declared[(row.key_group_id, row.locality_id)] = row.declared_count or 0
        book.goals[(row.key_group_id, row.locality_id)] = Goal(row.deadline, row.target_rate, True)
    return book


@dataclass(frozen=True)
class TargetData:
    group_id: int
    locality_id: int
    declared_count: int
    deadline: date
    target_rate: float  # 0 < rate <= 1


def check_target(session: Session, data: TargetData) -> None:
    """Raise ValidationError for a target the office cannot save."""
    if session.get(KeyGroup, data.group_id) is None:
        raise ValidationError(_l("Choose a key group."), "group_id")
    if session.get(Locality, data.locality_id) is None:
        raise ValidationError(_l("There is no such locality; choose one from the list."), "locality_id")
    if not 0 <= data.declared_count <= MAX_DECLARED:
        raise ValidationError(_l("The declared count is a whole number from 0 to %(max)s.", max=MAX_DECLARED),
                              "declared_count")
    if not 0 < data.target_rate <= 1:
        raise ValidationError(_l("The target rate is a percentage above 0 and at most 100."), "target_rate")


def save_target(session: Session, data: TargetData, *, actor_id: int | None, address: str = "") -> Target:
    """Create or update the Target of (group, locality); audit-logged."""
    check_target(session, data)
    target = session.scalar(select(Target).where(Target.key_group_id == data.group_id,
                                                 Target.locality_id == data.locality_id))
    created = target is None
    if created:
        target = Target(key_group_id=data.group_id, locality_id=data.locality_id)
        session.add(target)
    target.declared_count, target.deadline, target.target_rate = data.declared_count, data.deadline, data.target_rate
    session.flush()
    audit.record(session, actor_id=actor_id, action="coverage.target.create" if created else "coverage.target.update",
                 target_type="target", target_id=target.id, address=address,
                 details={"group_id": data.group_id, "locality_id": data.locality_id,
                          "declared_count": data.declared_count, "deadline": data.deadline.isoformat(),
                          "target_rate": data.target_rate})
    return target


def delete_target(session: Session, target: Target, *, actor_id: int | None, address: str = "") -> None:
    audit.record(session, actor_id=actor_id, action="coverage.target.delete", target_type="target",
                 target_id=target.id, address=address,
                 details={"group_id": target.key_group_id, "locality_id": target.locality_id})
    session.delete(target)
    session.flush()


def list_targets(session: Session) -> list[tuple[Target, KeyGroup, Locality]]:
    """Every target with its group and locality, ordered by locality code then group."""
    statement = (select(Target, KeyGroup, Locality).join(KeyGroup, KeyGroup.id == Target.key_group_id)
                 .join(Locality, Locality.id == Target.locality_id)
                 .order_by(Locality.code, KeyGroup.sort_order, KeyGroup.id))
    return [tuple(row) for row in session.execute(statement)]
