"""Hire, transfer and leave events: what they do to the roster and its assignments."""
from __future__ import annotations

from sqlalchemy import select

from portal.models import Assignment, AuditEvent, EmploymentEvent, Organization, Person, Trainee
from tests.api.conftest import hire_body, in_days, new_mobile, snapshot


def _assignments(session, mobile: str) -> dict[str, Assignment]:
    session.expire_all()
    person = session.scalar(select(Trainee).join(Trainee.person).where(Person.mobile == mobile))
    return {f"{a.course.code}:{a.status}": a for a in
            session.scalars(select(Assignment).where(Assignment.trainee_id == person.id))}


def test_hire_opens_onboarding_by_the_start_date(api, session, tenant):
    mobile = new_mobile()
    response = api.post("/events", json=hire_body(mobile, start_date=in_days(7)))
    assert response.status_code == 201
    result = response.json
    assert result["type"] == "hire" and result["closed"] == []
    assert result["employee"]["mobile"] == mobile and result["employee"]["status"] == "active"
    [opened] = result["opened"]
    assert opened["course"] == {"code": "all-staff-basics", "title_zh": "课程all-staff-basics",
                                "title_en": "Course all-staff-basics"}
    assert opened["status"] == "open" and opened["due_on"] == in_days(7) and opened["overdue"] is False
    assert opened["rule"] == "onboarding" and "第三十六条" in opened["legal_basis"]
    rows = _assignments(session, mobile)
    assert set(rows) == {"all-staff-basics:open"} and rows["all-staff-basics:open"].id == opened["id"]
    person_id = str(rows["all-staff-basics:open"].trainee_id)
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.target_type == "trainee",
                                                              AuditEvent.target_id == person_id)).all()
    assert actions == ["api.event.hire"]


def test_hire_in_a_public_gathering_place_adds_its_course(api, session, tenant):
    session.get(Organization, tenant.org_id).kind = "public_gathering"
    session.commit()
    mobile = new_mobile()
    result = api.post("/events", json=hire_body(mobile)).json
    assert {a["course"]["code"] for a in result["opened"]} == {"all-staff-basics", "public-gathering-staff"}


def test_hire_with_a_past_start_date_is_overdue_at_once(api):
    result = api.post("/events", json=hire_body(new_mobile(), start_date=in_days(-3))).json
    [opened] = result["opened"]
    assert opened["overdue"] is True and opened["overdue_since"] == in_days(-3)
    assert result["employee"]["standing"] == "overdue"


def test_hire_of_someone_already_active_is_refused(api, session):
    mobile = new_mobile()
    api.post("/events", json=hire_body(mobile))
    before = snapshot(session)
    response = api.post("/events", json=hire_body(mobile))
    assert response.status_code == 422
    assert response.json["error"] == {"code": "validation_failed", "field": "mobile",
                                      "message": "张伟 with this mobile number is already on the roster."}
    assert snapshot(session) == before


def test_transfer_opens_the_new_posts_training_due_before_it_starts(api, session):
    mobile = new_mobile()
    api.post("/events", json=hire_body(mobile, start_date=in_days(-30)))
    response = api.post("/events", json={"type": "transfer", "mobile": mobile, "post": "网格员",
                                         "groups": ["grid_worker"], "effective_on": in_days(14)})
    assert response.status_code == 201
    result = response.json
    assert result["employee"]["post"] == "网格员" and result["employee"]["groups"] == ["all_staff", "grid_worker"]
    opened = {a["course"]["code"]: a for a in result["opened"]}
    assert set(opened) == {"grid-worker", "job-transfer"}
    assert opened["job-transfer"]["rule"] == "transfer" and opened["job-transfer"]["due_on"] == in_days(14)
    assert opened["grid-worker"]["rule"] == "group:grid_worker" and opened["grid-worker"]["due_on"] <= in_days(14)
    rows = _assignments(session, mobile)
    assert {"grid-worker:open", "job-transfer:open", "all-staff-basics:open"} <= set(rows)
    kinds = list(session.scalars(select(EmploymentEvent.kind).where(
        EmploymentEvent.trainee_id == rows["job-transfer:open"].trainee_id).order_by(EmploymentEvent.id)))
    assert kinds == ["hire", "transfer"]


def test_transfer_without_groups_keeps_the_current_ones(api):
    mobile = new_mobile()
    api.post("/events", json=hire_body(mobile, groups=["grid_worker"]))
    result = api.post("/events", json={"type": "transfer", "mobile": mobile, "post": "保安员",
                                       "effective_on": in_days(3)}).json
    assert result["employee"]["groups"] == ["all_staff", "grid_worker"]
    assert {a["course"]["code"] for a in result["opened"]} == {"security-micro-station", "job-transfer"}


def test_leave_closes_open_training_and_keeps_history(api, session):
    mobile = new_mobile()
    hired = api.post("/events", json=hire_body(mobile, groups=["grid_worker"])).json
    response = api.post("/events", json={"type": "leave", "mobile": mobile, "left_on": in_days(0)})
    assert response.status_code == 201
    result = response.json
    assert result["employee"]["status"] == "left" and result["employee"]["left_on"] == in_days(0)
    assert result["employee"]["standing"] == "left" and result["employee"]["open_assignments"] == 0
    assert result["opened"] == []
    assert sorted(a["id"] for a in result["closed"]) == sorted(a["id"] for a in hired["opened"])
    assert all(a["status"] == "closed" and a["closed_reason"] == "left" for a in result["closed"])
    rows = _assignments(session, mobile)
    assert all(a.status == "closed" and a.closed_reason == "left" for a in rows.values())


def test_leaving_twice_is_refused(api, session):
    mobile = new_mobile()
    api.post("/events", json=hire_body(mobile))
    api.post("/events", json={"type": "leave", "mobile": mobile, "left_on": in_days(0)})
    before = snapshot(session)
    response = api.post("/events", json={"type": "leave", "mobile": mobile, "left_on": in_days(0)})
    assert response.status_code == 422
    assert response.json["error"] == {"code": "validation_failed", "message": "This person has already left."}
    transfer = api.post("/events", json={"type": "transfer", "mobile": mobile, "post": "x", "effective_on": in_days(1)})
    assert transfer.status_code == 422
    assert transfer.json["error"]["message"] == "Only people on the active roster can be transferred."
    assert snapshot(session) == before


def test_rehire_after_leaving_opens_onboarding_again(api):
    mobile = new_mobile()
    api.post("/events", json=hire_body(mobile))
    api.post("/events", json={"type": "leave", "mobile": mobile, "left_on": in_days(0)})
    result = api.post("/events", json=hire_body(mobile, post="店长")).json
    assert result["employee"]["status"] == "active" and result["employee"]["post"] == "店长"
    assert [a["course"]["code"] for a in result["opened"]] == ["all-staff-basics"]


def test_events_for_someone_not_on_the_roster(api):
    for event in ({"type": "transfer", "mobile": "13912345678", "post": "保安员", "effective_on": in_days(1)},
                  {"type": "leave", "mobile": "13912345678", "left_on": in_days(0)}):
        response = api.post("/events", json=event)
        assert response.status_code == 404
        assert response.json["error"] == {
            "code": "not_found", "field": "mobile",
            "message": "No one with the mobile number 13912345678 is on your organization's roster."}
