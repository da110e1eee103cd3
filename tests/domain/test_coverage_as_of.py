"""Coverage as of a date counts the people employed that day (portal/domain/employment.py): from their start to
the day they leave, once each, at the job that places them that day."""
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from portal.domain.coverage.missing import all_missing
from portal.domain.coverage.population import coverage_cells
from portal.domain.coverage.requirements import load_requirements
from portal.domain.coverage.snapshot import take_snapshot
from portal.domain.employment import held_on, held_on_sql
from portal.domain.rules import current_rules
from portal.models import KeyGroup, Trainee, utcnow
from tests.factories import make_completion, make_course, make_locality, make_org, make_trainee

TODAY = utcnow().date()  # rows put on the roster now are dated today, as in production
YEAR = TODAY.year - 1
SINCE = date(2020, 1, 1)
FOREVER = date(2099, 12, 31)


@pytest.fixture
def district(session):
    root = make_locality("A0", level="district")
    east = make_locality("A01", level="street", parent=root)
    west = make_locality("A02", level="street", parent=root)
    mall = make_org("Harbour Mall", sector_code="commerce", locality=east)
    school = make_org("Hill School", sector_code="education", locality=west)
    basics = make_course("all-staff-basics")
    staff = [make_trainee(mall, start_date=SINCE) for _ in range(3)] + [make_trainee(school, start_date=SINCE)]
    make_completion(staff[0], basics, on=date(YEAR, 3, 1), valid_until=FOREVER)
    make_completion(staff[3], basics, on=date(YEAR - 1, 5, 1), valid_until=FOREVER)
    session.flush()
    return {"mall": mall, "school": school, "basics": basics, "staff": staff}


def group(session, code="all_staff"):
    return session.scalar(select(KeyGroup.id).where(KeyGroup.code == code))


def counted(session, day: date) -> dict:
    """Organization -> people of the all-staff group counted there on `day`."""
    requirements = load_requirements(session, current_rules(session))
    cells = coverage_cells(session, requirements, dates=[day], group_ids=[group(session)])
    result = {}
    for cell in cells:
        result[cell.organization_id] = result.get(cell.organization_id, 0) + cell.population[0]
    return {org: n for org, n in result.items() if n}


def test_a_move_with_overlapping_dates_counts_the_person_once(session, district):
    mall, school = district["mall"], district["school"]
    person = district["staff"][3]  # at the school since 2020
    person.status, person.left_on = "left", date(YEAR, 6, 1)
    make_trainee(mall, person=person.person, start_date=date(YEAR, 5, 1))  # started before the school let go
    session.flush()
    assert counted(session, date(YEAR, 4, 30)) == {mall.id: 3, school.id: 1}
    assert counted(session, date(YEAR, 5, 15)) == {mall.id: 3, school.id: 1}  # once, at the job held first
    assert counted(session, date(YEAR, 6, 1)) == {mall.id: 4}


def test_a_second_job_places_the_person_only_once_the_first_has_ended(session, district):
    mall, school = district["mall"], district["school"]
    main = district["staff"][1]
    extra = make_trainee(school, person=main.person, start_date=date(YEAR - 1, 1, 1), second_job=True)
    session.flush()
    assert counted(session, date(YEAR, 3, 31)) == {mall.id: 3, school.id: 1}
    main.status, main.left_on = "left", date(YEAR, 9, 1)
    extra.second_job = False  # promoted when the first job ended (people.promote_second_job)
    session.flush()
    assert counted(session, date(YEAR, 8, 31)) == {mall.id: 3, school.id: 1}  # still at the mall
    assert counted(session, date(YEAR, 9, 1)) == {mall.id: 2, school.id: 2}
    assert counted(session, TODAY) == {mall.id: 2, school.id: 2}


def test_someone_starting_next_week_is_neither_counted_nor_missing_today(session, district):
    starter = make_trainee(district["mall"], name="Starts Monday", start_date=TODAY + timedelta(days=7))
    session.flush()
    snapshot = take_snapshot(session, today=TODAY, rules=current_rules(session))
    assert snapshot.figure(group(session)).population == 4
    missing = [p.trainee_id for p in all_missing(session, snapshot, group(session))]
    assert len(missing) == snapshot.figure(group(session)).missing == 2 and starter.id not in missing
    later = take_snapshot(session, today=TODAY + timedelta(days=7), rules=current_rules(session))
    assert later.figure(group(session)).population == 5


@pytest.mark.parametrize("start, created, status, left_on", [
    (None, datetime(2025, 3, 1, 22, 30), "active", None),  # on the roster from its UTC day
    (date(2025, 3, 1), datetime(2026, 1, 1), "active", None),  # imported later with its real start
    (date(2025, 3, 1), datetime(2025, 1, 1), "left", date(2025, 6, 1)),
    (date(2025, 3, 1), datetime(2025, 1, 1), "left", None),  # left without a date: over
    (date(2025, 3, 1), datetime(2025, 1, 1), "pending", None),  # waiting for the person: not yet
])
def test_held_on_is_the_same_rule_in_python_and_in_sql(session, district, start, created, status, left_on):
    job = make_trainee(district["mall"], start_date=start)
    job.created_at, job.status, job.left_on = created.replace(tzinfo=timezone.utc), status, left_on
    session.flush()
    for day in (date(2025, 2, 28), date(2025, 3, 1), date(2025, 5, 31), date(2025, 6, 1), date(2026, 1, 1)):
        in_sql = session.scalar(select(held_on_sql(day)).where(Trainee.id == job.id))
        assert bool(in_sql) == held_on(job, day), (day, start, status, left_on)
