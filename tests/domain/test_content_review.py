"""Lesson review dates ("law as of", "last reviewed") and the check's warnings: citations without an
article or clause, lessons not reviewed for CONTENT_REVIEW_MONTHS. Warnings never refuse the content."""
from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.domain.content.check import add_months, check_tree, citation_parts_without_article
from portal.domain.content.sync import sync_content
from portal.models import Lesson
from tests.factories import make_org, make_user
from tests.conftest import FIXTURE_CONTENT

LESSON = "courses/sample-course/lessons/01-first.zh_CN.md"
LESSON_EN = "courses/sample-course/lessons/01-first.en.md"
BANK = "question_bank/sample.yaml"
TODAY = date(2026, 12, 7)


@pytest.fixture
def content(tmp_path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    return root


def front(root: Path, relative: str, extra: str) -> None:
    """Add lines to a lesson's front matter (after the summary)."""
    path = root / relative
    head, sep, rest = path.read_text(encoding="utf-8").partition("\n---\n")
    path.write_text(head + "\n" + extra.rstrip("\n") + sep + rest, encoding="utf-8")


def line_of(root: Path, relative: str, needle: str) -> int:
    lines = (root / relative).read_text(encoding="utf-8").splitlines()
    return next(n for n, text in enumerate(lines, start=1) if needle in text)


def strings(items) -> list[str]:
    return [str(item) for item in items]


def test_the_loader_reads_both_dates(content):
    front(content, LESSON, "law_as_of: 2021-04-29\nlast_reviewed: '2026-12-07'")
    tree = check_tree(content, today=TODAY)
    assert tree.problems == []
    lesson = tree.courses[0].lessons["01-first"]["zh_CN"]
    assert (lesson.law_as_of, lesson.last_reviewed) == (date(2021, 4, 29), date(2026, 12, 7))


@pytest.mark.parametrize("value", ["2026-13-01", "soon", "2026-12-07 10:00:00", "[2026]"])
def test_the_loader_refuses_what_is_not_a_date(content, value):
    front(content, LESSON, f"last_reviewed: {value}")
    line = line_of(content, LESSON, "last_reviewed:")
    assert f"{LESSON}:{line}: last_reviewed: a date written YYYY-MM-DD" in strings(check_tree(content, today=TODAY).problems)


def test_a_review_in_the_future_is_refused(content):
    front(content, LESSON, "last_reviewed: 2027-01-01")
    line = line_of(content, LESSON, "last_reviewed:")
    assert f"{LESSON}:{line}: last_reviewed: a date in the future" in strings(check_tree(content, today=TODAY).problems)


def test_the_dates_are_optional_but_a_lesson_without_review_is_warned(content):
    tree = check_tree(content, today=TODAY)
    assert tree.problems == []
    assert f"{LESSON}:2: warning: lesson has no last_reviewed date: review it against the current law" in strings(tree.warnings)
    assert not any(w.path == LESSON_EN for w in tree.warnings)  # one warning per lesson, at its primary file


def test_an_old_review_is_warned_at_its_line(content):
    front(content, LESSON, "last_reviewed: 2025-12-06")
    line = line_of(content, LESSON, "last_reviewed:")
    warnings = strings(check_tree(content, today=TODAY).warnings)
    assert (f"{LESSON}:{line}: warning: last reviewed 2025-12-06, more than 12 months ago: "
            "review it against the current law") in warnings
    assert not any(LESSON in w for w in strings(check_tree(content, today=TODAY, review_months=24).warnings))


def test_a_review_exactly_the_limit_ago_is_not_yet_warned(content):
    front(content, LESSON, "last_reviewed: 2025-12-07")
    assert not any(LESSON in w for w in strings(check_tree(content, today=TODAY).warnings))
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)


def test_a_source_without_article_is_warned_at_its_line(content):
    line = line_of(content, BANK, "source: GB/T 4968-2008")
    warnings = strings(check_tree(content, today=TODAY).warnings)
    assert f"{BANK}:{line}: warning: source names no article or clause: GB/T 4968-2008" in warnings


def test_lesson_sources_are_checked_too(content):
    front(content, LESSON, "last_reviewed: 2026-12-01\nsources:\n  - 《消防法》第十七条\n  - GB 55037-2022《建筑防火通用规范》")
    line = line_of(content, LESSON, "GB 55037")
    warnings = strings(check_tree(content, today=TODAY).warnings)
    assert f"{LESSON}:{line}: warning: source names no article or clause: GB 55037-2022《建筑防火通用规范》" in warnings
    assert not any("第十七条" in w for w in warnings)


@pytest.mark.parametrize("source, missing", [
    ("《中华人民共和国消防法》第十九条", []),
    ("《消防监督检查规定》（公安部令第120号）第三条第二款", []),
    ("GB 50016《建筑设计防火规范》第7.1.8条", []),
    ("GB/T 40248-2021 7.3.5", []),
    ("GB 50140-2005《建筑灭火器配置设计规范》", ["GB 50140-2005《建筑灭火器配置设计规范》"]),
    ("公安部令第109号", ["公安部令第109号"]),  # 第109号 is the order's number, not an article
    ("《消防监督检查规定》第四章", ["《消防监督检查规定》第四章"]),  # a chapter is not an article
    ("《消防法》第二十八条；GB 50016《建筑设计防火规范》", ["GB 50016《建筑设计防火规范》"]),
])
def test_what_counts_as_naming_an_article(source, missing):
    assert citation_parts_without_article(source) == missing


def test_warnings_do_not_change_the_exit_status(app, content):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["content", "check", "--root", str(content)])
    assert result.exit_code == 0, result.output
    assert "warning: source names no article or clause" in result.output and "content ok" in result.output
    path = content / "courses/sample-course/course.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("level: basic", "level: expert", 1), encoding="utf-8")
    result = runner.invoke(args=["content", "check", "--root", str(content)])
    assert result.exit_code == 1 and "warning:" in result.output and "level: one of" in result.output


def test_the_review_months_come_from_the_config(app, content):
    front(content, LESSON, "last_reviewed: 2026-01-01")
    app.config["CONTENT_REVIEW_MONTHS"] = 3
    result = app.test_cli_runner().invoke(args=["content", "check", "--root", str(content)])
    assert "last reviewed 2026-01-01, more than 3 months ago" in result.output and result.exit_code == 0


def test_sync_stores_the_dates_and_the_lesson_page_shows_them(session, client, login, content):
    front(content, LESSON, "law_as_of: 2021-04-29\nlast_reviewed: 2026-12-07")
    front(content, LESSON_EN, "law_as_of: 2021-04-29\nlast_reviewed: 2026-12-07")
    sync_content(session, content)
    lesson = session.scalar(select(Lesson).where(Lesson.slug == "01-first"))
    assert (lesson.law_as_of, lesson.last_reviewed) == (date(2021, 4, 29), date(2026, 12, 7))
    user = make_user("trainee", org=make_org())
    session.commit()
    login(user)
    client.set_cookie("lang", "en")
    page = client.get("/me/courses/sample-course/lessons/01-first").get_data(as_text=True)
    assert "Law as of 2021-04-29 · Last reviewed 2026-12-07" in page and 'class="muted lesson-review"' in page
    other = client.get("/me/courses/sample-course/lessons/02-second").get_data(as_text=True)
    assert "lesson-review" not in other  # no dates, no footer
