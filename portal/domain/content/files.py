"""Reading the content tree: course.yaml files, lessons with front matter, question banks."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from portal.domain.platform import yamlines
from portal.domain.content.questions import LANGS

FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n?(.*)\Z", re.S)


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str
    warning: bool = False  # a warning is printed like a problem but never refuses the content

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {'warning: ' if self.warning else ''}{self.message}"


@dataclass
class LessonText:
    path: Path
    title: str
    summary: str
    body: str
    body_line: int = 1  # the file line the body starts on
    media: list = field(default_factory=list)  # MediaRef of each picture, video and audio, filled by the check
    law_as_of: date | None = None  # the date of the newest law or standard the lesson was checked against
    last_reviewed: date | None = None  # when someone last checked the lesson against the law
    sources: list[tuple[int, str]] = field(default_factory=list)  # (file line, citation) from the front matter
    meta_lines: dict[str, int] = field(default_factory=dict)  # front-matter key -> file line


@dataclass
class CourseFile:
    path: Path
    data: Any
    lessons: dict[str, dict[str, LessonText]] = field(default_factory=dict)  # slug -> lang -> text


@dataclass
class QuestionFile:
    path: Path
    questions: list[Any]


@dataclass
class ContentTree:
    root: Path
    courses: list[CourseFile] = field(default_factory=list)
    banks: list[QuestionFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

    def problem(self, path: Path, line: int, message: str) -> None:
        self.problems.append(Problem(self.rel(path), line, message))

    def warn(self, path: Path, line: int, message: str) -> None:
        self.warnings.append(Problem(self.rel(path), line, message, warning=True))


def read_tree(root: Path) -> ContentTree:
    """Read every course and question file under root; syntax problems are collected, not raised."""
    tree = ContentTree(root=Path(root))
    for path in sorted((tree.root / "courses").glob("*/course.yaml")):
        data = _read_yaml(tree, path)
        if data is not None:
            tree.courses.append(CourseFile(path=path, data=data))
    for path in sorted((tree.root / "question_bank").glob("*.yaml")):
        data = _read_yaml(tree, path)
        if data is None:
            continue
        if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
            tree.problem(path, 1, "a question file holds a mapping with a 'questions' list")
            continue
        tree.banks.append(QuestionFile(path=path, questions=data["questions"]))
    return tree


def _read_yaml(tree: ContentTree, path: Path):
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        tree.problem(path, 1, "file is not UTF-8")
        return None
    try:
        return yamlines.load(text)
    except yamlines.YamlProblem as error:
        tree.problem(path, error.line, error.message)
        return None


def read_lesson(path: Path) -> tuple[LessonText | None, int, str]:
    """A lesson file's front matter and body; on failure (None, line, message)."""
    try:
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    except UnicodeDecodeError:
        return None, 1, "file is not UTF-8"
    match = FRONT_MATTER.match(text)
    if not match:
        return None, 1, "a lesson starts with front matter between '---' lines (title, summary)"
    try:
        meta = yamlines.load(match.group(1))
    except yamlines.YamlProblem as error:
        return None, error.line + 1, error.message
    if not isinstance(meta, dict) or not str(meta.get("title") or "").strip():
        return None, 2, "front matter needs a title"
    if not str(meta.get("summary") or "").strip():
        return None, 2, "front matter needs a summary"
    body_line = match.group(1).count("\n") + 4  # after the opening '---', the front matter, the closing '---'
    lines = {key: meta.line_of(key) + 1 for key in meta}  # +1: the opening '---'
    dates = {}
    for key in DATE_KEYS:
        value = meta.get(key)
        parsed = lesson_date(value)
        if value is not None and parsed is None:
            return None, lines[key], f"{key}: a date written YYYY-MM-DD"
        dates[key] = parsed
    sources = meta.get("sources", [])
    if isinstance(sources, str):
        sources = [sources]
    if not isinstance(sources, list) or not all(isinstance(s, str) and s.strip() for s in sources):
        return None, lines.get("sources", 2), "sources: a list of citations (law and article, standard and clause)"
    cited = [(meta["sources"].line_of(i) + 1 if hasattr(meta["sources"], "line_of") else lines["sources"], s.strip())
             for i, s in enumerate(sources)]
    return LessonText(path, str(meta["title"]).strip(), str(meta["summary"]).strip(), match.group(2), body_line,
                      sources=cited, meta_lines=lines, **dates), 0, ""


DATE_KEYS = ("law_as_of", "last_reviewed")


def lesson_date(value) -> date | None:
    """A front-matter date: YAML's own date (2026-12-07) or the same written as a quoted string; else None."""
    if isinstance(value, datetime):
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def lesson_path(course_dir: Path, slug: str, lang: str) -> Path:
    return course_dir / "lessons" / f"{slug}.{lang}.md"


__all__ = ["LANGS", "Problem", "ContentTree", "CourseFile", "QuestionFile", "LessonText", "read_tree",
           "read_lesson", "lesson_path"]
