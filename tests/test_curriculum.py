"""The real curriculum in courses/ and question_bank/: valid, complete, fair to draw from."""
from __future__ import annotations

import re
import unicodedata
from collections import Counter

import pytest

from portal.config import PROJECT_ROOT
from portal.domain.content.check import check_tree
from portal.domain.content.sync import plain
from portal.domain.content.questions import REGISTRY, translated_texts
from portal.domain.workforce.reference import KEY_GROUPS


@pytest.fixture(scope="module")
def tree():
    return check_tree(PROJECT_ROOT)


@pytest.fixture(scope="module")
def questions(tree):
    return [plain(q) for bank in tree.banks for q in bank.questions]


def test_content_check_passes(tree):
    assert [str(p) for p in tree.problems] == []
    assert len(tree.courses) >= 12


def test_every_key_group_has_a_course(tree):
    served = {code for course in tree.courses for code in course.data["groups"]}
    assert {code for code, _zh, _en in KEY_GROUPS} - served == set()


def test_every_lesson_exists_in_both_languages_with_real_length(tree):
    for course in tree.courses:
        assert 3 <= len(course.lessons) <= 6, course.path
        for slug, texts in course.lessons.items():
            assert set(texts) == {"zh_CN", "en"}, (course.path, slug)
            chinese = len(re.findall(r"[\u4e00-\u9fff]", texts["zh_CN"].body))
            assert chinese >= 500, (course.path, slug, chinese)
            assert len(texts["en"].body.split()) >= 250, (course.path, slug)


def test_every_question_is_bilingual_with_explanation_and_source(questions):
    assert len(questions) >= 500
    for q in questions:
        for path, where in translated_texts(q):
            value = q
            for step in path:
                value = value[step]
            assert value["zh_CN"].strip() and value["en"].strip(), (q["id"], where)
        assert q["source"].strip(), q["id"]
    kinds = Counter(q["type"] for q in questions)
    # The picture questions (question_bank/*-images.yaml) are part of the curriculum since the second edition.
    assert {"single", "multiple", "true_false", "image"} <= set(kinds) <= set(REGISTRY)
    assert set(Counter(q["difficulty"] for q in questions)) == {1, 2, 3}


def test_each_course_has_enough_questions_and_sane_quiz_settings(tree, questions):
    by_tag = Counter(tag for q in questions for tag in set(q["tags"]))
    for course in tree.courses:
        quiz = course.data["quiz"]
        pools = quiz["pools"]
        drawn = sum(pool["count"] for pool in pools)
        assert 10 <= drawn <= 20, course.path
        in_pools = sum(by_tag[pool["tag"]] for pool in pools)
        assert in_pools >= 35, (course.path, in_pools)
        expected_mark = (85, 90) if course.data["level"] == "special" else (80,)
        assert quiz["pass_mark"] in range(expected_mark[0], expected_mark[-1] + 1), course.path


def test_every_pool_can_be_drawn_twice_without_repeats(tree, questions):
    by_tag: dict[str, set[str]] = {}
    for q in questions:
        for tag in q["tags"]:
            by_tag.setdefault(tag, set()).add(q["id"])
    for course in tree.courses:
        used: set[str] = set()
        for pool in course.data["quiz"]["pools"]:
            available = by_tag[pool["tag"]] - used
            assert len(available) >= 2 * pool["count"], (course.path, pool["tag"])
            used |= set(sorted(available)[: 2 * pool["count"]])


def test_every_course_has_picture_questions_drawn_by_its_pools(tree, questions):
    for course in tree.courses:
        pool_tags = {pool["tag"] for pool in course.data["quiz"]["pools"]}
        pictures = [q for q in questions if q["type"] == "image" and pool_tags & set(q["tags"])]
        assert pictures, course.path


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[\W_]+", "", text)


def _lead(question: dict) -> dict:
    """What a trainee reads first: the stem, or a scenario's case."""
    return question.get("stem") or question["case"]


def test_no_two_questions_share_a_normalised_stem(questions):
    stems = Counter(_normalise(_lead(q)["zh_CN"]) for q in questions)
    assert [stem for stem, n in stems.items() if n > 1] == []
    english = Counter(_normalise(_lead(q)["en"]) for q in questions)
    assert [stem for stem, n in english.items() if n > 1] == []


def test_true_false_answers_are_mixed(questions):
    answers = Counter(q["answer"] for q in questions if q["type"] == "true_false")
    assert answers[True] >= 0.3 * sum(answers.values()) and answers[False] >= 0.3 * sum(answers.values())


def test_the_whole_curriculum_syncs(session):
    from portal.domain.content.sync import sync_content

    report = sync_content(session, PROJECT_ROOT)
    assert len([line for line in report.added if line.startswith("course ")]) >= 12
    assert sync_content(session, PROJECT_ROOT).lines() == []


# The onboarding lessons that teach a skill show it drawn, in each language (all-staff-basics/lessons/NOTICE.md).
SKILL_DRAWINGS = {"02-reporting-a-fire": ["alarm-steps", "call-119"], "03-fire-extinguishers": ["extinguisher-steps"],
                  "05-escaping-a-fire": ["escape-steps"]}


def test_the_skill_lessons_name_their_drawings_in_both_languages(tree):
    course = next(course for course in tree.courses if course.data["id"] == "all-staff-basics")
    for slug, drawings in SKILL_DRAWINGS.items():
        for lang, text in course.lessons[slug].items():
            pictures = {ref.file: ref for ref in text.media}
            for drawing in drawings:
                assert pictures[f"{drawing}.{lang}.svg"].alt, (slug, lang, drawing)


def test_a_trainee_sees_the_skill_drawings(client, login, session):
    from portal.domain.content.sync import sync_content
    from tests.factories import make_org, make_user

    sync_content(session, PROJECT_ROOT)
    user = make_user("trainee", org=make_org())
    session.commit()
    login(user)
    folder = PROJECT_ROOT / "courses/all-staff-basics/lessons"
    for slug, drawings in SKILL_DRAWINGS.items():
        page = client.get(f"/me/courses/all-staff-basics/lessons/{slug}").get_data(as_text=True)
        for drawing in drawings:
            source = re.search(rf'<figure>\n<img src="([^"]+/{drawing}\.zh_CN\.svg)" alt="[^"]+" width="\d+" '
                               rf'height="\d+" loading="lazy"', page).group(1)
            picture = client.get(source)
            assert picture.status_code == 200 and picture.mimetype == "image/svg+xml"
            assert picture.data == (folder / f"{drawing}.zh_CN.svg").read_bytes()
            picture.close()
