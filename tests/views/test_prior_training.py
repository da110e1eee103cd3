"""Prior training: recorded by a company with its proof, counted like a completion without a certificate,
rejected by the office with a reason; an organization's first import gives untrained staff a grace period."""
from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal.domain.workforce import compliance
from portal.domain.content.sync import sync_content
from portal.domain.platform.localtime import local_today
from portal.models import Assignment, AuditEvent, Certificate, Completion, PriorTraining, RuleSet
from tests.conftest import FIXTURE_CONTENT
from tests.factories import make_org, make_user
from tests.views.test_company import RULES


@pytest.fixture
def app_config():
    return {"JOBS_SYNCHRONOUS": True}


@pytest.fixture
def setup(session):
    sync_content(session, FIXTURE_CONTENT)
    session.add(RuleSet(text=RULES, note="test"))
    org = make_org(name="老厂")
    admin = make_user("org_admin", org=org)
    session.flush()
    return org, admin


def _hire(client, org, start):
    client.post(f"/company/{org.id}/people/new", data={
        "real_name": "老王", "mobile": "13900000011", "post": "收银员", "groups": ["all_staff"], "start_date": start})


def _open(session, trainee_id):
    return session.scalars(select(Assignment).where(Assignment.trainee_id == trainee_id, Assignment.status == "open")).all()


def test_a_company_records_prior_training_and_the_office_rejects_it(client, session, login, setup):
    org, admin = setup
    office = make_user("office_admin")
    session.commit()
    login(admin)
    _hire(client, org, (local_today() - timedelta(days=400)).isoformat())
    from portal.models import Trainee

    row = session.scalar(select(Trainee).where(Trainee.organization_id == org.id))
    due = _open(session, row.id)
    assert due and all(a.due_on < local_today() for a in due)  # overdue: nothing recorded yet
    course = due[0].course
    url = f"/company/{org.id}/people/{row.id}/prior"
    form = {"course": course.code, "completed_on": (local_today() + timedelta(days=3)).isoformat(),
            "provider": "区消防培训中心", "hours": "4", "evidence": "纸质台账 2024-017"}
    page = client.post(url, data=form).get_data(as_text=True)
    assert "过去的日期" in page and "区消防培训中心" in page  # refused, and what was typed stays
    assert session.scalar(select(func.count()).select_from(PriorTraining)) == 0
    form["completed_on"] = (local_today() - timedelta(days=60)).isoformat()
    client.post(url, data=form)
    prior = session.scalar(select(PriorTraining))
    completion = session.get(Completion, prior.completion_id)
    assert completion.mode == "prior" and completion.valid_until is not None
    assert session.scalar(select(func.count()).select_from(Certificate)) == 0  # no portal certificate
    assert course.id not in {a.course_id for a in _open(session, row.id)}
    person_page = client.get(f"/company/{org.id}/people/{row.id}").get_data(as_text=True)
    assert "以往培训（记录人：" in person_page and "纸质台账 2024-017" in person_page
    before = compliance.standing_of(session, [row.id], local_today())[row.id]

    client.post("/auth/logout")
    login(office)
    review = client.get("/office/prior-training").get_data(as_text=True)
    assert "老王" in review and "纸质台账 2024-017" in review and "老厂" in review
    client.post(f"/office/prior-training/{prior.id}/reject", data={"reason": "台账无培训机构盖章"})
    session.expire_all()
    prior = session.get(PriorTraining, prior.id)
    assert prior.status == "rejected" and prior.completion_id is None and prior.review_note == "台账无培训机构盖章"
    assert session.scalar(select(func.count()).select_from(Completion)) == 0
    assert course.id in {a.course_id for a in _open(session, row.id)}  # due again
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "prior_training.reject")) is not None
    assert compliance.standing_of(session, [row.id], local_today())[row.id] != before or before == "overdue"

    client.post("/auth/logout")
    login(admin)
    assert "台账无培训机构盖章" in client.get(f"/company/{org.id}/people/{row.id}").get_data(as_text=True)


def _import(client, org, rows: str):
    data = ("姓名,手机号,身份证号,岗位,重点人群,入职日期\n" + rows).encode()
    response = client.post(f"/company/{org.id}/import", data={"file": (io.BytesIO(data), "roster.csv")},
                           content_type="multipart/form-data")
    client.post(response.headers["Location"] + "/confirm")


def test_a_first_import_gives_long_serving_staff_a_grace_period(client, session, login, setup, app):
    org, admin = setup
    session.commit()
    login(admin)
    _import(client, org, "老张,13900000021,,收银员,全体员工,2015-03-01\n")
    grace_until = local_today() + timedelta(days=app.config["FIRST_IMPORT_GRACE_DAYS"])
    first = session.scalars(select(Assignment).where(Assignment.status == "open")).all()
    assert first and {a.due_on for a in first} == {grace_until} and {a.overdue_since for a in first} == {None}
    assert all(a.legal_basis.startswith("首次导入花名册宽限 30 天") for a in first)
    assert compliance.counts(session, org.id, local_today())["overdue"] == 0

    _import(client, org, "老李,13900000022,,收银员,全体员工,2015-03-01\n")  # not the first import: no grace
    from portal.models import Trainee

    li = session.scalar(select(Trainee).join(Trainee.person).where(Trainee.organization_id == org.id,
                                                                   Trainee.id != first[0].trainee_id))
    assert all(a.due_on < local_today() for a in _open(session, li.id))



def test_an_import_records_prior_training_from_its_optional_columns(client, session, login, setup):
    org, admin = setup
    session.commit()
    login(admin)
    from portal.models import Course

    basics = session.scalars(select(Course).where(Course.retired.is_(False)).order_by(Course.code)).first()
    rows = ("姓名,手机号,身份证号,岗位,重点人群,入职日期,以往培训课程,培训日期,培训机构,学时,证明材料\n"
            f"老张,13900000031,,收银员,全体员工,2020-03-01,{basics.title_zh},2025-10-08,区消防培训中心,4,台账 2025-101\n"
            "老李,13900000032,,收银员,全体员工,2020-03-01,没有这门课,2025-10-08,区消防培训中心,4,台账 2025-102\n"
            "老赵,13900000033,,收银员,全体员工,2020-03-01,,,,,\n")
    data = rows.encode()
    response = client.post(f"/company/{org.id}/import", data={"file": (io.BytesIO(data), "roster.csv")},
                           content_type="multipart/form-data")
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 行同时录入了以往培训" in preview and "不是平台上的课程" in preview
    client.post(response.headers["Location"] + "/confirm")
    record = session.scalar(select(PriorTraining))
    assert (record.person.real_name, record.course_id, record.completed_on, record.hours, record.evidence) == (
        "老张", basics.id, date(2025, 10, 8), 4.0, "台账 2025-101")
    assert session.get(Completion, record.completion_id).mode == "prior"
    assert session.scalar(select(func.count()).select_from(PriorTraining)) == 1  # 老李's row was refused whole
