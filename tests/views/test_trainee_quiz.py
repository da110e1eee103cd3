"""The course player and quiz as a trainee meets them over HTTP."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.domain.platform import localtime
from portal.domain.content import questions as qtypes
from portal.domain.content.sync import sync_content
from portal.models import Attempt, AttemptItem, Completion, LessonProgress
from tests.conftest import FIXTURE_CONTENT, media_url
from tests.factories import make_org, make_user


@pytest.fixture
def trainee_user(session):
    sync_content(session, FIXTURE_CONTENT)
    user = make_user("trainee", org=make_org())
    session.commit()
    return user


def start(client) -> int:
    response = client.post("/me/courses/sample-course/quiz")
    return int(re.search(r"/me/attempts/(\d+)", response.headers["Location"]).group(1))


def test_course_page_lists_lessons_and_continues_where_left_off(client, login, trainee_user, session):
    login(trainee_user)
    page = client.get("/me/courses/sample-course").get_data(as_text=True)
    assert "第01-first课" in page and "开始学习" in page
    response = client.post("/me/courses/sample-course/lessons/01-first")
    assert response.headers["Location"] == "/me/courses/sample-course/lessons/02-second"
    page = client.get("/me/courses/sample-course").get_data(as_text=True)
    assert "从上次中断处继续" in page and 'href="/me/courses/sample-course/lessons/02-second"' in page
    assert session.scalar(select(func.count()).select_from(LessonProgress).where(LessonProgress.read_at.is_not(None))) == 1


def test_lesson_page_shows_rendered_lesson_with_navigation(client, login, trainee_user):
    login(trainee_user)
    page = client.get("/me/courses/sample-course/lessons/02-second").get_data(as_text=True)
    assert "<h2>要点</h2>" in page and "上一课时" in page and f'src="{media_url("diagram.svg")}"' in page
    image = client.get(media_url("diagram.svg"))
    assert image.data.startswith(b"<svg") and "sandbox" in image.headers["Content-Security-Policy"]
    image.close()


def test_autosaved_answers_survive_a_new_login(app, client, login, trainee_user, session):
    login(trainee_user)
    attempt_id = start(client)
    page = client.get(f"/me/attempts/{attempt_id}").get_data(as_text=True)
    item_id = int(re.search(r'name="item" value="(\d+)"', page).group(1))
    choice = re.search(rf'name="answer-{item_id}" value="([^"]+)"', page).group(1)
    response = client.post(f"/me/attempts/{attempt_id}/answers", data={"item": item_id, f"answer-{item_id}": choice},
                           headers={"Accept": "application/json"})
    assert response.json["saved"] is True
    assert session.get(AttemptItem, item_id).answer == [choice]
    other_browser = app.test_client()
    other_browser.post("/auth/login", data={"login": trainee_user.username, "password": "Correct-Horse-9"})
    again = other_browser.post("/me/courses/sample-course/quiz")
    assert again.headers["Location"] == f"/me/attempts/{attempt_id}"
    page = other_browser.get(f"/me/attempts/{attempt_id}").get_data(as_text=True)
    assert f'name="answer-{item_id}" value="{choice}" checked' in page


def test_tampered_answer_gets_a_clear_message_and_changes_nothing(client, login, trainee_user, session):
    login(trainee_user)
    attempt_id = start(client)
    item = session.get(Attempt, attempt_id).items[0]
    response = client.post(f"/me/attempts/{attempt_id}/answers", data={"item": item.id, f"answer-{item.id}": "evil"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 400 and "不是该题的选项" in response.json["message"]
    assert session.get(AttemptItem, item.id).answer is None


def test_submit_twice_gives_one_grade_and_result_shows_review_after_pass(client, login, trainee_user, session):
    login(trainee_user)
    attempt_id = start(client)
    attempt = session.get(Attempt, attempt_id)
    data = {"item": [i.id for i in attempt.items]}
    for item in attempt.items:
        data[f"answer-{item.id}"] = qtypes.get(item.question_version.qtype).correct(item.question_version.data)
    client.post(f"/me/attempts/{attempt_id}/answers", data=data)
    first = client.post(f"/me/attempts/{attempt_id}/submit")
    second = client.post(f"/me/attempts/{attempt_id}/submit")
    assert first.headers["Location"] == second.headers["Location"] == f"/me/attempts/{attempt_id}/result"
    page = client.get(f"/me/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "100.0%" in page and "已通过" in page and "正确答案:" in page and "解释" in page
    assert "复习本课时" in page
    for slug in ("01-first", "02-second"):
        client.post(f"/me/courses/sample-course/lessons/{slug}")
    assert session.scalar(select(func.count()).select_from(Completion)) == 1


def test_save_and_submit_grades_the_answers_it_carries(client, login, trainee_user, session):
    """The last page's button saves its answers and submits: the grade counts those answers."""
    login(trainee_user)
    attempt_id = start(client)
    items = session.get(Attempt, attempt_id).items
    data = {"item": [i.id for i in items], "then": "submit"}
    for item in items:
        data[f"answer-{item.id}"] = qtypes.get(item.question_version.qtype).correct(item.question_version.data)
    response = client.post(f"/me/attempts/{attempt_id}/answers", data=data)
    assert response.headers["Location"] == f"/me/attempts/{attempt_id}/result"
    session.expire_all()
    attempt = session.get(Attempt, attempt_id)
    assert (attempt.status, attempt.score, attempt.passed) == ("graded", 100.0, True)
    assert all(item.answer and item.correct for item in attempt.items)


def test_failed_result_hides_the_answer_key(client, login, trainee_user, session):
    login(trainee_user)
    attempt_id = start(client)
    page = client.post(f"/me/attempts/{attempt_id}/submit").get_data(as_text=True)
    assert "道题没有作答" in page and session.get(Attempt, attempt_id).status == "open"  # asked first
    client.post(f"/me/attempts/{attempt_id}/submit", data={"confirm": "yes"})
    page = client.get(f"/me/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "未通过" in page and "正确答案:" not in page
    assert "通过后才显示正确答案" in page
    page = client.get("/me/courses/sample-course").get_data(as_text=True)
    attempt = session.get(Attempt, attempt_id)
    wait_until = attempt.submitted_at + timedelta(minutes=attempt.settings["cooldown_minutes"])
    assert localtime.format_time(wait_until, round_up=True) in page  # the cooldown message, in local time


def test_courses_outside_the_trainees_groups_are_404(client, login, session):
    sync_content(session, FIXTURE_CONTENT)
    user = make_user("trainee", org=make_org())
    user.trainee.groups = []
    session.commit()
    login(user)
    assert client.get("/me/courses/sample-course").status_code == 404
    assert client.post("/me/courses/sample-course/quiz").status_code == 404
