"""Who is in the target population and who of them is covered, counted in one GROUP BY query.

Roster population of group g at locality L on date d = employments with an employer, in g, that place their
person on d (employment.py: held on d, and the person's first job that day), whose trainee.locality_id (or,
when unset, their employer's locality) is L or below L. So a past date counts the people employed then, and
people put on a roster later leave it unchanged. Coverage counts persons: a completion covers every job of
its person, and a person with two jobs is counted once, at the job that places them (a second job counts
only on its company's own compliance pages). People without an employer who registered with the public code
are counted too, apart, because they only cover the declared part of a target (see arithmetic.py).

The query yields one `Cell` per (locality, organization, group) with the population and the number
covered on each as-of date; everything the dashboard shows is rolled up from those cells in Python.
A scope clause (a department viewer's sector) keeps the rows of its organizations only, and drops
people without an employer altogether.
"""
from __future__ import annotations

from datetime import date
from typing import NamedTuple

from sqlalchemy import and_, case, func, literal_column, select, text
from sqlalchemy.orm import Session

from portal.domain.coverage.requirements import Requirements, valid_on
from portal.domain.workforce.employment import placements
from portal.models import Completion, Organization, Trainee
from portal.models.people import trainee_group


class Cell(NamedTuple):
    """People of one group at one locality and organization (None: no employer). A named tuple: a district
    has a hundred thousand of them, made, summed and shared between processes (pickled) as plain tuples."""

    locality_id: int | None
    organization_id: int | None
    group_id: int
    population: tuple[int, ...]  # one count per as-of date, in the order asked
    covered: tuple[int, ...]  # the same


def _int(value: int):
    """An integer constant written into the SQL (masks are planner-visible constants, not parameters)."""
    return literal_column(str(int(value)))


def tune_for_aggregates(session: Session) -> bool:
    """On PostgreSQL, settings for one big aggregate in this transaction (JIT compilation costs more than
    it saves here, and the per-person hash tables want more than the default 4 MB); True on PostgreSQL."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    session.execute(text("SET LOCAL jit = off"))
    session.execute(text("SET LOCAL work_mem = '128MB'"))
    return True


def held_masks(session: Session, requirements: Requirements, dates: list[date], *, persons=None):
    """Subquery: per person, the mask of required courses validly held on each date (columns person_id, m0,
    m1...); `persons` optionally limits it to a select() of person ids.

    A course completed twice must count once: PostgreSQL ORs the bits (bit_or); SQLite, which has no
    bit_or, first takes per (trainee, course) whether any completion is valid, then adds the bits.
    """
    window = [Completion.course_id.in_(requirements.course_ids()), Completion.completed_on <= max(dates),
              Completion.valid_until.is_(None) | (Completion.valid_until >= min(dates))]
    if persons is not None:
        window.append(Completion.person_id.in_(persons))
    bit = requirements.bit_sql(Completion.course_id)
    if session.get_bind().dialect.name == "postgresql":
        columns = [func.bit_or(case((valid_on(Completion, day), bit), else_=_int(0))).label(f"m{k}")
                   for k, day in enumerate(dates)]
        return select(Completion.person_id.label("person_id"), *columns).where(*window) \
            .group_by(Completion.person_id).subquery("held")
    flags = [func.max(case((valid_on(Completion, day), _int(1)), else_=_int(0))).label(f"v{k}")
             for k, day in enumerate(dates)]
    per_course = (select(Completion.person_id.label("person_id"), bit.label("bit"), *flags).where(*window)
                  .group_by(Completion.person_id, Completion.course_id).subquery("per_course"))
    columns = [func.sum(per_course.c.bit * per_course.c[f"v{k}"]).label(f"m{k}") for k in range(len(dates))]
    return select(per_course.c.person_id, *columns).group_by(per_course.c.person_id).subquery("held")


def covered_clause(held_column, missing_bits):
    """SQL: a mask column holds every required bit (`missing_bits` is ~required, see Requirements)."""
    return func.coalesce(held_column, 0).op("|")(missing_bits) == literal_column("-1")


def person_filters(*, scope=None, organization_id: int | None = None, sector_id: int | None = None,
                   roster_only: bool = False) -> list:
    """WHERE clauses on Trainee (joined to its Organization) for a scope and the usual filters. Who counts on
    which date is employment.placements' to say."""
    clauses = []
    if scope is not None or roster_only or organization_id is not None or sector_id is not None:
        clauses.append(Trainee.organization_id.is_not(None))
    if scope is not None:
        clauses.append(scope)
    if organization_id is not None:
        clauses.append(Trainee.organization_id == organization_id)
    if sector_id is not None:
        clauses.append(Organization.sector_id == sector_id)
    return clauses


def people_in_scope(*, scope=None, organization_id: int | None = None):
    """A select() of the persons one organization's or one department's figures are about (None: everyone)."""
    if organization_id is not None:
        return select(Trainee.person_id).where(Trainee.organization_id == organization_id)
    if scope is not None:
        return select(Trainee.person_id).join(Organization, Organization.id == Trainee.organization_id).where(scope)
    return None


def coverage_cells(session: Session, requirements: Requirements, *, dates: list[date], scope=None,
                   organization_id: int | None = None, sector_id: int | None = None,
                   group_ids: list[int] | None = None) -> list[Cell]:
    """Population and covered counts per (locality, organization, group) on each as-of date."""
    group_ids = group_ids if group_ids is not None else [g.id for g in requirements.groups]
    if not group_ids or not dates:
        return []
    tune_for_aggregates(session)
    # One organization's or one department's figures read only their people's completions and jobs.
    persons = people_in_scope(scope=scope, organization_id=organization_id)
    held = held_masks(session, requirements, dates, persons=persons)
    placed = placements(session, dates, persons=persons)
    group_column = trainee_group.c.key_group_id
    locality = func.coalesce(Trainee.locality_id, Organization.locality_id)
    missing_bits = requirements.missing_bits_sql(group_column, Organization.kind)
    population = [func.sum(case((placed.on(k), 1), else_=0)) for k in range(len(dates))]
    covered = [func.sum(case((and_(placed.on(k), covered_clause(held.c[f"m{k}"], missing_bits)), 1), else_=0))
               for k in range(len(dates))]
    statement = placed.join(
        select(locality, Trainee.organization_id, group_column, *population, *covered)
        .select_from(Trainee)
        .join(trainee_group, trainee_group.c.trainee_id == Trainee.id)
        .outerjoin(Organization, Organization.id == Trainee.organization_id)
        .outerjoin(held, held.c.person_id == Trainee.person_id)
    ).where(group_column.in_(group_ids), *placed.window(),
            *person_filters(scope=scope, organization_id=organization_id, sector_id=sector_id)) \
        .group_by(locality, Trainee.organization_id, group_column)
    count = len(dates)
    cells = [Cell(row[0], row[1], row[2], tuple(int(v or 0) for v in row[3:3 + count]),
                  tuple(int(v or 0) for v in row[3 + count:])) for row in session.execute(statement)]
    return [cell for cell in cells if any(cell.population)]
