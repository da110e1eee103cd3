"""Where a report's offline completions come from: each classroom session with the completions it made, and every
completion that no session stands behind (prior training recorded by hand, an offline completion without a
session), with its source.

An auditor reading a report's "of which offline" figure finds each of those completions here: the sessions'
completions plus the offline ones without a session add up to it; prior training is listed beside them.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from portal.models import Completion, Course, OfflineSession, Organization, PriorTraining

PRIOR = "prior"  # prior training recorded by hand (PriorTraining)
NO_SESSION = "no_session"  # an offline completion no session stands behind (data from before sessions were kept)


@dataclass(frozen=True)
class SessionTrace:
    """A classroom session and the completions (one per attendee) it made in the report's scope."""

    session_id: int
    held_on: date
    course: Course
    organizer: str | None  # the organization's name; None when the office held it
    trainer: str
    place: str
    completions: int
    hours: float  # the course's class hours, earned by each attendee


@dataclass(frozen=True)
class UntracedCompletion:
    """A completion counted like the others that no classroom session stands behind."""

    kind: str  # PRIOR | NO_SESSION
    completed_on: date
    course: Course
    organization: str | None  # who recorded it (prior training); None for the office or when unknown
    provider: str = ""
    evidence: str = ""
    hours: float | None = None


@dataclass
class OfflineTrace:
    sessions: list[SessionTrace] = field(default_factory=list)
    untraced: list[UntracedCompletion] = field(default_factory=list)

    @property
    def offline_completions(self) -> int:
        """Completions marked offline: the report's "of which offline"."""
        return sum(s.completions for s in self.sessions) + sum(1 for u in self.untraced if u.kind == NO_SESSION)

    @property
    def prior_completions(self) -> int:
        return sum(1 for u in self.untraced if u.kind == PRIOR)


def offline_trace(session: Session, first: date, last: date, *,
                  scoped: Callable = lambda statement: statement) -> OfflineTrace:
    """The sessions behind the offline completions dated from `first` to `last`, and the completions none stands
    behind; `scoped(statement)` narrows a statement on Completion to the report's scope."""
    in_period = and_(Completion.completed_on >= first, Completion.completed_on <= last)
    counted = scoped(select(Completion.offline_session_id, func.count()).where(
        in_period, Completion.mode == "offline", Completion.offline_session_id.is_not(None))
        .group_by(Completion.offline_session_id))
    counts = dict(session.execute(counted).all())
    records = list(session.scalars(select(OfflineSession).where(OfflineSession.id.in_(list(counts) or [-1]))
                                   .options(selectinload(OfflineSession.course))
                                   .order_by(OfflineSession.held_on, OfflineSession.id)))
    untraced_rows = session.execute(scoped(
        select(Completion, PriorTraining).outerjoin(PriorTraining, PriorTraining.completion_id == Completion.id)
        .where(in_period, or_(Completion.mode == "prior",
                              and_(Completion.mode == "offline", Completion.offline_session_id.is_(None))))
        .order_by(Completion.completed_on, Completion.id))).all()
    names = _organization_names(session, {r.organization_id for r in records}
                                | {p.organization_id for _c, p in untraced_rows if p is not None})
    sessions = [SessionTrace(r.id, r.held_on, r.course, names.get(r.organization_id), r.trainer, r.place,
                             counts[r.id], r.course.credit_hours) for r in records]
    untraced = [_untraced(completion, prior, names) for completion, prior in untraced_rows]
    return OfflineTrace(sessions, untraced)


def _untraced(completion: Completion, prior: PriorTraining | None, names: dict) -> UntracedCompletion:
    if completion.mode == "prior" and prior is not None:
        return UntracedCompletion(PRIOR, completion.completed_on, completion.course,
                                  names.get(prior.organization_id), prior.provider, prior.evidence, prior.hours)
    return UntracedCompletion(PRIOR if completion.mode == "prior" else NO_SESSION, completion.completed_on,
                              completion.course, None)


def _organization_names(session: Session, ids: set) -> dict[int, str]:
    ids = ids - {None}
    if not ids:
        return {}
    return dict(session.execute(select(Organization.id, Organization.name).where(Organization.id.in_(ids))).all())
