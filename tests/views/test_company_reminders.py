"""The roster's "Remind these people" and the invitation page's "Remind them", through the pages, with a real
SMTP server (aiosmtpd): the counts before, the mails, the log on each person, the printed sheets, errors."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.domain.platform.localtime import local_today
from portal.models import Assignment, AuditEvent, PersonReminder
from tests.factories import make_course, make_org, make_trainee, make_user
from tests.smtp_server import free_port, running_smtp_server


@pytest.fixture
def smtp():
    with running_smtp_server() as server:
        yield server


@pytest.fixture
def app_config(smtp):
    return {"MAIL_SERVER": smtp.host, "MAIL_PORT": smtp.port, "MAIL_USE_TLS": False, "MAIL_USERNAME": None,
            "MAIL_PASSWORD": None, "MAIL_CONFIGURED": True, "JOBS_SYNCHRONOUS": True,
            "PUBLIC_BASE_URL": "https://training.example.cn"}


def assign(session, trainee, course, days):
    session.add(Assignment(trainee_id=trainee.id, course_id=course.id, rule="onboarding", reason="onboarding",
                           due_on=local_today() + timedelta(days=days), status="open"))


@pytest.fixture
def world(session):
    org = make_org("示范商场")
    basics = make_course("basics")
    people = {}
    for name, email, days, post in (("李娜", "li@example.cn", -10, "收银员"), ("王强", "wang@example.cn", 12, "收银员"),
                                    ("钱多", "qian@example.cn", 90, "收银员")):
        user = make_user()
        user.email = email
        people[name] = make_trainee(org, user=user, name=name, post=post)
        assign(session, people[name], basics, days)
    people["张伟"] = make_trainee(org, name="张伟", post="保安员")  # not registered: no e-mail
    assign(session, people["张伟"], basics, -3)
    people["孙丽"] = make_trainee(org, name="孙丽", post="保安员")  # not registered, nothing due
    admin = make_user("org_admin", org=org)
    session.commit()
    return {"org": org, "people": people, "admin": admin}


@pytest.fixture
def admin(world, login):
    login(world["admin"])
    return world["admin"]


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def reminders(session):
    session.expire_all()
    return sorted((r.trainee_id, r.channel, r.purpose) for r in session.scalars(select(PersonReminder)))


def test_the_roster_offers_the_reminder_with_its_filter(client, world, admin):
    page = client.get(f"/company/{world['org'].id}/people?status=overdue&post=收银员").get_data(as_text=True)
    assert f"/company/{world['org'].id}/remind?status=overdue&amp;post=" in page


def test_the_confirmation_says_who_is_emailed_and_who_is_printed_and_sends_nothing(client, session, world, admin,
                                                                                   smtp):
    client.get("/lang/en?next=/")
    page = text(client.get(f"/company/{world['org'].id}/remind"))

    assert "2 will be e-mailed" in page  # 李娜, 王强
    assert "1 go on a printed list" in page and "张伟" in page
    assert "Remind 3 people" in page
    assert "钱多" not in page and "孙丽" not in page  # nothing due soon / nothing due
    assert smtp.received == [] and reminders(session) == []


def test_the_filter_decides_who_is_reminded(client, session, world, admin, smtp):
    org = world["org"]
    response = client.post(f"/company/{org.id}/remind", data={"status": "overdue", "post": "收银员"})

    assert response.status_code == 302
    result = client.get(response.headers["Location"])
    assert [m.to for m in smtp.received] == ["li@example.cn"]  # 王强 is only due soon; 张伟 is a 保安员
    assert reminders(session) == [(world["people"]["李娜"].id, "email", "training")]
    assert result.status_code == 200


def test_remind_emails_prints_logs_and_the_person_page_shows_it(client, session, world, admin, smtp):
    org, people = world["org"], world["people"]
    client.get("/lang/en?next=/")
    response = client.post(f"/company/{org.id}/remind", data={})
    status_url = response.headers["Location"]
    page = text(client.get(status_url))

    assert sorted(m.to for m in smtp.received) == ["li@example.cn", "wang@example.cn"]
    li = next(m for m in smtp.received if m.to == "li@example.cn")
    # in the person's language (their account has none: Chinese), not the administrator's
    assert "课程basics" in li.body and "https://training.example.cn/me/" in li.body
    assert "2 people were e-mailed" in page and "1 person is on the printed list" in page
    assert reminders(session) == sorted([(people["李娜"].id, "email", "training"),
                                         (people["王强"].id, "email", "training"),
                                         (people["张伟"].id, "printed", "training")])
    assert session.scalar(select(func.count()).select_from(AuditEvent)
                          .where(AuditEvent.action == "reminder.training")) == 1

    sheet = text(client.get(status_url + "/sheet"))
    assert "张伟" in sheet and "保安员" in sheet and "李娜" not in sheet
    assert "Course basics (overdue since" in sheet
    qr = client.get(status_url + "/sheet?layout=qr").get_data(as_text=True)
    assert qr.count('class="qr-slip"') == 1 and "<svg" in qr and f"/auth/register?code={org.invite_code}" in qr

    person = text(client.get(f"/company/{org.id}/people/{people['李娜'].id}"))
    assert "E-mailed to li@example.cn" in person and "Course basics" in person
    assert "UTC" not in person and "+00:00" not in person


def test_a_second_click_reminds_nobody_again(client, session, world, admin, smtp):
    org = world["org"]
    client.post(f"/company/{org.id}/remind", data={})
    client.get("/lang/en?next=/")

    confirm = text(client.get(f"/company/{org.id}/remind"))
    again = client.post(f"/company/{org.id}/remind", data={})

    assert "3 already reminded today" in confirm
    assert "already reminded today" in text(client.get(again.headers["Location"]))
    assert len(smtp.received) == 2 and len(reminders(session)) == 3


def test_nobody_selected_says_so(client, session, world, admin, smtp):
    client.get("/lang/en?next=/")
    org = world["org"]
    page = text(client.get(f"/company/{org.id}/remind?status=compliant"))
    posted = client.post(f"/company/{org.id}/remind", data={"q": "nobody-by-this-name"},
                         follow_redirects=True)

    assert "there is no one to remind" in page
    assert "there is no one to remind" in text(posted) and posted.status_code == 200
    assert smtp.received == [] and reminders(session) == []


@pytest.mark.parametrize("query", ["status=bogus", "group=%00", "post=" + "x" * 500, "q=%27%3B--"])
def test_odd_filters_give_a_page_not_an_error(client, world, admin, query):
    assert client.get(f"/company/{world['org'].id}/remind?{query}").status_code in (200, 400)


def test_a_mail_server_that_is_down_gives_a_clear_message_and_logs_no_email(app, client, session, world, admin):
    app.config["MAIL_PORT"] = free_port()  # nothing listens there
    client.get("/lang/en?next=/")
    response = client.post(f"/company/{world['org'].id}/remind", data={})
    page = text(client.get(response.headers["Location"]))

    assert response.status_code == 302
    assert "The mail server could not be reached, so 2 people were not e-mailed" in page
    assert [(channel) for _t, channel, _p in reminders(session)] == ["printed"]  # the sheet still works


def test_someone_elses_job_is_not_found(client, session, world, admin, login):
    org = world["org"]
    status_url = client.post(f"/company/{org.id}/remind", data={}).headers["Location"]
    other = make_user("org_admin", org=org)
    session.commit()
    client.post("/auth/logout")
    login(other)
    assert client.get(status_url).status_code == 404 and client.get(status_url + "/sheet").status_code == 404


def test_remind_the_unregistered_logs_them_and_opens_the_sheet(client, session, world, admin, smtp):
    org, people = world["org"], world["people"]
    client.get("/lang/en?next=/")
    invite = client.get(f"/company/{org.id}/invite").get_data(as_text=True)
    assert f'action="/company/{org.id}/invite/remind"' in invite and "Remind them (2 people)" in invite

    response = client.post(f"/company/{org.id}/invite/remind", follow_redirects=True)

    page = text(response)
    assert "2 people are on the sheet to print" in page and "张伟" in page and "孙丽" in page
    assert reminders(session) == sorted([(people["张伟"].id, "printed", "register"),
                                         (people["孙丽"].id, "printed", "register")])
    again = text(client.post(f"/company/{org.id}/invite/remind", follow_redirects=True))
    assert "2 people were already reminded today" in again and len(reminders(session)) == 2
    person = text(client.get(f"/company/{org.id}/people/{people['孙丽'].id}"))
    assert "On a printed sheet" in person and "to register" in person
    assert smtp.received == []


def test_remind_the_unregistered_when_everyone_registered(client, session, admin):
    org = make_org()
    login_org = make_user("org_admin", org=org)
    session.commit()
    from tests.factories import DEFAULT_PASSWORD

    client.post("/auth/logout")
    client.post("/auth/login", data={"login": login_org.username, "password": DEFAULT_PASSWORD})
    client.get("/lang/en?next=/")
    page = text(client.post(f"/company/{org.id}/invite/remind", follow_redirects=True))
    assert "Everyone on your roster has registered: there is no one to remind." in page


def test_the_forms_need_their_csrf_token(app, client, world, admin):
    app.config["WTF_CSRF_ENABLED"] = True
    org = world["org"]
    assert client.post(f"/company/{org.id}/remind", data={}).status_code == 400
    assert client.post(f"/company/{org.id}/invite/remind").status_code == 400
