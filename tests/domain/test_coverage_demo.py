"""The demo district's coverage data: targets with declared counts and two classroom sessions, once."""
from datetime import date

from sqlalchemy import func, select

from portal.domain.demo.coverage import seed_demo_coverage
from portal.domain.coverage.snapshot import take_snapshot
from portal.domain.demo import seed_demo
from portal.domain.workforce.rules import current_rules
from portal.models import Completion, KeyGroup, OfflineAttendance, OfflineSession, Target
from tests.factories import make_course
from tests.views.routes_certificates import use_test_signing_key

TODAY = date(2026, 11, 30)


def test_demo_coverage_is_seeded_once(app, session):
    use_test_signing_key()
    make_course("all-staff-basics")
    make_course("grid-worker")
    seeded = seed_demo(session, today=TODAY, people=60)  # seed_demo calls seed_demo_coverage
    again = seed_demo_coverage(session, today=TODAY)
    first = {"targets": seeded["coverage targets"], "offline_sessions": seeded["classroom sessions"],
             "attendances": session.scalar(select(func.count()).select_from(OfflineAttendance))}
    assert first["targets"] > 10 and first["offline_sessions"] == 2 and first["attendances"] >= 2
    assert set(again.values()) == {0}
    assert session.scalar(select(func.count()).select_from(OfflineSession)) == 2
    # each attendance is an offline completion of its session's course (the certificate demo adds others)
    attended = (select(func.count()).select_from(OfflineAttendance)
                .join(OfflineSession, OfflineSession.id == OfflineAttendance.session_id)
                .join(Completion, (Completion.person_id == OfflineAttendance.person_id)
                      & (Completion.course_id == OfflineSession.course_id) & (Completion.mode == "offline")
                      & (Completion.completed_on == OfflineSession.held_on)))
    assert session.scalar(attended) == first["attendances"]
    grid = session.scalar(select(KeyGroup.id).where(KeyGroup.code == "grid_worker"))
    declared = session.scalar(select(func.sum(Target.declared_count)).where(Target.key_group_id == grid))
    assert declared == 46
    figure = take_snapshot(session, today=TODAY, rules=current_rules(session)).figure(grid)
    assert figure.declared == 46 and figure.covered_declared == 2  # two grid workers without an employer attended


def test_nothing_to_seed_without_the_demo_district(session):
    assert seed_demo_coverage(session, today=TODAY) == {"targets": 0, "offline_sessions": 0, "attendances": 0,
                                                       "people_without_employer": 0}
