"""The company administrator's roster pages, and the office's rules and registry pages."""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.domain.content.sync import sync_content
from portal.domain.platform.localtime import local_today
from portal.models import Assignment, AuditEvent, EmploymentEvent, KeyGroup, Organization, RuleSet, Person, Trainee
from tests.conftest import FIXTURE_CONTENT
from tests.factories import make_org, make_trainee, make_user

RULES = """
version: 1
renewal_lead_days: 30
periodic:
  key_unit: {months: 12, basis: 第三十六条 每年一次}
  public_gathering: {months: 6, basis: 第三十六条 每半年一次}
  general: {months: 12, basis: 消防法第十六条}
drills:
  key_unit: {months: 6, basis: 第四十条 每半年一次}
  public_gathering: {months: 6, basis: 第四十条 每半年一次}
  general: {months: 12, basis: 第四十条 每年一次}
onboarding:
  courses: [sample-course]
  due_days_after_start: 0
  basis: 第三十六条 上岗前消防安全培训
groups: {}
transfer:
  courses: []
  basis: 第三十六条 进入新岗位
"""


@pytest.fixture
def org(session):
    sync_content(session, FIXTURE_CONTENT)
    session.add(RuleSet(text=RULES, note="test rules"))
    org = make_org(kind="public_gathering")
    session.commit()
    return org


@pytest.fixture
def admin(session, org, login):
    user = make_user("org_admin", org=org)
    session.commit()
    login(user)
    return user


def person_form(**changes):
    data = {"real_name": "李娜", "mobile": "13912340000", "id_number": "", "post": "收银员",
            "start_date": (local_today() + timedelta(days=7)).isoformat(), "groups": ["all_staff"]}
    data.update(changes)
    return data


def test_hiring_assigns_onboarding_due_before_start_with_its_reason(client, session, org, admin):
    response = client.post(f"/company/{org.id}/people/new", data=person_form())
    assert response.status_code == 302
    person = session.scalar(select(Trainee).join(Trainee.person).where(Person.mobile == "13912340000"))
    assignment = session.scalar(select(Assignment).where(Assignment.trainee_id == person.id))
    assert assignment.due_on == local_today() + timedelta(days=7) and assignment.rule == "onboarding"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "上岗前消防安全培训" in page and "示例课程" in page
    assert session.scalar(select(EmploymentEvent).where(EmploymentEvent.trainee_id == person.id)).kind == "hire"
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "roster.hire")) is not None


@pytest.mark.parametrize("changes, message", [
    ({"mobile": "1234"}, "手机号为 11 位数字"),
    ({"id_number": "110105194912310021"}, "身份证号码的校验位不正确"),
    ({"start_date": "not a date"}, "2026-03-01"),
    ({"groups": ["astronauts"]}, "not a valid choice"),
])
def test_hiring_with_bad_input_names_the_field_and_keeps_what_was_typed(client, session, org, admin, changes, message):
    page = client.post(f"/company/{org.id}/people/new", data=person_form(**changes)).get_data(as_text=True)
    assert message in page and 'value="李娜"' in page
    assert session.scalar(select(Trainee).join(Trainee.person).where(Person.real_name == "李娜")) is None


def test_duplicate_mobile_is_refused(client, session, org, admin):
    client.post(f"/company/{org.id}/people/new", data=person_form())
    page = client.post(f"/company/{org.id}/people/new", data=person_form(real_name="另一人")).get_data(as_text=True)
    assert "已在花名册" in page or "already on the roster" in page
    assert len(session.scalars(select(Trainee).join(Trainee.person).where(Person.mobile == "13912340000")).all()) == 1


def test_transfer_and_release_from_the_pages(client, session, org, admin):
    client.post(f"/company/{org.id}/people/new", data=person_form())
    person = session.scalar(select(Trainee).join(Trainee.person).where(Person.mobile == "13912340000"))
    response = client.post(f"/company/{org.id}/people/{person.id}/transfer",
                           data={"post": "仓管员", "effective_on": local_today().isoformat(), "groups": ["all_staff"]})
    assert response.status_code == 302
    assert session.get(Trainee, person.id).post == "仓管员"
    kinds = [e.kind for e in session.scalars(select(EmploymentEvent).where(EmploymentEvent.trainee_id == person.id))]
    assert kinds == ["hire", "transfer"]
    left_on = (local_today() - timedelta(days=2)).isoformat()
    asked = client.post(f"/company/{org.id}/people/{person.id}/release", data={"left_on": left_on})
    page = asked.get_data(as_text=True)
    assert "确定将 李娜 从名单中移除吗？" in page and f'value="{left_on}"' in page  # the date typed is kept
    assert session.get(Trainee, person.id).status == "active"  # nothing happens before the confirmation
    client.post(f"/company/{org.id}/people/{person.id}/release", data={"left_on": left_on, "confirmed": "yes"})
    assert session.get(Trainee, person.id).status == "left"
    assert session.get(Trainee, person.id).left_on.isoformat() == left_on
    rows = session.scalars(select(Assignment).where(Assignment.trainee_id == person.id)).all()
    assert rows and all(a.status == "closed" and a.closed_reason == "left" for a in rows)


def test_dashboard_counts_link_to_the_people_behind_them(client, session, org, admin):
    late = make_trainee(org, name="逾期者", start_date=local_today() - timedelta(days=60))
    session.add(Assignment(trainee_id=late.id, course_id=1, rule="onboarding", status="open",
                           due_on=local_today() - timedelta(days=10)))
    make_trainee(org, name="新人")
    session.commit()
    page = client.get(f"/company/{org.id}/").get_data(as_text=True)
    assert f'href="/company/{org.id}/people?status=overdue"' in page
    overdue = client.get(f"/company/{org.id}/people?status=overdue").get_data(as_text=True)
    assert "逾期者" in overdue and "新人" not in overdue
    never = client.get(f"/company/{org.id}/people?status=never_trained").get_data(as_text=True)
    assert "新人" in never and "逾期者" not in never


def test_roster_export_has_full_mobiles_neutralised_formulas_and_is_audited(client, session, org, admin):
    make_trainee(org, name="=HYPERLINK(\"http://x\")", mobile="13800001111")
    session.commit()
    response = client.get(f"/company/{org.id}/people?format=csv")
    text = response.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] in ("姓名", "Full name")
    assert any(row[1] == "13800001111" and row[0].startswith("'=") for row in rows[1:])
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "roster.export")) is not None
    xlsx = client.get(f"/company/{org.id}/people?format=xlsx")
    assert xlsx.data[:2] == b"PK"


def test_roster_page_masks_mobiles(client, session, org, admin):
    make_trainee(org, name="张三", mobile="13800001111")
    session.commit()
    page = client.get(f"/company/{org.id}/people").get_data(as_text=True)
    assert "138****1111" in page and "13800001111" not in page


def test_the_invitation_page_lists_who_registered_and_who_has_not(client, session, org, admin):
    signed_up = make_trainee(org, name="已注册者", mobile="13800004444")
    session.get(Person, signed_up.person_id).user = make_user(username="signed-up")
    make_trainee(org, name="未注册者", mobile="13800005555", post="收银员")
    left = make_trainee(org, name="离开者", mobile="13800006666")
    left.status = "left"
    session.commit()

    page = client.get(f"/company/{org.id}/invite").get_data(as_text=True)
    sheet = client.get(f"/company/{org.id}/invite?sheet=unregistered").get_data(as_text=True)

    not_yet = page[page.index("尚未注册</h2>"):]
    not_yet = not_yet[:not_yet.index("</section>")]
    assert "未注册者" in not_yet and "138****5555" in not_yet and "已注册者" not in not_yet
    assert "离开者" not in page  # only the active roster
    assert re.search(r'<span class="num">1</span> 已注册', page)
    assert "未注册者" in sheet and "已注册者" not in sheet and org.invite_code in sheet and "<svg" in sheet
    assert "13800005555" not in sheet


def test_invitation_page_has_link_and_qr(client, session, org, admin):
    page = client.get(f"/company/{org.id}/invite").get_data(as_text=True)
    assert f"/auth/register?code={org.invite_code}" in page and "<svg" in page


def test_other_organizations_people_are_404(client, session, org, admin):
    stranger = make_trainee(make_org(), name="外人")
    session.commit()
    assert client.get(f"/company/{org.id}/people/{stranger.id}").status_code == 404
    assert client.post(f"/company/{stranger.organization_id}/people/{stranger.id}/release",
                       data={"left_on": local_today().isoformat()}).status_code == 404
    assert session.get(Trainee, stranger.id).status == "active"


class TestOffice:
    @pytest.fixture
    def office(self, session, org, login):
        user = make_user("office_admin")
        session.commit()
        login(user)
        return user

    def test_rules_preview_then_confirm(self, client, session, org, office):
        make_trainee(org, name="甲")
        make_trainee(org, name="乙")
        session.commit()
        page = client.post("/office/rules", data={"text": RULES, "note": "first", "action": "preview"}).get_data(as_text=True)
        assert 'data-created="2"' in page
        assert session.scalar(select(Assignment)) is None
        response = client.post("/office/rules", data={"text": RULES, "note": "apply", "action": "confirm"})
        assert response.status_code == 302
        assert len(session.scalars(select(Assignment)).all()) == 2
        assert session.scalar(select(AuditEvent).where(AuditEvent.action == "rules.change")) is not None

    def test_bad_rules_show_their_lines_and_change_nothing(self, client, session, org, office):
        bad = RULES.replace("months: 6", "months: zero")
        page = client.post("/office/rules", data={"text": bad, "action": "confirm"}).get_data(as_text=True)
        assert "months：应为不小于 1 的整数" in page  # "months: a whole number of at least 1", in the page's language
        assert session.scalar(select(RuleSet).where(RuleSet.text == bad)) is None

    def test_new_organization_validates_the_credit_code(self, client, session, org, office):
        form = {"name": "新单位", "credit_code": "91350100M000100Y44", "kind": "general",
                "sector_id": org.sector_id, "locality_id": org.locality_id}
        page = client.post("/office/organizations/new", data=form).get_data(as_text=True)
        assert "校验位" in page and 'value="新单位"' in page
        form["credit_code"] = "91350100M000100Y43"
        assert client.post("/office/organizations/new", data=form).status_code == 302
        created = session.scalar(select(Organization).where(Organization.name == "新单位"))
        assert created.invite_code and len(created.invite_code) == 8

    def test_grant_org_admin_and_key_group(self, client, session, org, office):
        person = make_user(None, username="future-admin")
        session.commit()
        client.post(f"/office/organizations/{org.id}/admins", data={"login": "future-admin"})
        session.refresh(person)
        assert any(g.role == "org_admin" and g.organization_id == org.id for g in person.grants)
        client.post("/office/key-groups", data={"code": "volunteer", "name_zh": "志愿者", "name_en": "Volunteers", "active": "y"})
        assert session.scalar(select(KeyGroup).where(KeyGroup.code == "volunteer")).name_zh == "志愿者"


def test_the_roster_says_what_is_overdue_since_when_and_when_a_compliant_person_renews(client, session, org, admin):
    from portal.models import Completion, Course

    course = session.scalar(select(Course).where(Course.code == "sample-course"))
    today = local_today()
    late = make_trainee(org, name="迟到者", mobile="13800002222")
    fine = make_trainee(org, name="合格者", mobile="13800003333")
    for row in session.scalars(select(Assignment).where(Assignment.trainee_id.in_([late.id, fine.id]))):
        session.delete(row)
    session.add(Assignment(trainee_id=late.id, course_id=course.id, rule="periodic:public_gathering", reason="x",
                           legal_basis="x", due_on=today - timedelta(days=58), status="open",
                           overdue_since=today - timedelta(days=58)))
    session.add(Completion(person_id=fine.person_id, course_id=course.id, completed_on=today - timedelta(days=10),
                           valid_until=today + timedelta(days=170), mode="online"))
    session.commit()

    page = client.get(f"/company/{org.id}/people").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(client.get(f"/company/{org.id}/people?format=csv").data.decode("utf-8-sig"))))

    late_since = (today - timedelta(days=58)).isoformat()
    row = page[page.index("迟到者"):]
    assert f"{course.title_zh}（自 {late_since} 起逾期）" in row[:row.index("</tr>")]
    row = page[page.index("合格者"):]
    assert f"{(today + timedelta(days=170)).isoformat()} <span class=\"muted\">（复训）</span>" in row[:row.index("</tr>")]
    by_name = {r[0]: r for r in rows[1:]}
    assert rows[0][-1] == "逾期培训"
    assert by_name["迟到者"][-1] == f"{course.title_zh}（自 {late_since} 起逾期）"
    assert by_name["合格者"][-2] == (today + timedelta(days=170)).isoformat() and by_name["合格者"][-1] == ""


def test_a_course_nobody_opened_is_not_started(client, session, org, admin):
    from portal.domain.learning import progress
    from portal.models import Course, utcnow

    course = session.scalar(select(Course).where(Course.code == "sample-course"))
    person = make_trainee(org, name="新人")
    session.add(Assignment(trainee_id=person.id, course_id=course.id, rule="onboarding", reason="onboarding",
                           legal_basis="x", due_on=local_today(), status="open"))
    session.commit()
    page = client.get(f"/company/{org.id}/people/{person.id}").get_data(as_text=True)
    assert "未开始" in page and "学习中" not in page
    progress.open_lesson(session, person, course.lessons[0], now=utcnow())
    session.commit()
    page = client.get(f"/company/{org.id}/people/{person.id}").get_data(as_text=True)
    assert "学习中" in page and "未开始" not in page


# ------------------------------------------------------------------------------------ departments


def test_hiring_and_editing_keep_a_department_and_the_person_page_shows_it(client, session, org, admin):
    make_trainee(org, name="老员工", department="工程部")
    session.commit()
    form = client.get(f"/company/{org.id}/people/new").get_data(as_text=True)
    assert 'name="department"' in form and '<option value="工程部">' in form  # the roster's departments suggested
    response = client.post(f"/company/{org.id}/people/new", data=person_form(department="  营运部 "))
    person = session.scalar(select(Trainee).join(Trainee.person).where(Person.mobile == "13912340000"))
    assert response.status_code == 302 and person.department == "营运部"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "营运部" in page
    edit = client.get(f"/company/{org.id}/people/{person.id}/edit").get_data(as_text=True)
    assert 'value="营运部"' in edit
    start = person.start_date.isoformat()
    client.post(f"/company/{org.id}/people/{person.id}/edit", data=person_form(department="安保部", start_date=start))
    session.expire_all()
    assert session.get(Trainee, person.id).department == "安保部"
    client.post(f"/company/{org.id}/people/{person.id}/edit", data=person_form(department="", start_date=start))
    session.expire_all()
    assert session.get(Trainee, person.id).department == ""  # the form clears it


def test_an_over_long_department_is_refused_next_to_the_field(client, session, org, admin):
    client.set_cookie("lang", "en")
    response = client.post(f"/company/{org.id}/people/new", data=person_form(department="部" * 101))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'aria-invalid="true"' in page
    error = page[page.index('id="department-error"'):]
    assert error[:error.index("</p>")].endswith(">A department has at most 100 characters.")
    assert session.scalar(select(Trainee).join(Trainee.person).where(Person.mobile == "13912340000")) is None


def test_the_roster_filters_by_department_shows_it_and_exports_it(client, session, org, admin):
    make_trainee(org, name="保安甲", post="保安员", department="安保部")
    make_trainee(org, name="电工乙", post="电工", department="工程部")
    make_trainee(org, name="新人丙", post="收银员")
    session.commit()
    page = client.get(f"/company/{org.id}/people").get_data(as_text=True)
    select_html = page[page.index('<select id="department"'):]
    select_html = select_html[:select_html.index("</select>")]
    assert re.findall(r"<option>([^<]+)</option>", select_html) == ["安保部", "工程部"]
    row = page[page.index("保安甲"):]
    assert re.search(r'<td data-label="[^"]+">安保部</td>', row[:row.index("</tr>")])
    filtered = client.get(f"/company/{org.id}/people?department=安保部").get_data(as_text=True)
    assert "保安甲" in filtered and "电工乙" not in filtered and "新人丙" not in filtered
    assert "<option selected>安保部</option>" in filtered
    department = "department=%E5%AE%89%E4%BF%9D%E9%83%A8"  # exports and reminders follow the filter
    assert f"/company/{org.id}/remind?{department}" in filtered and f"{department}&amp;format=csv" in filtered
    rows = list(csv.reader(io.StringIO(client.get(f"/company/{org.id}/people?department=安保部&format=csv")
                                       .data.decode("utf-8-sig"))))
    column = rows[0].index("部门") if "部门" in rows[0] else rows[0].index("Department")
    assert rows[0][column - 1] in ("岗位", "Post") and [(r[0], r[column]) for r in rows[1:]] == [("保安甲", "安保部")]
    everyone = list(csv.reader(io.StringIO(client.get(f"/company/{org.id}/people?format=csv").data.decode("utf-8-sig"))))
    assert sorted((r[0], r[column]) for r in everyone[1:]) == [("保安甲", "安保部"), ("新人丙", ""), ("电工乙", "工程部")]
