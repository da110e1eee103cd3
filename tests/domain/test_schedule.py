"""The compliance schedule: onboarding, yearly, half-yearly, transfer, special roles, expiry, leaving."""
from __future__ import annotations

import dataclasses
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from portal.domain.workforce import roster, schedule
from portal.domain.platform.errors import ValidationError
from portal.domain.workforce.rules import RuleProblems, course_rules, parse_rules
from portal.models import Assignment, Course, Post
from tests.factories import make_completion, make_course, make_org

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
RULES = """
version: 1
renewal_lead_days: 30
periodic:
  key_unit: {months: 12, basis: 第三十六条 每年}
  public_gathering: {months: 6, basis: 第三十六条 每半年}
  general: {months: 12, basis: 消防法第十六条}
onboarding:
  courses: [basics]
  by_kind:
    public_gathering: [crowd]
  due_days_after_start: 0
  basis: 第三十六条 上岗前
groups:
  safety_manager: {courses: [manager], due_days: 90, valid_months: 24, basis: 第三十八条 专门培训}
transfer:
  courses: [transfer]
  basis: 第三十六条 进入新岗位
"""
COURSES = ("basics", "crowd", "manager", "control-room", "transfer")


@pytest.fixture
def rules(session):
    for code in COURSES:
        make_course(code)
    control_room = session.scalar(select(Post).where(Post.name == "消防控制室值班员"))
    control_room.courses, control_room.basis = ["control-room"], "第三十八条 控制室"
    session.flush()
    return dataclasses.replace(parse_rules(RULES, courses=set(COURSES)), posts=course_rules(session))


def actor():
    return roster.Actor(user_id=None, source="web")


def hire(session, org, rules, *, post="营业员", groups=("all_staff",), start=date(2026, 3, 10), mobile="13900000001"):
    data = roster.PersonData(real_name="王伟", mobile=mobile, post=post, start_date=start, groups=list(groups))
    return roster.hire(session, org, data, rules=rules, actor=actor(), now=NOW)


def open_assignments(session, trainee) -> dict[str, Assignment]:
    rows = session.scalars(select(Assignment).where(Assignment.trainee_id == trainee.id, Assignment.status == "open"))
    return {session.get(Course, a.course_id).code: a for a in rows}


def test_onboarding_is_due_before_the_start_date_with_its_rule_and_basis(session, rules):
    person = hire(session, make_org(kind="general"), rules)
    assigned = open_assignments(session, person)
    assert set(assigned) == {"basics"}
    assert assigned["basics"].due_on == date(2026, 3, 10)
    assert assigned["basics"].rule == "onboarding" and "上岗前" in assigned["basics"].legal_basis
    assert assigned["basics"].valid_months == 12


def test_public_gathering_places_add_their_course_and_train_every_six_months(session, rules):
    person = hire(session, make_org(kind="public_gathering"), rules)
    assigned = open_assignments(session, person)
    assert set(assigned) == {"basics", "crowd"}
    assert assigned["crowd"].valid_months == 6


def test_yearly_renewal_is_assigned_before_expiry_in_a_key_unit(session, rules):
    person = hire(session, make_org(kind="key_unit"), rules, start=date(2025, 1, 1))
    basics = session.scalar(select(Course).where(Course.code == "basics"))
    make_completion(person, basics, on=date(2025, 1, 1), valid_until=date(2026, 1, 1))
    schedule.reconcile(session, person, rules, now=datetime(2025, 11, 1, tzinfo=timezone.utc))
    open_rows = open_assignments(session, person)
    assert "basics" not in open_rows  # valid for two more months: nothing to do yet
    schedule.reconcile(session, person, rules, now=datetime(2025, 12, 5, tzinfo=timezone.utc))
    renewal = open_assignments(session, person)["basics"]
    assert renewal.rule == "periodic:key_unit" and renewal.due_on == date(2026, 1, 1)
    assert "每年" in renewal.legal_basis


def test_completion_validity_comes_from_the_rule(session, rules):
    person = hire(session, make_org(kind="public_gathering"), rules)
    crowd = session.scalar(select(Course).where(Course.code == "crowd"))
    completion = make_completion(person, crowd, on=date(2026, 3, 5))
    assert schedule.completion_validity(session, completion, rules) == date(2026, 9, 5)


def test_expired_completion_makes_the_course_due_again(session, rules):
    person = hire(session, make_org(), rules, start=date(2024, 1, 1))
    basics = session.scalar(select(Course).where(Course.code == "basics"))
    for row in open_assignments(session, person).values():
        row.status = "completed"
    make_completion(person, basics, on=date(2024, 1, 1), valid_until=date(2025, 1, 1))
    schedule.reconcile(session, person, rules, now=NOW)
    assert "basics" in open_assignments(session, person)


def test_a_lapsed_training_is_overdue_since_it_expired_not_since_the_person_started(session, rules):
    """Started in 2021, trained in April, six months' validity, first looked at in December: overdue since
    October (a renewal), not since 2021 (the onboarding rule's old due date)."""
    person = hire(session, make_org(kind="public_gathering"), rules, start=date(2021, 3, 1))
    for row in open_assignments(session, person).values():
        row.status = "completed"
    crowd = session.scalar(select(Course).where(Course.code == "crowd"))
    make_completion(person, crowd, on=date(2026, 4, 10), valid_until=date(2026, 10, 10))
    schedule.reconcile(session, person, rules, now=datetime(2026, 12, 7, 2, 0, tzinfo=timezone.utc))
    renewal = open_assignments(session, person)["crowd"]
    assert renewal.due_on == date(2026, 10, 10) and renewal.overdue_since == date(2026, 10, 10)
    assert renewal.rule == "periodic:public_gathering" and "每半年" in renewal.legal_basis


def test_special_roles_get_their_special_course(session, rules):
    person = hire(session, make_org(), rules, groups=("all_staff", "safety_manager"))
    manager = open_assignments(session, person)["manager"]
    assert manager.rule == "group:safety_manager" and manager.due_on == date(2026, 6, 8)
    assert manager.valid_months == 24 and "专门培训" in manager.legal_basis


def test_transfer_assigns_only_what_the_new_post_needs_and_keeps_valid_certificates(session, rules):
    org = make_org()
    person = hire(session, org, rules, start=date(2025, 1, 1))
    basics = session.scalar(select(Course).where(Course.code == "basics"))
    for row in open_assignments(session, person).values():
        row.status = "completed"
    make_completion(person, basics, on=date(2025, 6, 1), valid_until=date(2026, 6, 1))
    created = roster.transfer(session, person, post="消防控制室值班员", groups=["all_staff"],
                              effective_on=date(2026, 3, 15), rules=rules, actor=actor(), now=NOW)
    codes = {session.get(Course, a.course_id).code for a in created}
    assert codes == {"control-room", "transfer"}  # basics is still valid: kept, not reassigned
    assert all(a.due_on == date(2026, 3, 15) for a in created)
    assert {a.rule for a in created} == {"post:消防控制室值班员", "transfer"}


def test_leaving_closes_open_assignments_and_keeps_history(session, rules):
    person = hire(session, make_org(), rules, groups=("all_staff", "safety_manager"))
    roster.release(session, person, left_on=date(2026, 4, 1), actor=actor(), now=NOW, rules=rules)
    rows = session.scalars(select(Assignment).where(Assignment.trainee_id == person.id)).all()
    assert rows and all(a.status == "closed" and a.closed_reason == "left" for a in rows)


@pytest.mark.parametrize("day", [date(1899, 12, 31), date(2200, 1, 1), date(9999, 12, 31)])
def test_roster_dates_lie_in_a_working_life_far_from_the_calendars_end(session, rules, day):
    """A start, transfer or leaving date far in the future once overflowed the due dates counted from it (a 500)."""
    org = make_org()
    with pytest.raises(ValidationError) as refused:
        hire(session, org, rules, groups=("all_staff", "safety_manager"), start=day)
    assert refused.value.field == "start_date" and "1900-01-01" in str(refused.value) and "2199-12-31" in str(refused.value)
    person = hire(session, org, rules, start=date(2199, 12, 31), groups=("all_staff", "safety_manager"))
    with pytest.raises(ValidationError) as refused:
        roster.transfer(session, person, post="保安员", groups=["all_staff"], effective_on=day, rules=rules,
                        actor=actor(), now=NOW)
    assert refused.value.field == "effective_on"
    with pytest.raises(ValidationError) as refused:
        roster.release(session, person, left_on=day, actor=actor(), now=NOW, rules=rules)
    assert refused.value.field == "left_on"


def test_overdue_assignments_are_marked(session, rules):
    person = hire(session, make_org(), rules, start=date(2026, 2, 1))
    row = open_assignments(session, person)["basics"]
    assert row.overdue_since == date(2026, 2, 1)  # created already overdue
    row.overdue_since = None
    plan = schedule.reconcile(session, person, rules, now=NOW)
    assert plan.overdue == [row] and row.overdue_since == date(2026, 2, 1)


def test_scheduler_is_idempotent_over_repeated_runs(session, rules):
    org = make_org(kind="public_gathering")
    for n in range(5):
        hire(session, org, rules, mobile=f"1390000000{n}", groups=("all_staff", "safety_manager"))
    first = schedule.run_all(session, rules, now=NOW)
    again = schedule.run_all(session, rules, now=NOW)
    assert (again.created, again.closed, again.overdue) == (0, 0, 0)
    assert first.people == 5
    rows = session.scalars(select(Assignment).where(Assignment.status == "open")).all()
    assert len(rows) == 15
    assert len({(a.trainee_id, a.course_id) for a in rows}) == 15


def test_changing_a_rule_reevaluates_everyone_it_affects(session, rules):
    org = make_org()
    for n in range(3):
        hire(session, org, rules, mobile=f"1390000001{n}")
    stricter = parse_rules(RULES.replace("courses: [basics]", "courses: [basics, crowd]"), courses=set(COURSES))
    preview = schedule.run_all(session, stricter, now=NOW, apply=False)
    assert preview.created == 3 and session.scalar(select(Assignment).where(
        Assignment.course_id == session.scalar(select(Course.id).where(Course.code == "crowd")))) is None
    applied = schedule.run_all(session, stricter, now=NOW)
    assert applied.created == 3
    looser = parse_rules(RULES.replace("courses: [basics]", "courses: []"), courses=set(COURSES))
    assert schedule.run_all(session, looser, now=NOW, apply=False).closed == 6  # basics and crowd, 3 people


def test_rule_problems_name_their_lines():
    bad = RULES.replace("months: 6", "months: 0").replace("courses: [basics]", "courses: [nope]")
    with pytest.raises(RuleProblems) as error:
        parse_rules(bad, courses=set(COURSES))
    messages = [message for _line, message in error.value.problems]
    assert any("months: a whole number of at least 1" in m for m in messages)
    assert any("“nope”" in m for m in messages)
    line = next(line for line, m in error.value.problems if "months" in m)
    assert RULES.splitlines()[line - 1].strip().startswith("public_gathering")


def test_repository_rules_are_valid_against_the_curriculum(session):
    from portal.config import PROJECT_ROOT
    from portal.domain.content.sync import sync_content
    from portal.domain.workforce.rules import repository_rules_text

    sync_content(session, PROJECT_ROOT)
    codes = set(session.scalars(select(Course.code)))
    parse_rules(repository_rules_text(), courses=codes, groups={g for g in (
        "all_staff", "responsible_person", "safety_manager", "community_police", "committee_staff", "grid_worker",
        "security_staff", "property_staff", "key_unit_staff", "small_business_owner")})


def test_validity_is_the_rules_whatever_the_channel_or_an_earlier_jobs_assignment(session, rules):
    """Online, classroom and a stale assignment from a job at another kind of organization: the rule decides."""
    from portal.domain.learning import offline
    from portal.models import Completion

    mall = make_org(kind="public_gathering")
    online, in_class = hire(session, mall, rules), hire(session, mall, rules, mobile="13900000002")
    basics = session.scalar(select(Course).where(Course.code == "basics"))
    done = Completion(person_id=online.person_id, course_id=basics.id, completed_on=date(2026, 3, 5), mode="online")
    session.add(done)
    session.flush()
    record = offline.create_session(session, offline.SessionData(basics.id, mall.id, date(2026, 3, 5), "李老师", "会议室"),
                                    actor_id=None, today=date(2026, 3, 5))
    offline.record_attendance(session, record, [in_class.id], method="roster", now=NOW, today=date(2026, 3, 5))
    from portal.domain.learning import hooks

    hooks.completion_recorded(session, done, now=NOW)
    by_class = session.scalar(select(Completion).where(Completion.person_id == in_class.person_id))
    assert done.valid_until == by_class.valid_until == date(2026, 9, 5)  # six months at a public gathering place

    # A person with a second job at a general unit (a year), assigned there after the mall's six months: the
    # shorter period counts, not whichever assignment came last.
    factory = make_org(kind="general")
    second = roster.hire(session, factory, roster.PersonData("王伟", "13900000003", "营业员", date(2026, 3, 10),
                                                              id_number="11010519491231002X"),
                         rules=rules, actor=actor(), now=NOW)
    from portal.domain.workforce import people

    people.join(session, online.person, second.person)  # the same human (as a confirmed claim joins them)
    latest = session.scalar(select(Assignment).where(Assignment.course_id == basics.id)
                            .order_by(Assignment.id.desc()).limit(1))
    assert latest.trainee_id == second.id and latest.valid_months == 12
    again = Completion(person_id=online.person_id, course_id=basics.id, completed_on=date(2026, 4, 1), mode="online")
    session.add(again)
    session.flush()
    assert schedule.completion_validity(session, again, rules) == date(2026, 10, 1)
