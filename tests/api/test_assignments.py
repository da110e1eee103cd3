"""Reading assignment status: what is open, done, closed or overdue, with the rule behind each."""
from __future__ import annotations

from sqlalchemy import select

from portal.models import Assignment, Person, Trainee, utcnow
from tests.api.conftest import hire_body, in_days, new_mobile


def _hire(api, **changes) -> str:
    mobile = new_mobile()
    assert api.post("/events", json=hire_body(mobile, **changes)).status_code == 201
    return mobile


def test_assignments_of_one_person_with_rule_and_legal_basis(api):
    mobile = _hire(api, groups=["grid_worker"])
    _hire(api)
    listing = api.get(f"/assignments?mobile={mobile}").json
    assert listing["total"] == 2 and listing["page"] == 1
    by_course = {a["course"]["code"]: a for a in listing["items"]}
    assert set(by_course) == {"all-staff-basics", "grid-worker"}
    grid = by_course["grid-worker"]
    assert grid["mobile"] == mobile and grid["rule"] == "group:grid_worker" and grid["status"] == "open"
    assert "网格员" in grid["legal_basis"] and grid["overdue"] is False and grid["closed_at"] is None
    assert api.get("/assignments").json["total"] == 3


def test_status_filters(api, session):
    overdue = _hire(api, start_date=in_days(-5))
    done = _hire(api)
    gone = _hire(api)
    api.post("/events", json={"type": "leave", "mobile": gone, "left_on": in_days(0)})
    person = session.scalar(select(Trainee).join(Trainee.person).where(Person.mobile == done))
    row = session.scalar(select(Assignment).where(Assignment.trainee_id == person.id))
    row.status, row.closed_at = "completed", utcnow()
    session.commit()

    def mobiles(status: str) -> list[str]:
        return sorted(a["mobile"] for a in api.get(f"/assignments?status={status}").json["items"])

    assert mobiles("open") == [overdue]
    assert mobiles("overdue") == [overdue]
    assert mobiles("completed") == [done]
    assert mobiles("closed") == [gone]
    [late] = api.get(f"/assignments?status=overdue&mobile={overdue}").json["items"]
    assert late["overdue"] is True and late["due_on"] == in_days(-5)
    [closed] = api.get("/assignments?status=closed").json["items"]
    assert closed["closed_reason"] == "left" and closed["closed_at"]


def test_paging(api):
    for _ in range(3):
        _hire(api)
    first = api.get("/assignments?per_page=2").json
    second = api.get("/assignments?per_page=2&page=2").json
    assert first["total"] == second["total"] == 3
    assert len(first["items"]) == 2 and len(second["items"]) == 1
    assert {a["id"] for a in first["items"]}.isdisjoint(a["id"] for a in second["items"])


def test_bad_parameters(api):
    for query, field in (("status=late", "status"), ("mobile=123", "mobile"), ("per_page=0", "per_page"),
                         ("course=x", "course")):
        response = api.get(f"/assignments?{query}")
        assert response.status_code == 400, query
        assert response.json["error"]["code"] == "invalid_parameter" and response.json["error"]["field"] == field
    response = api.get("/assignments?status=late")
    assert response.json["error"]["message"] == "'status' must be one of: open, completed, closed, overdue."
