"""Personal data: masking, the trainee's own data download, self-deletion, the audit log page."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.models import AuditEvent, Completion, Trainee, User
from tests.factories import make_course, make_org, make_trainee, make_user


def test_trainee_downloads_everything_held_about_them(client, session, login):
    user = make_user("trainee", org=make_org())
    user.trainee.person.id_number = "11010519491231002X"
    session.commit()
    login(user)
    response = client.get("/me/data.json")
    data = response.json
    assert data["person"]["id_number"] == "11010519491231002X"
    assert data["account"]["username"] == user.username and "password_hash" not in str(data)
    assert "attachment" in response.headers["Content-Disposition"]
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "personal_data.export")) is not None


def test_id_numbers_are_masked_on_pages(client, session, login):
    org = make_org()
    person = make_trainee(org, name="赵敏")
    person.person.id_number = "11010519491231002X"
    admin = make_user("org_admin", org=org)
    session.commit()
    login(admin)
    page = client.get(f"/company/{org.id}/people/{person.id}").get_data(as_text=True)
    assert "110105********002X" in page and "11010519491231002X" not in page


def test_self_registered_trainee_without_records_can_delete_the_account(client, session, login):
    user = make_user("trainee", org=None)
    session.commit()
    login(user)
    page = client.post("/me/privacy", data={"password": "wrong"}).get_data(as_text=True)
    assert "密码不正确" in page or "not correct" in page
    response = client.post("/me/privacy", data={"password": "Correct-Horse-9"})
    assert response.status_code == 302
    assert session.scalar(select(User).where(User.username == user.username)) is None
    assert client.get("/me/").status_code == 302


def test_roster_row_stays_with_the_employer_after_deletion(client, session, login):
    org = make_org()
    user = make_user("trainee", org=org)
    trainee_id = user.trainee.id
    session.commit()
    login(user)
    client.post("/me/privacy", data={"password": "Correct-Horse-9"})
    session.expire_all()
    assert session.get(Trainee, trainee_id).person.user_id is None


def test_accounts_with_legal_training_records_are_kept(client, session, login):
    user = make_user("trainee", org=None)
    session.add(Completion(person_id=user.trainee.person_id, course_id=make_course("c1").id, completed_on=date(2026, 1, 1)))
    session.commit()
    login(user)
    client.post("/me/privacy", data={"password": "Correct-Horse-9"})
    assert session.scalar(select(User).where(User.username == user.username)) is not None


def test_audit_log_filters_and_exports(client, session, login):
    office = make_user("office_admin")
    session.add(AuditEvent(actor_id=office.id, action="roster.hire", target_type="trainee", target_id="7"))
    session.add(AuditEvent(actor_id=office.id, action="rules.change", target_type="rule_set"))
    session.commit()
    login(office)
    def rows(query: str) -> str:
        page = client.get(f"/office/audit?{query}").get_data(as_text=True)
        return page[page.index("<tbody>"):page.index("</tbody>")]

    page = rows("action=roster")  # a prefix, as older links have it
    assert "加入名单" in page and "培训规则已修改" not in page
    page = rows(f"actor={office.username}&target=rule_set")
    assert "培训规则已修改" in page and "加入名单" not in page
    export = client.get("/office/audit?format=csv&action=rules").data.decode("utf-8-sig")
    assert "培训规则已修改" in export and "加入名单" not in export
