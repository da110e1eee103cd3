"""Offline classroom sessions: attendance creates offline completions that count toward coverage."""
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from portal.domain.learning import offline
from portal.domain.coverage.snapshot import take_snapshot
from portal.domain.platform.errors import NotAllowed, ValidationError
from portal.domain.workforce.rules import current_rules
from portal.models import Assignment, AuditEvent, Certificate, Completion, KeyGroup, OfflineAttendance
from tests.factories import make_completion, make_course, make_org, make_trainee
from tests.views.routes_certificates import use_test_signing_key

TODAY = date(2026, 6, 30)
SINCE = date(2020, 1, 1)  # when these rosters' people started: coverage counts people employed on each date
NOW = datetime(2026, 6, 30, 9, tzinfo=timezone.utc)


@pytest.fixture
def classroom(app, session):
    use_test_signing_key()
    org, other = make_org(kind="general"), make_org(kind="general")
    course = make_course("all-staff-basics")
    people = [make_trainee(org, start_date=SINCE) for _ in range(3)]
    stranger = make_trainee(other, start_date=SINCE)
    record = offline.create_session(session, offline.SessionData(course.id, org.id, date(2026, 6, 20), "Teacher Li",
                                                                 "Hall 3"), actor_id=None, today=TODAY)
    return {"org": org, "course": course, "people": people, "stranger": stranger, "session": record}


def all_staff(session):
    return session.scalar(select(KeyGroup.id).where(KeyGroup.code == "all_staff"))


def test_attendance_creates_offline_completions_that_count(session, classroom):
    people, record = classroom["people"], classroom["session"]
    session.add(Assignment(trainee_id=people[0].id, course_id=classroom["course"].id, rule="onboarding",
                           due_on=date(2026, 6, 1), status="open", valid_months=12))
    session.flush()
    before = take_snapshot(session, today=TODAY, rules=current_rules(session)).figure(all_staff(session))
    assert (before.population, before.covered) == (4, 0)
    added = offline.record_attendance(session, record, [people[0].id, people[1].id], method="roster", now=NOW,
                                      today=TODAY)
    assert added == 2
    completions = session.scalars(select(Completion).where(Completion.offline_session_id == record.id)).all()
    assert {c.person_id for c in completions} == {people[0].person_id, people[1].person_id}
    assert {c.mode for c in completions} == {"offline"} and {c.completed_on for c in completions} == {date(2026, 6, 20)}
    assert completions[0].valid_until == date(2027, 6, 20)  # from the assignment's 12 months, via the hooks
    assignment = session.scalar(select(Assignment).where(Assignment.trainee_id == people[0].id))
    assert assignment.status == "completed"
    assert session.scalar(select(Certificate).where(Certificate.person_id == people[0].person_id)) is not None
    after = take_snapshot(session, today=TODAY, rules=current_rules(session)).figure(all_staff(session))
    assert (after.population, after.covered) == (4, 2)
    # Recording the same people again adds nothing.
    assert offline.record_attendance(session, record, [people[0].id], method="roster", now=NOW, today=TODAY) == 0
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "coverage.offline_session.attendance"))


def test_only_the_sessions_roster_may_attend(session, classroom):
    with pytest.raises(ValidationError):
        offline.record_attendance(session, classroom["session"], [classroom["stranger"].id], method="roster",
                                  now=NOW, today=TODAY)
    with pytest.raises(ValidationError):
        offline.trainees_by_mobile(session, classroom["session"], classroom["stranger"].mobile)
    found = offline.trainees_by_mobile(session, classroom["session"],
                                       f"{classroom['people'][2].mobile}, {classroom['people'][1].mobile}")
    assert found == [classroom["people"][2].id, classroom["people"][1].id]


def test_future_sessions_take_no_attendance_yet(session, classroom):
    future = offline.create_session(session, offline.SessionData(classroom["course"].id, classroom["org"].id,
                                                                 date(2026, 7, 5), "T", "P"), actor_id=None,
                                    today=TODAY)
    with pytest.raises(NotAllowed):
        offline.record_attendance(session, future, [classroom["people"][0].id], method="roster", now=NOW, today=TODAY)


def test_qr_sign_in_on_the_day(session, classroom):
    record, person = classroom["session"], classroom["people"][0]
    assert offline.find_by_code(session, record.sign_in_code) is record
    assert offline.find_by_code(session, "nope") is None
    with pytest.raises(NotAllowed):
        offline.sign_in(session, record, person, now=NOW, today=date(2026, 6, 19))  # before
    with pytest.raises(NotAllowed):
        offline.sign_in(session, record, person, now=NOW, today=date(2026, 6, 22))  # two days after
    with pytest.raises(NotAllowed):
        offline.sign_in(session, record, classroom["stranger"], now=NOW, today=date(2026, 6, 20))
    assert offline.sign_in(session, record, person, now=NOW, today=date(2026, 6, 21)) is True
    assert offline.sign_in(session, record, person, now=NOW, today=date(2026, 6, 21)) is False
    attendance = session.scalar(select(OfflineAttendance).where(OfflineAttendance.person_id == person.person_id))
    assert attendance.method == "qr"


def test_office_sessions_take_anyone_and_count_toward_declared_places(session, classroom):
    grid_course = make_course("grid-worker")
    volunteer = make_trainee(None, groups=("grid_worker",), start_date=SINCE)
    volunteer.locality_id = classroom["org"].locality_id
    record = offline.create_session(session, offline.SessionData(grid_course.id, None, date(2026, 6, 25), "T", "P"),
                                    actor_id=None, today=TODAY)
    from portal.domain.coverage.targets import TargetData, save_target

    grid = session.scalar(select(KeyGroup.id).where(KeyGroup.code == "grid_worker"))
    save_target(session, TargetData(grid, classroom["org"].locality_id, 3, date(2026, 12, 31), 1.0), actor_id=None)
    assert offline.record_attendance(session, record, [volunteer.id], method="roster", now=NOW, today=TODAY) == 1
    figure = take_snapshot(session, today=TODAY, rules=current_rules(session)).figure(grid)
    assert (figure.population, figure.covered, figure.covered_declared) == (3, 1, 1)


def test_expired_offline_completion_no_longer_covers(session, classroom):
    person = classroom["people"][2]
    make_completion(person, classroom["course"], on=date(2025, 1, 1), valid_until=date(2026, 1, 1))
    figure = take_snapshot(session, today=TODAY, rules=current_rules(session)).figure(all_staff(session))
    assert figure.covered == 0


def test_sessions_need_a_course_a_trainer_and_a_place(session, classroom):
    for data, field in ((offline.SessionData(999999, None, TODAY, "T", "P"), "course_id"),
                        (offline.SessionData(classroom["course"].id, None, TODAY, " ", "P"), "trainer"),
                        (offline.SessionData(classroom["course"].id, None, TODAY, "T", ""), "place")):
        with pytest.raises(ValidationError) as error:
            offline.create_session(session, data, actor_id=None, today=TODAY)
        assert error.value.field == field


def test_session_dates_stay_within_the_window_and_attendance_too(session, classroom):
    window = offline.DateWindow(days_back=30, days_ahead=60)
    course, org = classroom["course"].id, classroom["org"].id
    for held_on, field in ((date(1, 1, 1), "held_on"), (TODAY - timedelta(days=31), "held_on"),
                           (TODAY + timedelta(days=61), "held_on")):
        with pytest.raises(ValidationError) as error:
            offline.create_session(session, offline.SessionData(course, org, held_on, "T", "P"), actor_id=None,
                                   today=TODAY, window=window)
        assert error.value.field == field
    edge = offline.create_session(session, offline.SessionData(course, org, TODAY - timedelta(days=30), "T", "P"),
                                  actor_id=None, today=TODAY, window=window)
    backdated = session.scalar(select(AuditEvent).where(AuditEvent.action == offline.BACKDATED,
                                                        AuditEvent.target_id == str(edge.id)))
    assert backdated.details["held_on"] == (TODAY - timedelta(days=30)).isoformat()
    person = classroom["people"][0]
    with pytest.raises(NotAllowed):  # a month later the session's attendance is closed too
        offline.record_attendance(session, edge, [person.id], method="roster", now=NOW,
                                  today=TODAY + timedelta(days=1), window=window)
    assert offline.record_attendance(session, edge, [person.id], method="roster", now=NOW, today=TODAY,
                                     window=window) == 1
