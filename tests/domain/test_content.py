"""flask content check / sync: one test per error kind (message and line), idempotence, atomicity."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.domain.content.check import check_tree
from portal.domain.content.render import render_lesson
from portal.domain.content.sync import ContentProblems, sync_content
from portal.models import Course, Lesson, Question, QuestionVersion
from tests.conftest import FIXTURE_CONTENT, media_url


@pytest.fixture
def content(tmp_path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems(root: Path) -> list[str]:
    return [str(p) for p in check_tree(root).problems]


COURSE = "courses/sample-course/course.yaml"
BANK = "question_bank/sample.yaml"


def line_of(root: Path, relative: str, needle: str) -> int:
    lines = (root / relative).read_text(encoding="utf-8").splitlines()
    return next(n for n, text in enumerate(lines, start=1) if needle in text)


def test_the_fixture_content_is_clean(content):
    assert problems(content) == []


def test_yaml_syntax_error_has_its_line(content):
    edit(content / COURSE, "level: basic", "level: [basic")
    assert any(p.startswith(f"{COURSE}:") and "invalid YAML" in p for p in problems(content))


def test_schema_error(content):
    edit(content / COURSE, "level: basic", "level: expert")
    assert problems(content) == [f"{COURSE}:{line_of(content, COURSE, 'level:')}: level: one of basic, advanced, special"]


def test_missing_translation(content):
    edit(content / COURSE, "en: Sample Course}", "en: ''}")
    assert problems(content) == [f"{COURSE}:2: title: missing translation 'en'"]


def test_duplicate_question_id(content):
    edit(content / BANK, "id: sample-002", "id: sample-001")
    found = problems(content)
    assert len(found) >= 1 and "duplicate question id 'sample-001'" in found[0]
    assert found[0].startswith(f"{BANK}:")


def test_missing_course_id(content):
    edit(content / COURSE, "id: sample-course\n", "")
    assert any("id: lowercase letters" in p for p in problems(content))


def test_answer_that_names_no_option(content):
    edit(content / BANK, "- a\n", "- z\n")
    found = problems(content)
    assert any("answer names no option: 'z'" in p for p in found)


def test_pool_that_cannot_supply_its_count(content):
    edit(content / COURSE, "{tag: sample.a, count: 2", "{tag: sample.a, count: 9")
    line = line_of(content, COURSE, "tag: sample.a")
    assert problems(content) == [f"{COURSE}:{line}: pool 'sample.a' asks for 9 questions but the bank has 4"]


def test_missing_lesson_file(content):
    (content / "courses/sample-course/lessons/02-second.en.md").unlink()
    line = line_of(content, COURSE, "- 02-second")
    assert problems(content) == [f"{COURSE}:{line}: lesson file does not exist: courses/sample-course/lessons/02-second.en.md"]


def test_unknown_question_type(content):
    edit(content / BANK, "type: single", "type: essay")
    assert any("unknown question type 'essay'" in p for p in problems(content))


def test_unknown_key_group_and_prerequisite(content):
    edit(content / COURSE, "groups: [all_staff]", "groups: [astronauts]")
    edit(content / COURSE, "prerequisites: []", "prerequisites: [no-such-course]")
    found = problems(content)
    assert any("unknown key group 'astronauts'" in p for p in found)
    assert any("prerequisite names no other course: 'no-such-course'" in p for p in found)


def test_lesson_without_front_matter(content):
    (content / "courses/sample-course/lessons/01-first.en.md").write_text("# no front matter\n", encoding="utf-8")
    assert problems(content) == ["courses/sample-course/lessons/01-first.en.md:1: a lesson starts with front matter "
                                 "between '---' lines (title, summary)"]


def test_check_command_exits_non_zero_with_file_line_messages(app, content):
    edit(content / COURSE, "level: basic", "level: expert")
    result = app.test_cli_runner().invoke(args=["content", "check", "--root", str(content)])
    assert result.exit_code == 1
    assert f"{COURSE}:{line_of(content, COURSE, 'level:')}: level: one of" in result.output


def test_sync_is_idempotent_and_reports_changes(session, content):
    first = sync_content(session, content)
    assert "course sample-course" in " ".join(first.added) and len(first.added) == 14  # 12 questions, 2 courses
    second = sync_content(session, content)
    assert second.lines() == []
    edit(content / BANK, "zh_CN: 示例问题1\n", "zh_CN: 示例问题一\n")
    third = sync_content(session, content)
    assert third.changed == ["question sample-001"]
    question = session.scalar(select(Question).where(Question.code == "sample-001"))
    assert session.scalar(select(func.count()).select_from(QuestionVersion)
                          .where(QuestionVersion.question_id == question.id)) == 2
    assert question.current_version.number == 2


def test_sync_retires_what_is_gone(session, content):
    sync_content(session, content)
    text = (content / BANK).read_text(encoding="utf-8")
    start = text.index("- id: sample-004")
    end = text.index("- id: sample-005")
    (content / BANK).write_text(text[:start] + text[end:], encoding="utf-8")
    report = sync_content(session, content)
    assert report.retired == ["question sample-004"]
    assert session.scalar(select(Question).where(Question.code == "sample-004")).retired


def test_sync_is_all_or_nothing(session, content):
    sync_content(session, content)
    session.commit()
    edit(content / COURSE, "zh_CN: 示例课程", "zh_CN: 新标题")
    edit(content / BANK, "type: single", "type: essay")
    with pytest.raises(ContentProblems):
        sync_content(session, content)
    session.rollback()
    assert session.scalar(select(Course.title_zh).where(Course.code == "sample-course")) == "示例课程"


def test_lessons_are_rendered_safe(session, content):
    lesson = content / "courses/sample-course/lessons/01-first.zh_CN.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + '\n<script>alert(1)</script>\n\n[x](javascript:alert(1))\n'
                      '<img src=x onerror="alert(1)">\n', encoding="utf-8")
    sync_content(session, content)
    html = session.scalar(select(Lesson.html_zh).where(Lesson.slug == "01-first"))
    tags = re.findall(r"<([a-z0-9]+)([^>]*)>", html)
    assert "script" not in {name for name, _attrs in tags}
    assert not any(re.search(r"\son\w+=", attrs) for _name, attrs in tags)
    assert 'href="javascript' not in html and "&lt;script&gt;" in html
    assert f'src="{media_url("diagram.svg")}"' in html


def test_render_keeps_tables_and_safe_links():
    html = render_lesson("|a|b|\n|-|-|\n|1|2|\n\n[ok](https://example.org)")
    assert "<table>" in html and 'rel="noopener noreferrer nofollow"' in html
