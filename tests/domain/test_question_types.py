"""The image, ordering and case (scenario) question types: checking, accepting answers, grading, drawing."""
from __future__ import annotations

import copy
import random
import shutil

import pytest
import yaml
from sqlalchemy import select

from portal.domain.content import questions as qtypes
from portal.domain.learning import quiz
from portal.domain.content.check import check_tree
from portal.domain.content.sync import sync_content
from portal.models import Course, CourseMedia
from tests.conftest import FIXTURE_CONTENT
from tests.factories import make_trainee

BANK = FIXTURE_CONTENT / "question_bank" / "sample-cases.yaml"
QUESTIONS = {q["id"]: q for q in yaml.safe_load(BANK.read_text(encoding="utf-8"))["questions"]}


def question(qid: str) -> dict:
    return copy.deepcopy(QUESTIONS[qid])


def messages(data: dict) -> list[str]:
    return [message for _key, message in qtypes.get(data["type"]).check(data)]


def test_the_fixture_questions_pass_their_checks():
    assert {qid: messages(q) for qid, q in QUESTIONS.items()} == {qid: [] for qid in QUESTIONS}


@pytest.mark.parametrize("alt, expected", [
    ("短", "image.alt.zh_CN: 20-200 characters describing what is drawn (now 1)"),
    ("楼道里停着一辆电动自行车，墙上有插座，这是一个明显的火灾隐患。", "without giving the answer away (remove 隐患)"),
])
def test_image_alt_text_describes_without_giving_the_answer_away(alt, expected):
    data = question("sample-201")
    data["image"]["alt"]["zh_CN"] = alt
    assert any(expected in message for message in messages(data))


def test_image_alt_text_in_english_may_not_name_the_fault():
    data = question("sample-201")
    data["image"]["alt"]["en"] = "A corridor with a dangerous e-bike charging hazard next to the door."
    assert any("(remove hazard, danger)" in message for message in messages(data))
    del data["image"]["alt"]["en"]
    assert any(message.startswith("image.alt.en: 20-200") for message in messages(data))


def test_image_file_must_be_a_picture_name():
    data = question("sample-201")
    data["image"]["file"] = "../secrets.txt"
    assert any("image.file: a file name in question_bank/media/" in message for message in messages(data))


def test_ordering_needs_three_to_six_steps_each_named_once():
    data = question("sample-101")
    data["answer"] = ["b", "a", "c", "c"]
    assert messages(data) == ["answer lists every option id exactly once, in the correct order"]
    data["options"] = data["options"][:2]
    assert messages(data) == ["an ordering question has 3 to 6 steps"]


def test_scenario_parts_are_checked_as_their_own_types():
    data = question("sample-102")
    data["parts"][0]["answer"] = ["z"]
    data["parts"][2]["type"] = "essay"
    assert messages(data) == ["part 1: answer names no option: 'z'",
                              "part 3: type is one of single, multiple, true_false, not 'essay'"]
    data["parts"] = data["parts"][:1]
    assert messages(data) == ["a scenario has 2 to 4 parts, each a mapping with stem, type and answer"]


def test_image_grading_follows_single_or_multiple():
    one, many = question("sample-201"), question("sample-202")
    image = qtypes.get("image")
    assert not image.many(one) and image.many(many)
    assert image.grade(one, ["b"], "all_or_nothing") == 1.0 and image.grade(one, ["a"], "partial") == 0.0
    assert image.grade(many, ["a"], "all_or_nothing") == 0.0
    assert image.grade(many, ["a"], "partial") == 0.5
    assert image.grade(many, ["a", "b"], "all_or_nothing") == 1.0


def test_ordering_partial_credit_is_the_share_of_steps_in_place():
    data, ordering = question("sample-101"), qtypes.get("ordering")
    assert ordering.grade(data, ["b", "a", "c", "d"], "all_or_nothing") == 1.0
    assert ordering.grade(data, ["b", "a", "d", "c"], "all_or_nothing") == 0.0
    assert ordering.grade(data, ["b", "a", "d", "c"], "partial") == 0.5
    assert ordering.grade(data, ["b", "", "", ""], "partial") == 0.25
    assert ordering.correct(data) == ["b", "a", "c", "d"]


def test_scenario_grading_needs_every_part_or_gives_the_share():
    data, scenario = question("sample-102"), qtypes.get("scenario")
    right = scenario.correct(data)
    assert right == ["1:a", "2:a", "2:b", "3:false"]
    assert scenario.grade(data, right, "all_or_nothing") == 1.0
    assert scenario.grade(data, ["1:a", "2:a", "3:false"], "all_or_nothing") == 0.0
    # the multiple part follows the course's rule: half its options, half its point
    assert scenario.grade(data, ["1:a", "2:a", "3:false"], "partial") == pytest.approx((1 + 0.5 + 1) / 3)
    assert scenario.grade(data, ["1:b", "3:false"], "partial") == pytest.approx(1 / 3)


def test_answers_are_stored_in_each_types_form_and_tampering_is_refused():
    ordering, scenario = question("sample-101"), question("sample-102")
    order = ["c", "a", "d", "b"]
    accept = qtypes.get("ordering").accepted
    assert accept(ordering, order, ["b", "a", "", ""]) == ["b", "a", "", ""]
    assert accept(ordering, order, ["", "", "", ""]) == []
    assert accept(ordering, order, ["a", "a", "c", "d"]) == ["a", "a", "c", "d"]  # on the way: simply wrong
    for bad in (["b", "a", "c"], ["b", "a", "c", "x"], ["b", "a", "c", "d", "d"]):
        with pytest.raises(qtypes.BadAnswer):
            accept(ordering, order, bad)
    choices = qtypes.get("scenario").choices(scenario)
    accept = qtypes.get("scenario").accepted
    assert accept(scenario, choices, ["3:false", "2:b", "1:a", "2:a", "2:a"]) == ["1:a", "2:a", "2:b", "3:false"]
    for bad in (["1:a", "1:b"], ["4:a"], ["1:z"], ["a"], ["3:true", "3:false"]):
        with pytest.raises(qtypes.BadAnswer):
            accept(scenario, choices, bad)
    image = question("sample-201")
    with pytest.raises(qtypes.BadAnswer):
        qtypes.get("image").accepted(image, ["a", "b", "c"], ["a", "b"])  # one answer: one choice


def test_ordering_is_always_shuffled_and_scenario_parts_keep_their_order():
    ordering, scenario = question("sample-101"), question("sample-102")
    orders = {tuple(qtypes.get("ordering").option_order(ordering, random.Random(seed), False)) for seed in range(10)}
    assert len(orders) > 2
    for seed in range(10):
        shown = qtypes.get("scenario").option_order(scenario, random.Random(seed), True)
        assert [value.split(":")[0] for value in shown] == ["1", "1", "2", "2", "2", "3", "3"]
        assert shown[-2:] == ["3:true", "3:false"]


@pytest.fixture
def content(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    return root


def problems(root) -> list[str]:
    return [str(problem) for problem in check_tree(root).problems]


def test_check_names_a_missing_picture_and_a_missing_licence_with_their_lines(content):
    media = content / "question_bank" / "media"
    (media / "sample-201-corridor.svg.license").unlink()
    line = next(n for n, text in enumerate((content / "question_bank/sample-cases.yaml").read_text().splitlines(), 1)
                if "file: sample-201-corridor.svg" in text)
    assert f"question_bank/sample-cases.yaml:{line}: picture sample-201-corridor.svg needs its licence beside it: " \
           "question_bank/media/sample-201-corridor.svg.license (SPDX-FileCopyrightText and SPDX-License-Identifier " \
           "lines)" in problems(content)
    (media / "sample-201-corridor.svg").unlink()
    assert f"question_bank/sample-cases.yaml:{line}: picture file does not exist: sample-201-corridor.svg" \
        in problems(content)


def test_check_refuses_a_picture_with_a_script(content):
    picture = content / "question_bank" / "media" / "sample-201-corridor.svg"
    picture.write_text(picture.read_text().replace("</svg>", "<script>alert(1)</script></svg>"))
    assert any("SVG must be plain drawing" in problem for problem in problems(content))


def test_check_asks_for_each_text_of_a_case_in_both_languages(content):
    bank = content / "question_bank" / "sample-cases.yaml"
    bank.write_text(bank.read_text(encoding="utf-8").replace(
        "en: Never reset it.", "en: ''").replace("en: Send someone to check on the spot", "en: ''"), encoding="utf-8")
    tree = check_tree(content)  # a missing English text is a warning: English readers see the Chinese
    found = [str(warning) for warning in tree.warnings]
    assert any("part 3 explanation: missing translation 'en'" in p for p in found)
    assert any("part 1 option a: missing translation 'en'" in p for p in found)


def test_sync_stores_the_picture_with_the_course_that_draws_it(session, content):
    sync_content(session, content)
    course = session.scalar(select(Course).where(Course.code == "sample-types"))
    rows = {row.name: row for row in session.scalars(select(CourseMedia).where(CourseMedia.course_id == course.id))}
    picture = (content / "question_bank/media/sample-201-corridor.svg").read_bytes()
    assert rows["qb-sample-201-corridor.svg"].data == picture
    assert rows["qb-sample-201-corridor.svg"].content_type == "image/svg+xml"
    # a redrawn picture makes a new question version (its hash is part of the question) and a new URL
    (content / "question_bank/media/sample-201-corridor.svg").write_bytes(picture.replace(b"#f4f4f4", b"#eeeeee"))
    report = sync_content(session, content)
    assert set(report.changed) == {"question sample-201", "question sample-202", "course sample-types"}


def test_a_quiz_draws_grades_and_counts_each_new_type(session, content):
    sync_content(session, content)
    course = session.scalar(select(Course).where(Course.code == "sample-types"))
    trainee = make_trainee(None)
    from tests.domain.test_quiz import T0

    attempt = quiz.start_attempt(session, trainee, course, now=T0, rng=random.Random(2))
    kinds = {item.question_version.qtype: item for item in attempt.items}
    assert sorted(kinds) == ["image", "ordering", "scenario"] and len(attempt.items) == 4
    for item in attempt.items:
        data = item.question_version.data
        quiz.save_answer(session, attempt, item.id, qtypes.get(item.question_version.qtype).correct(data), now=T0)
    ordering = kinds["ordering"]
    quiz.save_answer(session, attempt, ordering.id, ["a", "b", "c", "d"], now=T0)  # half the steps in place
    with pytest.raises(quiz.Tampered):
        quiz.save_answer(session, attempt, ordering.id, ["a", "b", "c"], now=T0)
    with pytest.raises(quiz.Tampered):
        quiz.save_answer(session, attempt, kinds["scenario"].id, ["1:a", "1:b"], now=T0)
    quiz.submit(session, attempt, now=T0)
    assert ordering.points == 0.0 and ordering.correct is False
    assert kinds["scenario"].points == 1.0 and kinds["scenario"].correct is True
    assert attempt.score == 75.0


def test_statistics_count_full_points_as_correct_and_show_the_share_of_points(session, content):
    from portal.domain.content.question_stats import question_statistics
    from tests.domain.test_quiz import T0

    course_file = content / "courses/sample-types/course.yaml"
    course_file.write_text(course_file.read_text().replace("all_or_nothing", "partial"))
    sync_content(session, content)
    course = session.scalar(select(Course).where(Course.code == "sample-types"))
    for steps in (["b", "a", "c", "d"], ["b", "a", "d", "c"]):
        attempt = quiz.start_attempt(session, make_trainee(None), course, now=T0, rng=random.Random(5))
        for item in attempt.items:
            if item.question_version.qtype == "ordering":
                quiz.save_answer(session, attempt, item.id, steps, now=T0)
            elif item.question_version.qtype == "scenario":
                quiz.save_answer(session, attempt, item.id, ["1:a", "2:a", "3:false"], now=T0)
        quiz.submit(session, attempt, now=T0)
    stats = {s.code: s for s in question_statistics(session, course.id)}
    assert (stats["sample-101"].share_correct, stats["sample-101"].share_points) == (0.5, 0.75)
    assert stats["sample-102"].share_correct == 0.0
    assert stats["sample-102"].share_points == pytest.approx((1 + 0.5 + 1) / 3)
    assert (stats["sample-201"].share_correct, stats["sample-201"].share_points) == (0.0, 0.0)


def test_an_unquoted_question_mark_inside_braces_gets_a_hint(content):
    bank = content / "question_bank" / "sample-cases.yaml"
    bank.write_text(bank.read_text(encoding="utf-8").replace('"What is wrong in this picture?"',
                                                             "What is wrong in this picture?"), encoding="utf-8")
    assert problems(content) == [
        "question_bank/sample-cases.yaml:12: invalid YAML: expected ',' or '}', but got '?' (inside {...} a text "
        "with '?' or ': ' needs quotes: en: \"What is wrong?\")",
        "courses/sample-types/course.yaml:12: pool 'sample.c' asks for 4 questions but the bank has 0"]


def test_problems_inside_a_case_or_a_picture_name_their_own_line(content):
    bank = content / "question_bank" / "sample-cases.yaml"
    lines = bank.read_text(encoding="utf-8").splitlines()
    answer_line = next(n for n, text in enumerate(lines, 1) if text.strip() == "answer: false")
    alt_line = next(n for n, text in enumerate(lines, 1) if text.strip().startswith("en: \"A corridor"))
    bank.write_text(bank.read_text(encoding="utf-8").replace("answer: false", "answer: maybe").replace(
        "en: \"A corridor with the entrance door", "en: \"A wrong corridor with the entrance door", 1), encoding="utf-8")
    found = problems(content)
    assert f"question_bank/sample-cases.yaml:{answer_line}: part 3: a true/false answer is true or false" in found
    assert any(p.startswith(f"question_bank/sample-cases.yaml:{alt_line}: image.alt.en: describe what is drawn")
               for p in found)


def test_an_svg_without_a_viewbox_is_refused_and_a_large_one_warned_about(content):
    picture = content / "question_bank" / "media" / "sample-201-corridor.svg"
    picture.write_text(picture.read_text().replace(' viewBox="0 0 320 200"', "").replace(
        "</svg>", "<!--" + "x" * 31_000 + "--></svg>"))
    tree = check_tree(content)
    assert any(str(p).endswith("picture sample-201-corridor.svg: an SVG needs a viewBox, so that it scales to a "
                               "phone's width") for p in tree.problems)
    assert any(str(w).endswith("picture sample-201-corridor.svg is larger than 30 KB: simplify the drawing")
               for w in tree.warnings)
