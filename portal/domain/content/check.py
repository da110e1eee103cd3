"""`flask content check`: every problem in the content files, as file:line: message."""
from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import Path

from portal.domain.content import questions as qtypes
from portal.domain.content.files import (
    LANGS, ContentTree, CourseFile, LessonText, lesson_path, read_lesson, read_tree
)
from portal.domain.content.media import MediaRef, check_ref, find_media, question_media_folder
from portal.models import KEY_GROUPS

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$")
LEVELS = ("basic", "advanced", "special")
GRADING = ("all_or_nothing", "partial")
REVIEW = ("after_pass", "after_last_attempt", "always")
QUIZ_NUMBERS = {  # key: (minimum, maximum)
    "pass_mark": (1, 100), "time_limit_minutes": (0, 600), "attempts_allowed": (0, 100), "cooldown_minutes": (0, 10080),
}


# A citation names an article, paragraph or item (第十七条, 第三条第二款, 第二十一条第（五）项) or a standard's
# clause (5.2.3, 第7.1.8条); "GB 50016《建筑设计防火规范》" alone names none.
ARTICLE = re.compile(r"第[一二三四五六七八九十百千零〇两\d（）()]+[条款项]|(?<![\d-])\d+(?:\.\d+)+(?![\d-])")
CITATION_SPLIT = re.compile(r"[；;]")
REVIEW_MONTHS = 12
SVG_VIEWBOX = re.compile(rb"<svg\b[^>]*\sviewBox\s*=", re.I)
QUESTION_SVG_BYTES = 30 * 1024  # a schematic drawing; phones on weak networks load it in every quiz


def check_tree(root: Path, *, group_codes: set[str] | None = None, review_months: int = REVIEW_MONTHS,
               today: date | None = None) -> ContentTree:
    """Read and check the whole content tree; the tree's problems list is empty when all is well.

    Warnings (tree.warnings) never refuse the content: a citation that names no article or clause, a lesson
    last reviewed more than review_months ago or never."""
    tree = read_tree(root)
    groups = group_codes or {code for code, _zh, _en in KEY_GROUPS}
    today = today or date.today()
    tags = _check_questions(tree)
    course_ids = _course_ids(tree)
    for course in tree.courses:
        _check_course(tree, course, groups, course_ids, tags)
        for texts in course.lessons.values():
            _check_review(tree, texts, review_months, today)
    return tree


def citation_parts_without_article(source: str) -> list[str]:
    """The parts of a citation ('A第三条；B') that name no article or clause."""
    return [part.strip() for part in CITATION_SPLIT.split(source) if part.strip() and not ARTICLE.search(part)]


def _warn_citation(tree: ContentTree, path: Path, line: int, source: str) -> None:
    for part in citation_parts_without_article(source):
        tree.warn(path, line, f"source names no article or clause: {part}")


def add_months(day: date, months: int) -> date:
    """The same day of the month months later (the month's last day where it is shorter)."""
    import calendar

    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _check_review(tree: ContentTree, texts: dict[str, LessonText], review_months: int, today: date) -> None:
    """Per lesson (both files): the review date is the primary language's, else the translation's."""
    for lang in LANGS:
        lesson = texts.get(lang)
        if lesson is None:
            continue
        for line, source in lesson.sources:
            _warn_citation(tree, lesson.path, line, source)
        if lesson.last_reviewed and lesson.last_reviewed > today:
            tree.problem(lesson.path, lesson.meta_lines["last_reviewed"], "last_reviewed: a date in the future")
    dated = [texts[lang] for lang in LANGS if lang in texts and texts[lang].last_reviewed]
    if not dated:
        first = next((texts[lang] for lang in LANGS if lang in texts), None)
        if first is not None:
            tree.warn(first.path, 2, "lesson has no last_reviewed date: review it against the current law")
        return
    lesson = dated[0]
    if today > add_months(lesson.last_reviewed, review_months):
        tree.warn(lesson.path, lesson.meta_lines["last_reviewed"],
                  f"last reviewed {lesson.last_reviewed.isoformat()}, more than {review_months} months ago: "
                  "review it against the current law")


def _translated(tree: ContentTree, path: Path, mapping, key: str, line: int, label: str = "") -> None:
    value = mapping.get(key) if isinstance(mapping, dict) else None
    label = f"{label} {key}" if label and label != key else key
    if not isinstance(value, dict):
        tree.problem(path, line, f"{label}: needs a text in each of {', '.join(LANGS)}")
        return
    for lang in LANGS:
        if not str(value.get(lang) or "").strip():
            tree.problem(path, value.line_of(lang) if hasattr(value, "line_of") else line,
                         f"{label}: missing translation '{lang}'")


def _course_ids(tree: ContentTree) -> set[str]:
    seen: dict[str, str] = {}
    for course in tree.courses:
        data = course.data
        cid = data.get("id") if isinstance(data, dict) else None
        if isinstance(cid, str) and cid in seen:
            tree.problem(course.path, data.line_of("id"), f"duplicate course id {cid!r} (also in {seen[cid]})")
        elif isinstance(cid, str):
            seen[cid] = tree.rel(course.path)
    return set(seen)


def _check_course(tree, course: CourseFile, groups, course_ids, tags: Counter) -> None:
    data, path = course.data, course.path
    if not isinstance(data, dict):
        tree.problem(path, 1, "course.yaml holds a mapping")
        return
    if not isinstance(data.get("id"), str) or not ID_PATTERN.match(data["id"]):
        tree.problem(path, data.line_of("id"), "id: lowercase letters, digits and '-', 3-64 characters")
    for key in ("title", "summary"):
        _translated(tree, path, data, key, data.line_of(key))
    if data.get("level") not in LEVELS:
        tree.problem(path, data.line_of("level"), f"level: one of {', '.join(LEVELS)}")
    _check_groups(tree, path, data, groups)
    hours = data.get("credit_hours")
    if isinstance(hours, bool) or not isinstance(hours, (int, float)) or hours <= 0:
        tree.problem(path, data.line_of("credit_hours"), "credit_hours: a number greater than 0")
    for index, prerequisite in enumerate(data.get("prerequisites") or []):
        if prerequisite not in course_ids or prerequisite == data.get("id"):
            tree.problem(path, data["prerequisites"].line_of(index), f"prerequisite names no other course: {prerequisite!r}")
    _check_lessons(tree, course)
    _check_quiz(tree, path, data, tags)


def _check_groups(tree, path, data, groups) -> None:
    value = data.get("groups")
    if not isinstance(value, list) or not value:
        tree.problem(path, data.line_of("groups"), "groups: a list of key group codes")
        return
    for index, code in enumerate(value):
        if code not in groups:
            tree.problem(path, value.line_of(index), f"unknown key group {code!r}")


def _check_lessons(tree: ContentTree, course: CourseFile) -> None:
    data = course.data
    lessons = data.get("lessons")
    if not isinstance(lessons, list) or not lessons:
        tree.problem(course.path, data.line_of("lessons"), "lessons: a list of lesson file stems")
        return
    for index, slug in enumerate(lessons):
        line = lessons.line_of(index)
        if not isinstance(slug, str) or slug in course.lessons:
            tree.problem(course.path, line, f"lesson listed twice or not a name: {slug!r}")
            continue
        course.lessons[slug] = {}
        for lang in LANGS:
            file = lesson_path(course.path.parent, slug, lang)
            if not file.exists():
                tree.problem(course.path, line, f"lesson file does not exist: {tree.rel(file)}")
                continue
            lesson, bad_line, message = read_lesson(file)
            if lesson is None:
                tree.problem(file, bad_line, message)
            else:
                course.lessons[slug][lang] = lesson
                _check_media(tree, lesson)


def _check_media(tree: ContentTree, lesson: LessonText) -> None:
    """The lesson's pictures, video and audio (kept on the lesson for the sync)."""
    refs, problems = find_media(lesson.body, lesson.body_line)
    problems += [problem for ref in refs for problem in check_ref(ref, lesson.path.parent)]
    for line, message in sorted(problems):
        tree.problem(lesson.path, line, message)
    lesson.media = refs


def _check_quiz(tree, path, data, tags: Counter) -> None:
    quiz = data.get("quiz")
    if not isinstance(quiz, dict):
        tree.problem(path, data.line_of("quiz"), "quiz: a mapping with pools, pass_mark and limits")
        return
    for key, (low, high) in QUIZ_NUMBERS.items():
        value = quiz.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            tree.problem(path, quiz.line_of(key), f"quiz.{key}: a whole number from {low} to {high}")
    if quiz.get("multiple_grading", "all_or_nothing") not in GRADING:
        tree.problem(path, quiz.line_of("multiple_grading"), f"quiz.multiple_grading: one of {', '.join(GRADING)}")
    if quiz.get("review", "after_pass") not in REVIEW:
        tree.problem(path, quiz.line_of("review"), f"quiz.review: one of {', '.join(REVIEW)}")
    for key in ("shuffle_options", "allow_practice", "test_out"):
        if key in quiz and not isinstance(quiz[key], bool):
            tree.problem(path, quiz.line_of(key), f"quiz.{key}: true or false")
    _check_pools(tree, path, quiz, tags, data)


def _check_pools(tree, path, quiz, tags: Counter, data) -> None:
    pools = quiz.get("pools")
    if not isinstance(pools, list) or not pools:
        tree.problem(path, quiz.line_of("pools"), "quiz.pools: a list of {tag, count}")
        return
    lessons = set(data.get("lessons") or [])
    for pool in pools:
        if not isinstance(pool, dict):
            tree.problem(path, pools.line, "each pool is a mapping {tag, count}")
            continue
        count, tag = pool.get("count"), pool.get("tag")
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            tree.problem(path, pool.line_of("count"), "pool count: a whole number of at least 1")
        elif tags.get(tag, 0) < count:
            tree.problem(path, pool.line_of("tag"),
                         f"pool {tag!r} asks for {count} questions but the bank has {tags.get(tag, 0)}")
        if "lesson" in pool and pool["lesson"] not in lessons:
            tree.problem(path, pool.line_of("lesson"), f"pool lesson names no lesson of this course: {pool['lesson']!r}")


def _check_questions(tree: ContentTree) -> Counter:
    """Check every question; returns how many valid questions carry each tag."""
    seen: dict[str, str] = {}
    tags: Counter = Counter()
    for bank in tree.banks:
        for index, question in enumerate(bank.questions):
            line = bank.questions.line_of(index)
            if not isinstance(question, dict):
                tree.problem(bank.path, line, "each question is a mapping")
                continue
            qid = question.get("id")
            if not isinstance(qid, str) or not ID_PATTERN.match(qid):
                tree.problem(bank.path, line, "question id: lowercase letters, digits and '-', 3-64 characters")
            elif qid in seen:
                tree.problem(bank.path, question.line_of("id"), f"duplicate question id {qid!r} (first in {seen[qid]})")
                continue
            else:
                seen[qid] = tree.rel(bank.path)
            if _check_question(tree, bank.path, question) and not question.get("retired"):
                tags.update(set(question["tags"]))
    return tags


def _check_question_image(tree: ContentTree, path: Path, question) -> None:
    """The picture of an image question: in question_bank/media/, readable, plain if SVG, with its licence."""
    image = question.get("image")
    name = str(image.get("file") or "") if isinstance(image, dict) else ""
    if not name:
        return  # the registry's check has said what is missing
    line = image.line_of("file") if "file" in image else question.line_of("image")
    folder = question_media_folder(tree.root)
    for problem_line, message in check_ref(MediaRef("image", line, name, alt="-"), folder):
        tree.problem(path, problem_line, message.replace("beside the lesson", "in question_bank/media/"))
    if not (folder / name).is_file():
        return
    if not (folder / f"{name}.license").is_file():
        tree.problem(path, line, f"picture {name} needs its licence beside it: question_bank/media/{name}.license "
                                 "(SPDX-FileCopyrightText and SPDX-License-Identifier lines)")
    if name.lower().endswith(".svg"):
        data = (folder / name).read_bytes()
        if not SVG_VIEWBOX.search(data):
            tree.problem(path, line, f"picture {name}: an SVG needs a viewBox, so that it scales to a phone's width")
        if len(data) > QUESTION_SVG_BYTES:
            tree.warn(path, line, f"picture {name} is larger than {QUESTION_SVG_BYTES // 1024} KB: simplify the drawing")


def _check_question(tree: ContentTree, path: Path, question) -> bool:
    problems = question_problems(question)
    for keys, message, warning in problems:
        (tree.warn if warning else tree.problem)(path, line_at(question, keys), message)
    if question.get("type") == "image":
        _check_question_image(tree, path, question)
    return not any(not warning for _keys, _message, warning in problems)


def question_problems(question: dict) -> list[tuple[tuple, str, bool]]:
    """Every problem of one question as a bank file holds it: (the keys leading to it, message, is a warning).

    The one check of a question, for the files, an upload and the office's editor alike."""
    found: list[tuple[tuple, str, bool]] = []
    qtype = question.get("type")
    if qtype not in qtypes.REGISTRY:
        return [(("type",), f"unknown question type {qtype!r}", False)]
    for keys, label in qtypes.translated_texts(question):
        value = value_at(question, keys)
        if keys == ("explanation",) and not _has_text(value):  # a GIFT file often has none
            found.append((keys, "explanation: none; trainees see no explanation after answering", True))
        else:
            found += _question_text(value, keys, label)
    found += [(_keys(key), message, False) for key, message in qtypes.get(qtype).check(question)]
    if "exam_only" in question and not isinstance(question["exam_only"], bool):
        found.append((("exam_only",), "exam_only: true or false (true: never in practice)", False))
    if "retired" in question and not isinstance(question["retired"], bool):
        found.append((("retired",), "retired: true or false (true: never drawn for a new quiz)", False))
    if question.get("difficulty") not in (1, 2, 3):
        found.append((("difficulty",), "difficulty: 1, 2 or 3", False))
    tag_list = question.get("tags")
    if not isinstance(tag_list, list) or not tag_list or not all(isinstance(t, str) and t for t in tag_list):
        found.append((("tags",), "tags: a list of at least one tag", False))
    if not str(question.get("source") or "").strip():
        found.append((("source",), "source: the regulation article or standard it rests on", False))
    else:
        found += [(("source",), f"source names no article or clause: {part}", True)
                  for part in citation_parts_without_article(str(question["source"]))]
    return found


def _has_text(value) -> bool:
    return isinstance(value, dict) and any(str(value.get(lang) or "").strip() for lang in LANGS)


def _question_text(value, keys: tuple, name: str) -> list[tuple[tuple, str, bool]]:
    """A question's text needs Chinese; a missing English text is a warning (English readers see the Chinese)."""
    primary, other = LANGS
    if not isinstance(value, dict):
        return [(keys, f"{name}: needs a text in {primary} (and {other})", False)]
    if not str(value.get(primary) or "").strip():
        return [(keys + (primary,), f"{name}: missing translation '{primary}'", False)]
    if not str(value.get(other) or "").strip():
        return [(keys + (other,), f"{name}: missing translation '{other}': English readers see the Chinese text",
                 True)]
    return []


def _keys(dotted: str) -> tuple:
    """A registry's nested key ("parts.0.answer") as the keys leading to it (list positions as numbers)."""
    return tuple(int(step) if step.isdigit() else step for step in dotted.split("."))


def value_at(mapping, keys: tuple):
    """The value these keys lead to, or None where the question does not have them."""
    node = mapping
    for key in keys:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def line_at(mapping, keys: tuple) -> int:
    """The file line of the deepest of these keys that the file knows (LineDict/LineList carry lines)."""
    line = getattr(mapping, "line", 1)
    node = mapping
    for key in keys:
        if not hasattr(node, "line_of"):
            break
        try:
            line = node.line_of(key)
            node = node[key]
        except (KeyError, IndexError, TypeError):
            break
    return line
