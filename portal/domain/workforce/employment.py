"""When an employment (a roster row, models.Trainee) is held, and which of a person's jobs counts them.

One definition, in Python and in SQL side by side, for everything that counts people on a date: coverage on
any as-of date (the dashboard, the trend, a report's month and year ends) and a department's yearly activity.

- An employment *began* on its start date; when the roster gives none, on the day it was put on the roster.
- It is *held on day d* when it had begun by d and had not ended: it is still active with no leaving date,
  or its leaving date is after d. A row waiting for the person to confirm a move (status 'pending') is not
  held; a row marked left without a leaving date has ended.
- A person is counted once on d, at the job that *places* them: of their jobs held on d, one with an
  employer before one without, a main job before a second one (Trainee.second_job), then the one begun
  first, then the older row. Today this is the main job (a second job counts only on its company's own
  pages); on a past date it may be a job that has ended since.

What a row says now (its organization, post, groups and locality) is what it says on every date: a change of
employer is a new row, so past dates count people at the employer they had then.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Date, and_, bindparam, case, func, or_, select, tuple_
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import Subquery

from portal.models import Trainee


def began(job: Trainee) -> date:
    """The day the employment began: its start date, or the day it was put on the roster."""
    return job.start_date or job.created_at.date()


def held_on(job: Trainee, day: date) -> bool:
    """Whether the employment was held on `day` (see the module's definition)."""
    if began(job) > day:
        return False
    return job.left_on > day if job.left_on is not None else job.status == "active"


def began_sql(job=Trainee):
    """SQL: began(job)."""
    return func.coalesce(job.start_date, func.date(job.created_at, type_=Date))


def _not_ended_sql(day, job=Trainee):
    return or_(and_(job.left_on.is_(None), job.status == "active"), job.left_on > day)


def held_on_sql(day, job=Trainee):
    """SQL: held_on(job, day); `day` a date or a date column."""
    return and_(began_sql(job) <= day, _not_ended_sql(day, job))


def held_between_sql(first: date, last: date, job=Trainee):
    """SQL: the employment was held on some day from `first` to `last`."""
    return and_(began_sql(job) <= last, _not_ended_sql(first, job))


def _rank_sql(job):
    """The order in which a person's jobs held on the same day place them (lowest first)."""
    return tuple_(case((job.organization_id.is_(None), 1), else_=0), case((job.second_job, 1), else_=0),
                  began_sql(job), job.id)


@dataclass(frozen=True)
class Placements:
    """SQL for "this employment places its person on dates[k]", in a query over Trainee that went through
    `join()`. Only people with several jobs held in the period need the look-up of their other jobs."""

    dates: tuple[date, ...]
    outranked: Subquery | None  # trainee_id, o0, o1...: 1 where another job places the person that day

    def join(self, statement):
        if self.outranked is None:
            return statement
        return statement.outerjoin(self.outranked, self.outranked.c.trainee_id == Trainee.id)

    def window(self) -> list:
        """WHERE clauses keeping the employments held on some of the dates (the others count on none)."""
        return [held_between_sql(min(self.dates), max(self.dates))]

    def on(self, k: int):
        """The employment places its person on the k-th date."""
        if self.outranked is None:
            return held_on_sql(self.dates[k])
        return and_(held_on_sql(self.dates[k]), func.coalesce(self.outranked.c[f"o{k}"], 0) == 0)


def _people_with_several_jobs(session: Session, dates: tuple[date, ...], persons) -> list[int]:
    statement = (select(Trainee.person_id).where(held_between_sql(min(dates), max(dates)))
                 .group_by(Trainee.person_id).having(func.count() > 1))
    if persons is not None:
        statement = statement.where(Trainee.person_id.in_(persons))
    return list(session.scalars(statement))


def placements(session: Session, dates, *, persons=None) -> Placements:
    """Placements on each of `dates`; `persons` (a select() of person ids) limits the look-up to them. The people
    with several jobs are found first: usually few, their jobs are then looked up by index (one aggregate over the
    whole roster would otherwise hash every job twice)."""
    dates = tuple(dates)
    several = _people_with_several_jobs(session, dates, persons)
    if not several:
        return Placements(dates, None)
    job, other = aliased(Trainee, name="job"), aliased(Trainee, name="other_job")
    flags = [func.max(case((and_(held_on_sql(day, job), held_on_sql(day, other)), 1), else_=0)).label(f"o{k}")
             for k, day in enumerate(dates)]
    people = bindparam("several_jobs", sorted(several), expanding=True, literal_execute=True)
    outranked = (select(job.id.label("trainee_id"), *flags).select_from(job)
                 .join(other, and_(other.person_id == job.person_id, other.id != job.id))
                 .where(job.person_id.in_(people), _rank_sql(other) < _rank_sql(job))
                 .group_by(job.id).subquery("outranked"))
    return Placements(dates, outranked)


def outranked_on(session: Session, day: date, *, persons=None) -> frozenset[int]:
    """The employments held on `day` whose person another of their jobs places that day (a few: second jobs,
    moves with overlapping dates); `persons` (a select() of person ids) limits the look-up to them."""
    found = placements(session, [day], persons=persons).outranked
    if found is None:
        return frozenset()
    return frozenset(session.scalars(select(found.c.trainee_id).where(found.c.o0 == 1)))
