"""Coverage arithmetic against hand-computed cases.

The small district: D > S1 > C1 > G1 and D > S2. Organization A (general, commerce) sits in G1,
B (public gathering, health) in S2. Required courses come from the repository rules: all_staff needs
all-staff-basics (+ public-gathering-staff at a public gathering place); grid_worker needs
grid-worker; responsible_person needs responsible-person.
"""
from datetime import date

import pytest
from sqlalchemy import select

from portal.domain.coverage.arithmetic import Figure
from portal.domain.coverage.snapshot import take_snapshot
from portal.domain.coverage.targets import TargetData, save_target
from portal.domain.platform.policy import organization_scope
from portal.domain.workforce.rules import current_rules
from portal.models import KeyGroup, Organization
from tests.factories import key_groups, make_completion, make_course, make_locality, make_org, make_trainee, make_user

TODAY = date(2026, 6, 30)
SINCE = date(2020, 1, 1)  # when these rosters' people started: coverage counts people employed on each date
VALID = date(2027, 6, 1)
EXPIRED = date(2026, 6, 1)


def group_id(session, code):
    return session.scalar(select(KeyGroup.id).where(KeyGroup.code == code))


@pytest.fixture
def district(session):
    d = make_locality("D", level="district")
    s1 = make_locality("D01", level="street", parent=d)
    c1 = make_locality("D0101", level="community", parent=s1)
    g1 = make_locality("D010101", level="grid", parent=c1)
    s2 = make_locality("D02", level="street", parent=d)
    courses = {code: make_course(code) for code in
               ("all-staff-basics", "public-gathering-staff", "grid-worker", "responsible-person")}
    a = make_org("A", kind="general", sector_code="commerce", locality=g1)
    b = make_org("B", kind="public_gathering", sector_code="health", locality=s2)
    asb, pgs, gw, rp = (courses[c] for c in ("all-staff-basics", "public-gathering-staff", "grid-worker",
                                             "responsible-person"))
    people = {}
    people["p1"] = make_trainee(a, groups=("all_staff", "responsible_person"), start_date=SINCE)
    make_completion(people["p1"], asb, on=date(2026, 1, 10), valid_until=VALID)
    make_completion(people["p1"], rp, on=date(2026, 1, 10), valid_until=VALID)
    people["p2"] = make_trainee(a, start_date=SINCE)  # all_staff, expired
    make_completion(people["p2"], asb, on=date(2025, 6, 1), valid_until=EXPIRED)
    people["p3"] = make_trainee(a, groups=("all_staff", "grid_worker"), start_date=SINCE)
    make_completion(people["p3"], asb, on=date(2026, 2, 1), valid_until=None)
    make_completion(people["p3"], gw, on=date(2026, 2, 1), valid_until=VALID)
    people["p4"] = make_trainee(a, start_date=SINCE)  # left: not counted although trained
    people["p4"].status = "left"
    make_completion(people["p4"], asb, on=date(2026, 2, 1), valid_until=VALID)
    people["p5"] = make_trainee(b, start_date=SINCE)  # public gathering: basics only, lacks the kind's course
    make_completion(people["p5"], asb, on=date(2026, 3, 1), valid_until=VALID)
    people["p6"] = make_trainee(b, start_date=SINCE)
    make_completion(people["p6"], asb, on=date(2026, 3, 1), valid_until=VALID)
    make_completion(people["p6"], pgs, on=date(2026, 3, 1), valid_until=VALID)
    people["p7"] = make_trainee(b, start_date=SINCE)  # the kind's course twice: counted once
    make_completion(people["p7"], asb, on=date(2026, 3, 1), valid_until=VALID)
    make_completion(people["p7"], pgs, on=date(2026, 3, 1), valid_until=VALID)
    make_completion(people["p7"], pgs, on=date(2026, 4, 1), valid_until=VALID)
    for name, locality, until in (("u1", g1, VALID), ("u2", s2, VALID), ("u3", g1, EXPIRED)):
        person = make_trainee(None, groups=("grid_worker",), start_date=SINCE)
        person.locality_id = locality.id
        make_completion(person, gw, on=date(2025, 7, 1), valid_until=until)
        people[name] = person
    grid = group_id(session, "grid_worker")
    save_target(session, TargetData(grid, s1.id, 5, date(2026, 12, 31), 1.0), actor_id=None)
    save_target(session, TargetData(grid, s2.id, 1, date(2026, 12, 31), 1.0), actor_id=None)
    save_target(session, TargetData(group_id(session, "all_staff"), d.id, 0, date(2026, 10, 31), 0.9), actor_id=None)
    session.flush()
    return {"d": d, "s1": s1, "c1": c1, "g1": g1, "s2": s2, "a": a, "b": b, "courses": courses, "people": people}


def snapshot(session, scope=None, **options):
    return take_snapshot(session, today=TODAY, rules=current_rules(session), scope=scope, **options)


def pair(figure: Figure) -> tuple[int, int]:
    return figure.population, figure.covered


def test_people_in_several_groups_expired_completions_and_people_who_left(session, district):
    snap = snapshot(session)
    all_staff, responsible = group_id(session, "all_staff"), group_id(session, "responsible_person")
    # p1, p2, p3 at A; p5, p6, p7 at B; p4 left. Covered: p1, p3, p6, p7 (p2 expired, p5 lacks a course).
    assert pair(snap.figure(all_staff)) == (6, 4)
    assert pair(snap.figure(all_staff, district["s1"].id)) == (3, 2)
    assert pair(snap.figure(all_staff, district["g1"].id)) == (3, 2)
    assert pair(snap.figure(all_staff, district["s2"].id)) == (3, 2)
    assert pair(snap.figure(responsible)) == (1, 1)  # p1 counts in both of their groups
    assert snap.figure(all_staff).rate == pytest.approx(4 / 6)


def test_targets_without_rosters_are_covered_by_people_without_an_employer(session, district):
    snap = snapshot(session)
    grid = group_id(session, "grid_worker")
    whole = snap.figure(grid)
    # roster: p3 (covered); declared 5 (S1) + 1 (S2); without employer covered: u1 (S1), u2 (S2); u3 expired.
    assert (whole.roster, whole.covered_roster, whole.declared, whole.covered_declared) == (1, 1, 6, 2)
    assert pair(whole) == (7, 3)
    assert pair(snap.figure(grid, district["s1"].id)) == (6, 2)  # 1 + 5 declared; p3 + u1
    assert pair(snap.figure(grid, district["s2"].id)) == (1, 1)  # declared 1, covered by u2 (capped at 1)
    assert pair(snap.figure(grid, district["g1"].id)) == (1, 1)  # no declared count below S1: u1 adds nothing


def test_declared_part_is_capped_by_the_declared_count(session, district):
    grid = group_id(session, "grid_worker")
    save_target(session, TargetData(grid, district["s2"].id, 0, date(2026, 12, 31), 1.0), actor_id=None)
    snap = snapshot(session)
    assert pair(snap.figure(grid, district["s2"].id)) == (0, 0)  # u2 has no declared place left to fill
    # At the district, min(5 declared, 2 covered without employer) = 2: u2 fills a place declared in S1.
    # The definition caps each place on its own, so streets need not add up to the district.
    assert pair(snap.figure(grid)) == (6, 3)


def test_target_rate_and_deadline_come_from_the_nearest_target(session, district):
    snap = snapshot(session)
    all_staff, grid = group_id(session, "all_staff"), group_id(session, "grid_worker")
    figure = snap.figure(all_staff)
    assert figure.goal.rate == 0.9 and figure.goal.deadline == date(2026, 10, 31)
    assert figure.target_count == 6  # ceil(6 * 0.9)
    assert snap.figure(all_staff, district["g1"].id).goal.deadline == date(2026, 10, 31)  # inherited from D
    default = snap.figure(group_id(session, "safety_manager"))
    assert default.goal.rate == 1.0 and default.goal.deadline == date(2026, 12, 31) and not default.goal.from_target
    assert snap.figure(grid, district["s1"].id).goal.from_target


def test_department_viewers_see_their_sector_rosters_only(session, district):
    viewer = make_user("dept_viewer", sector_code="commerce")
    snap = snapshot(session, scope=organization_scope(viewer))
    all_staff, grid = group_id(session, "all_staff"), group_id(session, "grid_worker")
    assert pair(snap.figure(all_staff)) == (3, 2)  # A only
    assert pair(snap.figure(grid)) == (1, 1)  # p3; no declared part, nobody without an employer
    assert snap.figure(grid).declared == 0
    assert set(snap.organizations()) == {district["a"].id}
    assert pair(snap.figure(all_staff, district["s2"].id)) == (0, 0)


def test_organizations_and_sectors(session, district):
    snap = snapshot(session)
    all_staff = group_id(session, "all_staff")
    per_org = snap.organizations()
    assert pair(per_org[district["a"].id][all_staff]) == (3, 2)
    assert pair(per_org[district["b"].id][all_staff]) == (3, 2)
    sectors = snap.sectors({o.id: o.sector_id for o in session.scalars(select(Organization))})
    assert pair(sectors[district["a"].sector_id][all_staff]) == (3, 2)


def test_as_of_dates_replay_completions(session, district):
    all_staff = group_id(session, "all_staff")
    snap = snapshot(session, dates=[date(2026, 1, 1), date(2026, 2, 15), TODAY])
    series = dict(snap.series(all_staff))
    # 2026-01-01: only p2 held basics (valid until 2026-06-01) but A's p1 not yet; B's nobody.
    assert pair(series[date(2026, 1, 1)]) == (6, 1)
    # 2026-02-15: p1 (Jan 10), p2 (still valid), p3 (Feb 1) at A.
    assert pair(series[date(2026, 2, 15)]) == (6, 3)
    assert pair(series[TODAY]) == (6, 4)


def test_a_group_whose_courses_are_missing_cannot_be_covered(session, district):
    snap = snapshot(session)
    security = group_id(session, "security_staff")
    person = make_trainee(district["a"], groups=("security_staff",), start_date=SINCE)
    session.flush()
    snap = snapshot(session)
    assert pair(snap.figure(security)) == (1, 0)  # security-micro-station is not in the catalogue
    assert person.id


def test_key_group_helper_is_consistent(session):
    assert {g.code for g in key_groups("all_staff", "grid_worker")} == {"all_staff", "grid_worker"}


def test_one_organization_computed_alone_matches_the_district(session, district):
    alone = snapshot(session, organization_id=district["b"].id)
    whole = snapshot(session).restrict({district["b"].id})
    for group in whole.groups:
        assert pair(alone.figure(group.id)) == pair(whole.figure(group.id)), group.code
    assert pair(alone.figure(group_id(session, "all_staff"))) == (3, 2)
    assert alone.compliance() == whole.compliance()
