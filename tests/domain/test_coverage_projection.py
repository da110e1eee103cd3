"""The projection (pace of the last 28 days), trend dates, and the figures beside coverage."""
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from portal.domain.coverage.arithmetic import Figure
from portal.domain.coverage.cache import SnapshotCache, data_version
from portal.domain.coverage.projection import LATE, ON_TRACK, REACHED, STALLED, month_ends, project, trend_dates
from portal.domain.coverage.snapshot import take_snapshot
from portal.domain.coverage.targets import Goal, TargetData, save_target
from portal.domain.workforce.rules import current_rules
from portal.models import Assignment, Certificate, KeyGroup
from tests.factories import make_completion, make_course, make_locality, make_org, make_trainee

TODAY = date(2026, 6, 30)
SINCE = date(2020, 1, 1)  # when these rosters' people started: coverage counts people employed on each date


def figure(covered: int, population: int = 10, *, rate: float = 1.0, deadline: date = date(2026, 12, 31)) -> Figure:
    return Figure(roster=population, covered_roster=covered, goal=Goal(deadline, rate, True))


def test_projection_at_the_pace_of_the_last_four_weeks():
    # 4 more people in 28 days: 1/7 a day; 4 to go -> 28 days.
    projection = project(figure(6), figure(2), today=TODAY)
    assert projection.pace_per_day == pytest.approx(1 / 7)
    assert projection.reach_on == TODAY + timedelta(days=28) == date(2026, 7, 28)
    assert projection.status == ON_TRACK and not projection.flagged


def test_projection_after_the_deadline_is_flagged():
    projection = project(figure(6, deadline=date(2026, 7, 15)), figure(2), today=TODAY)
    assert projection.reach_on == date(2026, 7, 28) and projection.status == LATE and projection.flagged


def test_no_progress_means_not_at_the_current_pace():
    for before in (6, 7):  # flat, or going backwards (expiries)
        projection = project(figure(6), figure(before), today=TODAY)
        assert projection.status == STALLED and projection.reach_on is None and projection.flagged


def test_target_rate_below_full_coverage_and_reached_targets():
    assert project(figure(9, rate=0.9), figure(5), today=TODAY).status == REACHED
    # 90% of 10 = 9: 3 to go at 1/7 a day -> 21 days.
    assert project(figure(6, rate=0.9), figure(2), today=TODAY).reach_on == TODAY + timedelta(days=21)
    # fractional days round up: 1 to go at 2/28 a day -> 14 days.
    assert project(figure(8, rate=0.9), figure(6), today=TODAY).reach_on == TODAY + timedelta(days=14)


def test_trend_dates_are_weekly_and_include_four_weeks_ago():
    dates = trend_dates(TODAY, 12)
    assert dates[-1] == TODAY and dates[0] == TODAY - timedelta(weeks=12) and len(dates) == 13
    assert TODAY - timedelta(days=28) in dates
    assert month_ends(2026, TODAY) == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30),
                                       date(2026, 5, 31), TODAY]


def test_projection_from_the_database(session):
    grid = make_locality("P1", level="district")
    org = make_org(kind="general", locality=grid)
    course = make_course("all-staff-basics")
    people = [make_trainee(org, start_date=SINCE) for _ in range(10)]
    for person in people[:2]:
        make_completion(person, course, on=date(2026, 5, 1), valid_until=date(2027, 5, 1))
    for person in people[2:6]:
        make_completion(person, course, on=date(2026, 6, 10), valid_until=date(2027, 6, 10))
    all_staff = session.scalar(select(KeyGroup.id).where(KeyGroup.code == "all_staff"))
    save_target(session, TargetData(all_staff, grid.id, 0, date(2026, 7, 15), 1.0), actor_id=None)
    snapshot = take_snapshot(session, today=TODAY, rules=current_rules(session))
    line = next(line for line in snapshot.headline() if line.group.code == "all_staff")
    assert (line.now.covered, line.before.covered) == (6, 2)
    assert line.projection.reach_on == date(2026, 7, 28) and line.projection.status == LATE


def test_onboarding_periodic_overdue_and_certificates(session):
    org = make_org(kind="public_gathering")
    basics, kind_course = make_course("all-staff-basics"), make_course("public-gathering-staff")
    trained = make_trainee(org, start_date=date(2026, 3, 1))  # both courses before starting
    make_completion(trained, basics, on=date(2026, 2, 20))
    make_completion(trained, kind_course, on=date(2026, 3, 1))
    late = make_trainee(org, start_date=date(2026, 3, 1))  # the kind's course after starting
    make_completion(late, basics, on=date(2026, 2, 20))
    make_completion(late, kind_course, on=date(2026, 3, 5))
    make_trainee(org, start_date=date(2025, 12, 1))  # hired last year: not in this year's figure
    now = datetime(2026, 6, 1, tzinfo=timezone.utc)
    session.add_all([
        Assignment(trainee_id=trained.id, course_id=basics.id, rule="periodic:public_gathering", due_on=date(2026, 4, 1),
                   status="completed", closed_at=datetime(2026, 3, 30, tzinfo=timezone.utc)),
        Assignment(trainee_id=late.id, course_id=basics.id, rule="periodic:public_gathering", due_on=date(2026, 4, 1),
                   status="completed", closed_at=datetime(2026, 4, 9, tzinfo=timezone.utc)),
        Assignment(trainee_id=late.id, course_id=kind_course.id, rule="onboarding", due_on=date(2026, 6, 1),
                   status="open"),
        Assignment(trainee_id=late.id, course_id=basics.id, rule="group:x", due_on=date(2026, 7, 30), status="open"),
        Certificate(serial="SFQ-2026-000001-X", token="t1", completion_id=1, person_id=trained.person_id,
                    course_id=basics.id, organization_id=org.id, holder_name="x", completed_on=date(2026, 2, 20),
                    issued_at=now),
    ])
    session.flush()
    compliance = take_snapshot(session, today=TODAY, rules=current_rules(session)).compliance()
    assert (compliance.hires, compliance.hires_trained) == (2, 1)
    assert (compliance.periodic_due, compliance.periodic_on_time) == (2, 1)
    assert (compliance.overdue_assignments, compliance.overdue_people) == (1, 1)
    assert compliance.certificates == 1


def test_cache_reuses_a_computation_until_the_data_changes(session):
    org = make_org()
    course = make_course("all-staff-basics")
    person = make_trainee(org, start_date=SINCE)
    cache = SnapshotCache()
    rules = current_rules(session)
    first = take_snapshot(session, today=TODAY, rules=rules, cache=cache)
    again = take_snapshot(session, today=TODAY, rules=rules, cache=cache)
    assert again.cells is first.cells
    make_completion(person, course, on=date(2026, 6, 1))
    fresh = take_snapshot(session, today=TODAY, rules=rules, cache=cache)
    assert fresh.cells is not first.cells
    all_staff = session.scalar(select(KeyGroup.id).where(KeyGroup.code == "all_staff"))
    assert fresh.figure(all_staff).covered == 1


def test_cache_serves_recent_figures_while_refreshing_in_the_background(session):
    org = make_org()
    course = make_course("all-staff-basics")
    person = make_trainee(org, start_date=SINCE)
    cache = SnapshotCache()
    rules = current_rules(session)
    first = take_snapshot(session, today=TODAY, rules=rules, cache=cache)
    make_completion(person, course, on=date(2026, 6, 1))
    jobs = []
    stale = take_snapshot(session, today=TODAY, rules=rules, cache=cache, max_age=300, spawn=jobs.append)
    assert stale.cells is first.cells and len(jobs) == 1
    jobs[0](session)  # what the background thread does
    key = next(iter(cache._entries))
    assert cache._entries[key].version == data_version(session)
    assert take_snapshot(session, today=TODAY, rules=rules, cache=cache).cells is not first.cells
