"""Upserting and reading employees, and the organization wall around every call."""
from __future__ import annotations


from sqlalchemy import func, select

from portal.domain.platform.localtime import local_today
from portal.models import Assignment, AuditEvent, EmploymentEvent, Organization, Person, Trainee
from tests.api.conftest import in_days, new_mobile, person_body, snapshot


def test_put_creates_a_person_and_assigns_onboarding(api, session, tenant):
    mobile = new_mobile()
    response = api.put(f"/employees/{mobile}", json=person_body(groups=["grid_worker"], id_number="11010519491231002X"))
    assert response.status_code == 201
    assert response.json == {
        "mobile": mobile, "real_name": "张伟", "post": "收银员", "department": "", "groups": ["all_staff", "grid_worker"],
        "start_date": in_days(10), "status": "active", "left_on": None, "standing": "never_trained",
        "open_assignments": 2, "next_due_on": in_days(10),
    }
    person = session.scalar(select(Trainee).join(Trainee.person).where(Person.mobile == mobile))
    assert person.organization_id == tenant.org_id and person.id_number == "11010519491231002X"
    rules = {a.rule for a in session.scalars(select(Assignment).where(Assignment.trainee_id == person.id))}
    assert rules == {"onboarding", "group:grid_worker"}
    event = session.scalar(select(EmploymentEvent).where(EmploymentEvent.trainee_id == person.id))
    assert (event.kind, event.source, event.actor_id) == ("hire", "api", None)
    audit = session.scalar(select(AuditEvent).where(AuditEvent.action == "api.employee.create"))
    assert audit.target_id == str(person.id) and audit.details["token_id"] == tenant.token_id


def test_put_corrects_details_without_training_and_a_new_post_is_a_transfer(api, session):
    mobile = new_mobile()
    api.put(f"/employees/{mobile}", json=person_body())
    response = api.put(f"/employees/{mobile}", json=person_body(real_name="张伟明", start_date=None))
    assert response.status_code == 200
    assert response.json["real_name"] == "张伟明" and response.json["start_date"] is None
    person = session.scalar(select(Trainee).join(Trainee.person).where(Person.mobile == mobile))
    assert session.scalar(select(func.count()).select_from(Trainee).join(Trainee.person).where(Person.mobile == mobile)) == 1
    rules = {a.rule for a in session.scalars(select(Assignment).where(Assignment.trainee_id == person.id))}
    assert "transfer" not in rules
    # A new post, from the HR system as from the form's Transfer button: transfer training, due today.
    response = api.put(f"/employees/{mobile}", json=person_body(real_name="张伟明", post="店长", start_date=None))
    assert response.status_code == 200 and response.json["post"] == "店长"
    transfer = session.scalar(select(Assignment).where(Assignment.trainee_id == person.id, Assignment.rule == "transfer"))
    assert transfer is not None and transfer.due_on == local_today()
    kinds = list(session.scalars(select(EmploymentEvent.kind).where(EmploymentEvent.trainee_id == person.id)
                                 .order_by(EmploymentEvent.id)))
    assert kinds == ["hire", "update", "transfer"]


def test_put_accepts_a_mobile_with_country_code_and_spaces(api):
    response = api.put("/employees/+86%20139-0000-9999", json=person_body())
    assert response.status_code == 201 and response.json["mobile"] == "13900009999"
    assert api.get("/employees/13900009999").status_code == 200


def test_get_one_and_unknown(api):
    mobile = new_mobile()
    api.put(f"/employees/{mobile}", json=person_body())
    assert api.get(f"/employees/{mobile}").json["mobile"] == mobile
    response = api.get(f"/employees/{new_mobile()}")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found" and response.json["error"]["field"] == "mobile"


def test_get_one_with_a_malformed_mobile(api):
    response = api.get("/employees/12345")
    assert response.status_code == 400
    assert response.json["error"] == {"code": "invalid_parameter", "field": "mobile",
                                      "message": "A mobile number has 11 digits and starts with 13 to 19."}


def test_list_filters_and_pages(api):
    stayed, left = new_mobile(), new_mobile()
    api.put(f"/employees/{stayed}", json=person_body(real_name="甲"))
    api.post("/events", json={"type": "hire", "mobile": left, **person_body(real_name="乙")})
    api.post("/events", json={"type": "leave", "mobile": left, "left_on": in_days(0)})
    active = api.get("/employees").json
    assert [p["mobile"] for p in active["items"]] == [stayed]
    assert active["total"] == 1 and active["page"] == 1 and active["per_page"] == 50
    assert [p["mobile"] for p in api.get("/employees?status=left").json["items"]] == [left]
    everyone = api.get("/employees?status=all&per_page=1&page=2").json
    assert everyone["total"] == 2 and len(everyone["items"]) == 1
    assert api.get("/employees?standing=never_trained").json["total"] == 1
    assert api.get("/employees?standing=compliant").json["total"] == 0


def test_list_refuses_bad_parameters(api):
    for query, field in (("status=gone", "status"), ("page=0", "page"), ("per_page=101", "per_page"),
                         ("page=x", "page"), ("sort=name", "sort"), ("page=1&page=2", "page"),
                         ("standing=left", "standing")):
        response = api.get(f"/employees?{query}")
        assert response.status_code == 400, query
        assert response.json["error"]["code"] == "invalid_parameter" and response.json["error"]["field"] == field


def test_a_token_never_reads_or_changes_another_organization(api, session, tenant, other_tenant):
    theirs = new_mobile()
    other = api.as_token(other_tenant.token)
    assert other.put(f"/employees/{theirs}", json=person_body(real_name="别家")).status_code == 201
    before = snapshot(session)
    assert api.get(f"/employees/{theirs}").status_code == 404
    assert api.get(f"/assignments?mobile={theirs}").status_code == 404
    assert api.get("/employees?status=all").json["total"] == 0
    assert api.get("/assignments").json["total"] == 0
    for event in ({"type": "transfer", "mobile": theirs, "post": "保安员", "effective_on": in_days(1)},
                  {"type": "leave", "mobile": theirs, "left_on": in_days(0)}):
        response = api.post("/events", json=event)
        assert response.status_code == 404 and response.json["error"]["field"] == "mobile"
    assert snapshot(session) == before
    # Upserting the same mobile in one's own organization makes one's own row and leaves theirs alone.
    assert api.put(f"/employees/{theirs}", json=person_body(real_name="我家")).status_code == 201
    rows = dict(session.execute(select(Trainee.organization_id, Person.real_name).join(Trainee.person).where(Person.mobile == theirs)).all())
    assert rows == {tenant.org_id: "我家", other_tenant.org_id: "别家"}
    assert other.get(f"/employees/{theirs}").json["real_name"] == "别家"


def test_a_person_employed_elsewhere_is_a_documented_409_and_nothing_changes(api, session, tenant, other_tenant):
    number = "11010519491231002X"
    other = api.as_token(other_tenant.token)
    assert other.put(f"/employees/{new_mobile()}", json=person_body(id_number=number)).status_code == 201
    before = snapshot(session)
    response = api.put(f"/employees/{new_mobile()}", json=person_body(id_number="11010519491231002x"))
    assert response.status_code == 409
    error = response.json["error"]
    assert error["code"] == "employed_elsewhere" and error["field"] == "id_number"
    assert "release" in error["message"]
    other_name = session.get(Organization, other_tenant.org_id).name
    assert other_name not in error["message"]
    assert snapshot(session) == before
    assert session.scalar(select(func.count()).select_from(Person).where(Person.id_number == number)) == 1


def test_a_person_with_nothing_open_is_next_due_when_their_first_training_expires(api, session):
    """The roster page's 'next due' and the API's next_due_on are one figure (compliance.what_is_due)."""
    from datetime import timedelta

    from portal.models import Completion

    mobile = new_mobile()
    api.put(f"/employees/{mobile}", json=person_body())
    person = session.scalar(select(Trainee).join(Trainee.person).where(Person.mobile == mobile))
    for row in session.scalars(select(Assignment).where(Assignment.trainee_id == person.id)):
        session.add(Completion(person_id=person.person_id, course_id=row.course_id, mode="online",
                               completed_on=local_today(), valid_until=local_today() + timedelta(days=200)))
        row.status = "completed"
    session.commit()
    answer = api.get(f"/employees/{mobile}").json
    assert answer["open_assignments"] == 0
    assert answer["next_due_on"] == (local_today() + timedelta(days=200)).isoformat()


def test_a_department_is_written_read_kept_when_absent_and_cleared_when_empty(api, session):
    mobile = new_mobile()
    created = api.put(f"/employees/{mobile}", json=person_body(department=" 营运部 "))
    assert created.status_code == 201 and created.json["department"] == "营运部"
    assert api.get(f"/employees/{mobile}").json["department"] == "营运部"
    assert api.put(f"/employees/{mobile}", json=person_body(real_name="张伟明")).json["department"] == "营运部"
    assert api.put(f"/employees/{mobile}", json=person_body(department=None)).json["department"] == "营运部"
    assert api.put(f"/employees/{mobile}", json=person_body(department="安保部")).json["department"] == "安保部"
    assert [p["department"] for p in api.get("/employees").json["items"]] == ["安保部"]
    assert api.put(f"/employees/{mobile}", json=person_body(department="")).json["department"] == ""
    assert session.scalar(select(Trainee.department).join(Trainee.person).where(Person.mobile == mobile)) == ""


def test_a_hire_event_carries_a_department_and_a_rehire_keeps_it(api):
    mobile = new_mobile()
    hired = api.post("/events", json={"type": "hire", "mobile": mobile, **person_body(department="工程部")})
    assert hired.status_code == 201 and hired.json["employee"]["department"] == "工程部"
    api.post("/events", json={"type": "leave", "mobile": mobile, "left_on": in_days(0)})
    again = api.post("/events", json={"type": "hire", "mobile": mobile, **person_body()})
    assert again.status_code == 201 and again.json["employee"]["department"] == "工程部"


def test_an_over_long_or_mistyped_department_is_a_422_and_changes_nothing(api, session):
    mobile = new_mobile()
    long = api.put(f"/employees/{mobile}", json=person_body(department="部" * 101))
    assert long.status_code == 422 and long.json["error"]["field"] == "department"
    wrong = api.put(f"/employees/{mobile}", json=person_body(department=3))
    assert wrong.status_code == 422 and wrong.json["error"]["field"] == "department"
    assert session.scalar(select(func.count()).select_from(Trainee)) == 0
