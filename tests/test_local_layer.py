"""The local layer (courses/local-jilin, question_bank/local-jilin.yaml, the `local-jilin` entries of the rules)
comes out as courses/README.md promises: the rest of the curriculum and the rules stand without it."""
from __future__ import annotations

import re
import shutil
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from portal.config import PROJECT_ROOT
from portal.domain.workforce import schedule
from portal.domain.content.check import check_tree
from portal.domain.content.sync import sync_content
from portal.domain.workforce.rules import RuleProblems, parse_rules, repository_rules_text, rules_document
from portal.models import Assignment, Course, Question
from tests.factories import make_org, make_trainee

LOCAL = "local-jilin"
NOW = datetime(2026, 12, 7, 2, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def without_local(tmp_path_factory):
    """A copy of the shipped curriculum with the local course folder and its question banks and pictures removed."""
    root = tmp_path_factory.mktemp("content")
    shutil.copytree(PROJECT_ROOT / "courses", root / "courses", ignore=shutil.ignore_patterns(LOCAL))
    shutil.copytree(PROJECT_ROOT / "question_bank", root / "question_bank",
                    ignore=shutil.ignore_patterns(f"{LOCAL}.yaml", f"{LOCAL}-*.yaml", "jl-*"))
    return root


def rules_without_local() -> str:
    """The swap step for the rules: delete `local-jilin` from the course lists (and nothing else)."""
    return re.sub(rf",\s*{LOCAL}\b", "", repository_rules_text())


def test_the_local_layer_is_one_folder_and_one_bank(without_local):
    shipped = check_tree(PROJECT_ROOT)
    local = [course for course in shipped.courses if course.data["id"] == LOCAL]
    assert [course.path.parent.name for course in local] == [LOCAL]
    local_tags = {pool["tag"] for pool in local[0].data["quiz"]["pools"]}
    # no other course draws from the local bank, and the local bank serves only the local course
    others = [course for course in shipped.courses if course.data["id"] != LOCAL]
    assert not local_tags & {pool["tag"] for course in others for pool in course.data["quiz"]["pools"]}
    for bank in shipped.banks:
        tags = {tag for question in bank.questions for tag in question["tags"]}
        # its picture questions sit beside it in local-jilin-images.yaml, as every course's do
        local_bank = bank.path.name == f"{LOCAL}.yaml" or bank.path.name.startswith(f"{LOCAL}-")
        assert local_bank == bool(tags & local_tags), bank.path


def test_the_curriculum_checks_without_the_local_layer(without_local):
    tree = check_tree(without_local)
    assert [str(problem) for problem in tree.problems] == []
    assert LOCAL not in {course.data["id"] for course in tree.courses}
    assert len(tree.courses) == len(check_tree(PROJECT_ROOT).courses) - 1


def test_the_rules_name_the_local_course_only_in_course_lists():
    shipped, trimmed = parse_rules(repository_rules_text()), parse_rules(rules_without_local())
    assert LOCAL in str(rules_document(shipped)) and LOCAL not in str(rules_document(trimmed))
    assert LOCAL in shipped.groups["grid_worker"].courses and LOCAL in shipped.groups["committee_staff"].courses
    assert trimmed.groups["grid_worker"].courses == ("grid-worker",)
    assert trimmed.groups["committee_staff"].courses == ("committee-staff",)


def test_a_removed_local_course_is_retired_and_its_assignments_closed(session, without_local):
    report = sync_content(session, PROJECT_ROOT)
    assert f"course {LOCAL}" in report.added
    grid = make_trainee(make_org(), groups=("grid_worker",))
    schedule.reconcile(session, grid, parse_rules(repository_rules_text()), now=NOW)
    assert _open_courses(session, grid) >= {"grid-worker", LOCAL}

    # the office removes the folder and the bank, then syncs: the course and its questions are retired
    report = sync_content(session, without_local)
    assert [line for line in report.retired if line.startswith("course ")] == [f"course {LOCAL}"]
    assert {line.split()[1].split("-")[0] for line in report.retired if line.startswith("question ")} == {"jl"}
    assert session.scalar(select(Course.retired).where(Course.code == LOCAL)) is True
    assert session.scalar(select(Question.retired).where(Question.code == "jl-001")) is True

    # rules that still name the course load and run: the course is skipped and its open assignment closed
    schedule.reconcile(session, grid, parse_rules(repository_rules_text()), now=NOW)
    assert LOCAL not in _open_courses(session, grid) and "grid-worker" in _open_courses(session, grid)

    # but the office cannot save rules naming a course that is gone: it is told which one
    live = set(session.scalars(select(Course.code).where(Course.retired.is_(False))))
    with pytest.raises(RuleProblems, match=LOCAL):
        parse_rules(repository_rules_text(), courses=live, strict=True)
    parse_rules(rules_without_local(), courses=live, strict=True)


def _open_courses(session, trainee) -> set[str]:
    return set(session.scalars(select(Course.code).join(Assignment, Assignment.course_id == Course.id)
                               .where(Assignment.trainee_id == trainee.id, Assignment.status == "open")))
