"""Pages show local time (Asia/Shanghai by default), never UTC, and "today" is the local date.

The portal's clock is set with the `clock` fixture: it replaces utcnow where the views and the local
"today" read it, so a page can be looked at as of 2026-12-06 20:00 UTC (2026-12-07 04:00 in Shanghai).
"""
from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta, timezone

import openpyxl
import pytest
from sqlalchemy import select

from portal.domain.learning import progress, quiz
from portal.domain.content.sync import sync_content
from portal.models import Assignment, AuditEvent, Completion, Course
from tests.conftest import FIXTURE_CONTENT
from tests.factories import make_org, make_user

EVENING = datetime(2026, 12, 6, 20, 30, tzinfo=timezone.utc)  # 2026-12-07 04:30 in Shanghai


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


@pytest.fixture
def clock(monkeypatch):
    """clock(moment): the views' current time and the local today are taken at `moment`."""

    def set_to(moment: datetime) -> None:
        for module in ("portal.domain.platform.localtime", "portal.trainee.views", "portal.company.views"):
            monkeypatch.setattr(f"{module}.utcnow", lambda: moment)

    return set_to


@pytest.fixture
def course(session):
    sync_content(session, FIXTURE_CONTENT)
    return session.scalar(select(Course).where(Course.code == "sample-course"))


@pytest.fixture
def org(session):
    return make_org()


@pytest.fixture
def trainee_user(session, course, org):
    user = make_user("trainee", org=org)
    user.trainee.created_at = utc(2026, 12, 1)  # on the roster before the records below
    session.commit()
    return user


def failed_attempt(session, user, course, *, submitted: datetime) -> int:
    attempt = quiz.start_attempt(session, user.trainee, course, now=submitted - timedelta(minutes=3))
    quiz.submit(session, attempt, now=submitted)
    session.commit()
    return attempt.id


def passed_attempt(session, user, course, *, submitted: datetime) -> int:
    trainee = user.trainee
    for lesson in progress.live_lessons(course):
        progress.mark_read(session, trainee, lesson, now=submitted - timedelta(minutes=30))
    attempt = quiz.start_attempt(session, trainee, course, now=submitted - timedelta(minutes=3))
    for item in attempt.items:
        from portal.domain.content import questions as qtypes

        quiz.save_answer(session, attempt, item.id, list(qtypes.get(item.question_version.qtype).correct(
            item.question_version.data)), now=submitted - timedelta(minutes=1))
    quiz.submit(session, attempt, now=submitted)
    session.commit()
    return attempt.id


def in_english(client) -> None:
    client.get("/lang/en?next=/")


@pytest.mark.parametrize("english", [False, True], ids=["zh", "en"])
def test_an_attempt_in_the_utc_evening_shows_the_next_local_morning(client, login, session, clock, course,
                                                                    trainee_user, english):
    attempt_id = failed_attempt(session, trainee_user, course, submitted=EVENING)
    clock(utc(2026, 12, 7, 1, 0))
    login(trainee_user)
    if english:
        in_english(client)
    for url in ("/me/courses/sample-course", f"/me/attempts/{attempt_id}/result"):
        page = client.get(url).get_data(as_text=True)
        assert "2026-12-07 04:30" in page, url
        assert "20:30" not in page and "UTC" not in page, url


def test_a_cooldown_shows_its_end_rounded_up(client, login, session, clock, course, trainee_user):
    failed_attempt(session, trainee_user, course, submitted=utc(2026, 12, 7, 4, 11, 20))  # 5 minutes: 04:16:20
    clock(utc(2026, 12, 7, 4, 12))
    login(trainee_user)
    page = client.get("/me/courses/sample-course").get_data(as_text=True)
    assert "12:17" in page and "12:16" not in page and "UTC" not in page
    response = client.post("/me/courses/sample-course/quiz", follow_redirects=True)
    assert "12:17" in response.get_data(as_text=True)  # the flash after trying too early says the same


def test_a_deadline_shows_rounded_down(client, login, session, clock, course, trainee_user):
    clock(utc(2026, 12, 7, 4, 21, 50))  # a 10 minute quiz: it ends at 04:31:50 UTC
    login(trainee_user)
    attempt_url = client.post("/me/courses/sample-course/quiz").headers["Location"]
    page = client.get(attempt_url).get_data(as_text=True)
    assert "12:31" in page and "12:32" not in page and "UTC" not in page


def test_no_trainee_page_says_utc(client, login, session, clock, course, trainee_user):
    attempt_id = failed_attempt(session, trainee_user, course, submitted=EVENING)
    clock(EVENING + timedelta(minutes=1))  # within the cooldown
    login(trainee_user)
    pages = ["/me/", "/me/courses/sample-course", "/me/courses/sample-course/lessons/01-first",
             f"/me/attempts/{attempt_id}/result", "/me/privacy", "/me/certificates"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "UTC" not in response.get_data(as_text=True), url


def test_a_completion_counts_on_the_local_day(client, login, session, clock, course, org, trainee_user):
    passed_attempt(session, trainee_user, course, submitted=EVENING)
    completion = session.scalar(select(Completion).where(Completion.person_id == trainee_user.trainee.person_id))
    assert completion.completed_on == date(2026, 12, 7)
    admin = make_user("org_admin", org=org)
    session.commit()
    clock(utc(2026, 12, 7, 2, 0))
    login(admin)
    page = client.get(f"/company/{org.id}/people/{trainee_user.trainee.id}").get_data(as_text=True)
    assert "2026-12-07 04:30" in page and "2026-12-07" in page and "2026-12-06" not in page


def overdue_count(page: str) -> int:
    return int(re.search(r'status=overdue"><span class="num">(\d+)', page).group(1))


def test_the_company_dashboards_today_is_the_local_date(client, login, session, clock, course, org, trainee_user):
    session.add(Assignment(trainee_id=trainee_user.trainee.id, course_id=course.id, rule="onboarding",
                           reason="onboarding", due_on=date(2026, 12, 6), status="open"))
    admin = make_user("org_admin", org=org)
    session.commit()
    login(admin)
    clock(utc(2026, 12, 6, 15, 0))  # 23:00 on the 6th in Shanghai: due today, not overdue
    assert overdue_count(client.get(f"/company/{org.id}/").get_data(as_text=True)) == 0
    clock(utc(2026, 12, 6, 20, 0))  # 04:00 on the 7th in Shanghai, while UTC is still on the 6th
    assert overdue_count(client.get(f"/company/{org.id}/").get_data(as_text=True)) == 1
    roster = client.get(f"/company/{org.id}/people?status=overdue").get_data(as_text=True)
    assert trainee_user.trainee.real_name in roster


@pytest.fixture
def office(session, login):
    user = make_user("office_admin")
    session.add(AuditEvent(at=utc(2026, 12, 6, 20, 30, 5), actor_id=user.id, action="test.local_time",
                           target_type="test", address="127.0.0.1"))
    session.commit()
    login(user)
    return user


def test_the_audit_log_shows_and_exports_local_time(client, office):
    page = client.get("/office/audit?action=test.").get_data(as_text=True)
    assert "2026-12-07 04:30:05" in page and "UTC" not in page
    rows = list(csv.reader(io.StringIO(client.get("/office/audit?action=test.&format=csv").data.decode("utf-8-sig"))))
    assert rows[1][0] == "2026-12-07 04:30:05" and "UTC" not in rows[0][0]
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/office/audit?action=test.&format=xlsx").data)).active
    assert sheet["A2"].value == datetime(2026, 12, 7, 4, 30, 5)


def test_the_audit_log_filters_by_local_days(client, office):
    def listed(query: str) -> bool:
        page = client.get(f"/office/audit?action=test.&{query}").get_data(as_text=True)
        return "其他事件" in page[page.index("<tbody>"):page.index("</tbody>")]  # "Other event": test.local_time

    assert listed("since=2026-12-07") and listed("until=2026-12-07")
    assert not listed("until=2026-12-06") and not listed("since=2026-12-08")


def test_the_coverage_figures_say_when_they_were_computed_in_local_time(client, office):
    page = client.get("/office/coverage/").get_data(as_text=True)
    freshness = re.search(r'<p class="muted freshness">(.*?)</p>', page, re.S).group(1)
    assert re.search(r"\b\d\d:\d\d\b", freshness) and "UTC" not in page
