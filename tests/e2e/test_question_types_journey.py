"""Journey 8: a grid worker answers a picture question, puts the steps of a response in order and works through a
case of several questions, with the keyboard only, then reads the result with the right order and each part marked.

The question types come from the test fixtures (tests/fixtures/content: a small course drawing them), synced next to
the real curriculum for a key group of its own, so that no demo person and no other journey meets that course."""
from __future__ import annotations

import re
import shutil

import pytest
from sqlalchemy import select

from portal.config import PROJECT_ROOT
from tests.conftest import FIXTURE_CONTENT
from tests.e2e.steps import answer_question, log_in
from tests.e2e.test_trainee_journey import LOADED

pytestmark = pytest.mark.e2e

COURSE = "sample-types"
GROUP = "e2e_question_types"


def add_course_and_trainee(session, root, n: int) -> str:
    """The fixture course beside the real curriculum (synced once), and a trainee of its key group."""
    from portal.domain.content.sync import sync_content
    from portal.models import Course, KeyGroup, Organization
    from tests.e2e.test_trainee_journey import EMPLOYER
    from tests.factories import make_trainee, make_user

    if session.scalar(select(Course).where(Course.code == COURSE)) is None:
        if session.scalar(select(KeyGroup).where(KeyGroup.code == GROUP)) is None:
            session.add(KeyGroup(code=GROUP, name_zh="新题型测试", name_en="Question types test", sort_order=99))
            session.flush()
        for part in ("courses", "question_bank"):
            shutil.copytree(PROJECT_ROOT / part, root / part, dirs_exist_ok=True)
        shutil.copytree(FIXTURE_CONTENT / "courses" / COURSE, root / "courses" / COURSE)
        shutil.copytree(FIXTURE_CONTENT / "question_bank" / "media", root / "question_bank" / "media",
                        dirs_exist_ok=True)
        shutil.copy(FIXTURE_CONTENT / "question_bank" / "sample-cases.yaml", root / "question_bank")
        course_file = root / "courses" / COURSE / "course.yaml"
        course_file.write_text(course_file.read_text(encoding="utf-8").replace("[grid_worker]", f"[{GROUP}]"),
                               encoding="utf-8")
        sync_content(session, root)
    user = make_user(None, username=f"qtypes{n}")
    make_trainee(session.scalar(select(Organization).where(Organization.name == EMPLOYER)), user=user, groups=(GROUP,),
                 mobile=f"1360000{n:04d}")
    return user.username


def right_answers(session, attempt_id: int) -> dict[int, tuple[str, list[str], dict]]:
    """Per attempt item: its type, the right answer and the question."""
    from portal.domain.content import questions
    from portal.models import Attempt

    attempt = session.get(Attempt, attempt_id)
    return {item.id: (item.question_version.qtype,
                      questions.get(item.question_version.qtype).correct(item.question_version.data),
                      item.question_version.data) for item in attempt.items}


def test_picture_order_and_case_questions(portal, tour_factory, run_number, tmp_path):
    from tests.factories import DEFAULT_PASSWORD

    username = portal.query(lambda s: add_course_and_trainee(s, tmp_path / "content", run_number))
    tour = tour_factory("8-question-types")
    page, keys = tour.page, tour.keys
    log_in(tour, keys, username, DEFAULT_PASSWORD)
    tour.check("my-training", shot=False)
    keys.follow(page.locator(f'a[href$="/me/courses/{COURSE}"]').first)
    tour.check("course", shot=False)
    keys.follow(page.locator("section[aria-labelledby=quiz] form button[type=submit]:not([name=kind])"))
    tour.check("quiz")
    attempt_id = int(re.search(r"/me/attempts/(\d+)", page.url).group(1))
    answers = portal.query(lambda s: right_answers(s, attempt_id))
    lang = tour.lang

    # The picture: shown, loaded, fitting the screen, described for screen readers without the answer.
    pictures = page.locator("#quiz-form figure.question-image img")
    assert pictures.count() == 2
    for n in range(pictures.count()):
        picture = pictures.nth(n)
        alt = picture.get_attribute("alt") or ""
        item = int(picture.locator("xpath=ancestor::div[@class='question']/input[@name='item']").get_attribute("value"))
        _kind, right, data = answers[item]
        right_texts = [o["text"][lang] for o in data["options"] if o["id"] in right]
        assert len(alt) >= 20 and alt == data["image"]["alt"][lang], "the picture has its words for screen readers"
        assert not any(text in alt for text in right_texts), "the words describe the picture, not the answer"
        picture.scroll_into_view_if_needed()
        assert picture.evaluate(LOADED), "the picture loads"
        assert picture.bounding_box()["width"] <= page.viewport_size["width"]

    for item, (kind, right, data) in answers.items():
        if kind == "ordering":
            assert page.locator(f'select[name="answer-{item}"]').count() == len(right), "one list per step"
        assert answer_question(page, keys, item, right)
        page.locator(f'[data-status="{item}"]').filter(has_text=re.compile(".+")).wait_for()
    case = page.locator("#quiz-form .case[role=region]")
    assert case.count() == 1 and page.locator(f"fieldset[aria-describedby='{case.get_attribute('id')}']").count() == 3
    tour.check("quiz-answered", shot=True)

    keys.follow(page.locator('#quiz-form button[name=then][value=submit]'))
    tour.check("result")
    assert page.locator(".panel.celebrate").count() == 1, "every answer right: passed"
    answers_list = page.locator("main ol.list")
    correct = portal.text(lang, "Correct answer")
    assert answers_list.get_by_text(correct).count() >= 3, "passed: the right answers are shown"
    ordering = next(data for kind, _right, data in answers.values() if kind == "ordering")
    steps = {o["id"]: o["text"][lang] for o in ordering["options"]}
    shown = [text.strip() for text in answers_list.locator("li.question", has_text=ordering["stem"][lang])
             .locator("ol").last.locator("li").all_inner_texts()]
    assert shown == [steps[step] for step in ordering["answer"]], "the right order, step by step"
    assert answers_list.locator("ol.parts .result-right").count() == 3, "each part of the case marked right"
    result_picture = answers_list.locator("figure.question-image img").first
    assert result_picture.get_attribute("alt"), "the picture keeps its words on the result page"
    tour.finish()
