"""Study time as the lesson page reports it: counted while in use, never more than time passed, shown to the
trainee and the company, and stated on the certificate."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.domain.content.sync import sync_content
from portal.models import LessonProgress
from tests.conftest import FIXTURE_CONTENT
from tests.factories import make_org, make_user

URL = "/me/courses/sample-course/lessons/01-first"


@pytest.fixture
def trainee_user(session, login):
    sync_content(session, FIXTURE_CONTENT)
    user = make_user("trainee", org=make_org())
    session.commit()
    login(user)
    return user


def test_the_lesson_page_reports_time_and_the_server_counts_only_what_passed(client, session, trainee_user):
    page = client.get(URL).get_data(as_text=True)
    assert 'data-study-time="/me/courses/sample-course/lessons/01-first/time"' in page and "/static/js/study-time." in page
    row = session.scalar(select(LessonProgress))
    row.last_seen_at -= timedelta(seconds=20)
    session.commit()
    answer = client.post(URL + "/time", data={"seconds": "15"}).json
    assert answer == {"counted": True, "seconds": 15}
    again = client.post(URL + "/time", data={"seconds": "15"}).json  # right away: almost no time has passed
    assert again["seconds"] <= 16
    assert client.post(URL + "/time", data={"seconds": "-3"}).status_code == 400
    course_page = client.get("/me/courses/sample-course").get_data(as_text=True)
    assert "已学习 0 分钟" in course_page and "/figures#study-time" in course_page


def test_the_company_sees_the_time_counted(client, session, trainee_user, login):
    client.get(URL)
    row = session.scalar(select(LessonProgress))
    row.seconds_spent = 5400
    admin = make_user("org_admin", org=trainee_user.trainee.organization)
    session.commit()
    client.post("/auth/logout")
    login(admin)
    page = client.get(f"/company/{trainee_user.trainee.organization_id}/people/{trainee_user.trainee.id}")
    assert "已计学习时长" in page.get_data(as_text=True) and "1.5 小时" in page.get_data(as_text=True)
