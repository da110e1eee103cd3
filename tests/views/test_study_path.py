"""A trainee's study path: lessons before the exam, practice and the 错题本, results that teach, locked out but
not lost (a company grants another attempt), and their own learning record."""
from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.domain.content import questions as qtypes
from portal.domain.learning import quiz
from portal.domain.content.sync import sync_content
from portal.models import Attempt, AttemptGrant, AuditEvent, Certificate, Completion, Course, Question, utcnow
from tests.conftest import FIXTURE_CONTENT
from tests.factories import DEFAULT_PASSWORD, make_org, make_user

LESSONS = ("01-first", "02-second")


@pytest.fixture
def course(session):
    sync_content(session, FIXTURE_CONTENT)
    return session.scalar(select(Course).where(Course.code == "sample-course"))


def configure(session, course, **quiz_settings):
    course.quiz = {**course.quiz, **quiz_settings}
    session.commit()


@pytest.fixture
def trainee_user(session, course, login):
    org = make_org()
    org.contact_name, org.contact_phone = "周经理", "13800001234"
    user = make_user("trainee", org=org)
    session.commit()
    login(user)
    return user


def start(client, kind: str = "") -> int:
    response = client.post("/me/courses/sample-course/quiz", data={"kind": kind} if kind else {})
    return int(re.search(r"/me/attempts/(\d+)", response.headers["Location"]).group(1))


def read_lessons(client):
    for slug in LESSONS:
        client.post(f"/me/courses/sample-course/lessons/{slug}")


def answer(client, session, attempt_id: int, *, right: bool, confirm: bool = True):
    attempt = session.get(Attempt, attempt_id)
    data = {"item": [item.id for item in attempt.items], "then": "submit", "confirm": "yes" if confirm else ""}
    for item in attempt.items:
        correct = qtypes.get(item.question_version.qtype).correct(item.question_version.data)
        data[f"answer-{item.id}"] = correct if right else [c for c in item.option_order if c not in correct][:1]
    return client.post(f"/me/attempts/{attempt_id}/answers", data=data)


def fail_once(client, session):
    attempt_id = start(client)
    answer(client, session, attempt_id, right=False)
    session.get(Attempt, attempt_id).submitted_at = utcnow() - timedelta(hours=1)  # past the cooldown
    session.commit()
    return attempt_id


def test_the_lessons_come_before_the_exam_unless_the_course_lets_people_test_out(client, session, course,
                                                                                  trainee_user):
    configure(session, course, test_out=False)
    page = client.get("/me/courses/sample-course").get_data(as_text=True)
    assert "请先学习课时：2 个课时中还有 2 个未学" in page and "开始测验" not in page
    refused = client.post("/me/courses/sample-course/quiz")
    assert refused.headers["Location"].endswith("/me/courses/sample-course")
    assert session.scalar(select(func.count()).select_from(Attempt)) == 0
    read_lessons(client)
    assert "开始测验" in client.get("/me/courses/sample-course").get_data(as_text=True)
    configure(session, course, test_out=True)
    assert start(client) > 0


def test_practice_is_untimed_never_counted_and_leaves_out_exam_only_questions(client, session, course, trainee_user):
    configure(session, course, allow_practice=True, time_limit_minutes=10)
    reserved = session.scalars(select(Question).order_by(Question.id)).first()
    reserved.current_version.data = {**reserved.current_version.data, "exam_only": True}
    session.commit()
    for _ in range(3):
        attempt = session.get(Attempt, start(client, "practice"))
        assert attempt.practice and attempt.deadline_at is None
        assert reserved.id not in {item.question_version.question_id for item in attempt.items}
        answer(client, session, attempt.id, right=True)
    page = client.get(f"/me/attempts/{attempt.id}/result").get_data(as_text=True)
    assert "这是一次练习，不计成绩" in page and "正确答案" in page  # practice teaches
    read_lessons(client)
    assert session.scalar(select(func.count()).select_from(Completion)) == 0


def test_the_mistakes_come_first_in_the_next_practice(client, session, course, trainee_user):
    configure(session, course, allow_practice=True)
    failed = fail_once(client, session)
    wrong = {item.question_version.question_id for item in session.get(Attempt, failed).items}
    assert set(quiz.mistaken_questions(session, trainee_user.person.id, course)) == wrong
    page = client.get("/me/courses/sample-course").get_data(as_text=True)
    assert f"练习我的 {len(wrong)} 道错题" in page
    practice = session.get(Attempt, start(client, "mistakes"))
    assert {item.question_version.question_id for item in practice.items} == wrong
    history = client.get("/me/history").get_data(as_text=True)
    assert "错题本" in history and "练习这些题" in history


def test_a_failed_result_names_the_lessons_to_review_without_the_answers(client, session, course, trainee_user):
    attempt_id = start(client)
    answer(client, session, attempt_id, right=False)
    page = client.get(f"/me/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "请复习这些课时" in page and "/me/courses/sample-course/lessons/01-first" in page
    assert "答错了" in page and "正确答案：" not in page and "正确答案:" not in page and "恭喜" not in page


def test_a_pass_is_celebrated_with_the_certificate_and_the_next_thing_to_do(client, session, course, trainee_user):
    read_lessons(client)
    attempt_id = start(client)
    answer(client, session, attempt_id, right=True)
    page = client.get(f"/me/attempts/{attempt_id}/result").get_data(as_text=True)
    certificate = session.scalar(select(Certificate))
    assert "恭喜，测验已通过！" in page and f"/certificates/{certificate.serial}.pdf" in page
    assert f"/verify/{certificate.token}" in page and "答对了" in page
    course_page = client.get("/me/courses/sample-course").get_data(as_text=True)
    assert "下载我的证书" in course_page and "已完成" in course_page
    assert "已完成" in client.get("/me/").get_data(as_text=True)


def test_a_timed_out_attempt_says_so(client, session, course, trainee_user):
    attempt_id = start(client)
    attempt = session.get(Attempt, attempt_id)
    attempt.deadline_at = utcnow() - timedelta(minutes=5)
    session.commit()
    page = client.get(f"/me/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "测验时间已到" in page


def test_locked_out_people_see_whom_to_ask_and_their_company_grants_one_more(app, client, session, course,
                                                                                trainee_user):
    configure(session, course, attempts_allowed=2)
    fail_once(client, session)
    assert "这是您最后一次测验机会" in client.get("/me/courses/sample-course").get_data(as_text=True)
    fail_once(client, session)
    page = client.get("/me/courses/sample-course").get_data(as_text=True)
    assert "2 次测验机会已全部用完" in page and "周经理" in page and "13800001234" in page
    home = client.get("/me/").get_data(as_text=True)
    assert "以下课程的测验次数已用完：示例课程" in home and "13800001234" in home
    admin = make_user("org_admin", org=trainee_user.trainee.organization)
    session.commit()
    company = app.test_client()
    company.post("/auth/login", data={"login": admin.username, "password": DEFAULT_PASSWORD})
    org_id, trainee_id = trainee_user.trainee.organization_id, trainee_user.trainee.id
    dashboard = company.get(f"/company/{org_id}/").get_data(as_text=True)
    assert "测验次数已用完的人员" in dashboard and trainee_user.trainee.real_name in dashboard
    company.post(f"/company/{org_id}/people/{trainee_id}/attempts/sample-course")
    assert session.scalar(select(func.count()).select_from(AttemptGrant)) == 1
    assert session.scalar(select(AuditEvent.actor_id).where(AuditEvent.action == "quiz.attempt_granted")) == admin.id
    again = company.post(f"/company/{org_id}/people/{trainee_id}/attempts/sample-course", follow_redirects=True)
    assert "还有剩余次数" in again.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(AttemptGrant)) == 1
    assert "开始测验" in client.get("/me/courses/sample-course").get_data(as_text=True)


def test_my_data_reads_as_a_page_and_downloads_as_utf8_json(client, session, course, trainee_user):
    page = client.get("/me/data").get_data(as_text=True)
    assert trainee_user.person.real_name in page and "全部下载" in page
    raw = client.get("/me/data.json").data.decode("utf-8")
    assert trainee_user.person.real_name in raw and "\\u" not in raw
    assert json.loads(raw)["person"]["real_name"] == trainee_user.person.real_name
