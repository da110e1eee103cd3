"""`flask content sync`: check, then upsert courses, lessons and questions in one transaction.

Questions are versioned: a changed question gets a new QuestionVersion and attempts keep
pointing at the version they showed. Content no longer in the files is retired, never deleted.
The files lessons show (pictures, video, audio, captions) are stored in the same transaction, so a
sync that fails leaves the old pages and the files they name together.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.content.check import check_tree
from portal.domain.content.files import ContentTree, CourseFile
from portal.domain.content.imagesize import image_size
from portal.domain.content.media import MediaSet, add_question_pictures, load_media, question_media_folder
from portal.domain.content.render import RENDER_VERSION, render_labels, render_lesson
from portal.domain.content.stored_media import store_media
from portal.domain.errors import ValidationError
from portal.models import Course, KeyGroup, Lesson, Question, QuestionTag, QuestionVersion

QUIZ_DEFAULTS = {
    "time_limit_minutes": 0, "attempts_allowed": 0, "cooldown_minutes": 0, "shuffle_options": True,
    "multiple_grading": "all_or_nothing", "review": "after_pass", "allow_practice": False, "test_out": False,
}


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return ([f"added {x}" for x in self.added] + [f"changed {x}" for x in self.changed]
                + [f"retired {x}" for x in self.retired])


class ContentProblems(ValidationError):
    def __init__(self, tree: ContentTree):
        super().__init__(f"{len(tree.problems)} problem(s) in the content files")
        self.problems = tree.problems


def plain(value):
    """LineDict/LineList to plain dict/list (JSON-ready)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def sync_content(session: Session, root: Path) -> SyncReport:
    """Check the tree, then bring the database in line with it (flushed; the caller commits)."""
    groups = {g.code: g for g in session.scalars(select(KeyGroup))}
    tree = check_tree(root, group_codes=set(groups))
    if tree.problems:
        raise ContentProblems(tree)
    report = SyncReport()
    pictures = _sync_questions(session, tree, report)
    live = set()
    labels = render_labels()
    for course_file in tree.courses:
        live.add(_sync_course(session, course_file, groups, report, labels, pictures, question_media_folder(root)))
    for course in session.scalars(select(Course).where(Course.retired.is_(False))):
        if course.code not in live:
            course.retired = True
            report.retired.append(f"course {course.code}")
    session.flush()
    return report


def _sync_course(session: Session, course_file: CourseFile, groups, report: SyncReport, labels,
                 pictures: dict[str, set[str]], picture_folder: Path) -> str:
    data = plain(course_file.data)
    code = data["id"]
    course = session.scalar(select(Course).where(Course.code == code))
    refs = [ref for texts in course_file.lessons.values() for text in texts.values() for ref in text.media]
    media = load_media(course_file.path.parent / "lessons", refs, base_url=f"/me/courses/{code}/media")
    # the pictures of the image questions its quiz may draw are served with the course's own files
    drawn = sorted(set().union(*(pictures.get(pool["tag"], set()) for pool in data["quiz"]["pools"])))
    add_question_pictures(media, picture_folder, drawn)
    fingerprint = digest({"course": data, "lessons": {s: {lang: (t.title, t.summary, t.body, str(t.law_as_of),
                                                                 str(t.last_reviewed)) for lang, t in texts.items()}
                                                     for s, texts in course_file.lessons.items()},
                          "media": media.fingerprint(), "render": [RENDER_VERSION, labels]})
    if course is None:
        course = Course(code=code)
        session.add(course)
        report.added.append(f"course {code}")
    elif course.content_hash != fingerprint or course.retired:
        report.changed.append(f"course {code}")
    else:
        return code
    quiz = {**QUIZ_DEFAULTS, **data["quiz"]}
    course.slug = course_file.path.parent.name
    course.title_zh, course.title_en = data["title"]["zh_CN"], data["title"]["en"]
    course.summary_zh, course.summary_en = data["summary"]["zh_CN"], data["summary"]["en"]
    course.level, course.credit_hours = data["level"], float(data["credit_hours"])
    course.prerequisites, course.quiz, course.retired = list(data.get("prerequisites") or []), quiz, False
    course.groups = [groups[c] for c in data["groups"]]
    course.content_hash = fingerprint
    session.flush()
    _sync_lessons(session, course, course_file, media, labels)
    store_media(session, course, media)
    return code


def _sync_lessons(session: Session, course: Course, course_file: CourseFile, media: MediaSet, labels) -> None:
    existing = {lesson.slug: lesson for lesson in course.lessons}
    for position, (slug, texts) in enumerate(course_file.lessons.items(), start=1):
        lesson = existing.pop(slug, None) or Lesson(course=course, slug=slug, position=position)
        zh, en = texts["zh_CN"], texts["en"]
        lesson.position, lesson.retired = position, False
        lesson.title_zh, lesson.title_en = zh.title, en.title
        lesson.summary_zh, lesson.summary_en = zh.summary, en.summary
        lesson.html_zh = render_lesson(zh.body, media=media, lang="zh_CN", labels=labels)
        lesson.html_en = render_lesson(en.body, media=media, lang="en", labels=labels)
        lesson.law_as_of = zh.law_as_of or en.law_as_of  # the primary language's, else the translation's
        lesson.last_reviewed = zh.last_reviewed or en.last_reviewed
        lesson.content_hash = digest([zh.body, en.body, media.fingerprint()])
        session.add(lesson)
    for lesson in existing.values():  # kept for history (progress rows point at it), hidden from trainees
        lesson.retired = True
        lesson.position = 1000 + lesson.id


def _sync_questions(session: Session, tree: ContentTree, report: SyncReport) -> dict[str, set[str]]:
    """Upsert every question; returns the picture files of the image questions, by tag."""
    questions = {q.code: q for q in session.scalars(select(Question))}
    live = set()
    pictures: dict[str, set[str]] = {}
    for bank in tree.banks:
        for raw in bank.questions:
            data = plain(raw)
            live.add(data["id"])
            if isinstance(data.get("image"), dict):
                # the picture's hash is part of the question: a redrawn picture makes a new version
                name = data["image"]["file"]
                picture = (question_media_folder(tree.root) / name).read_bytes()
                data["image"]["sha256"] = hashlib.sha256(picture).hexdigest()
                data["image"]["size"] = list(image_size(picture, Path(name).suffix.lower()))  # the page keeps its place
                for tag in data["tags"]:
                    pictures.setdefault(tag, set()).add(name)
            _upsert_question(session, questions.get(data["id"]), data, tree.rel(bank.path), report)
    for code, question in questions.items():
        if code not in live and not question.retired:
            question.retired = True
            report.retired.append(f"question {code}")
    return pictures


def _upsert_question(session: Session, question: Question | None, data: dict, source_file: str, report) -> None:
    fingerprint = digest(data)
    if question is None:
        question = Question(code=data["id"], source_file=source_file)
        session.add(question)
        session.flush()
        number = 1
        report.added.append(f"question {data['id']}")
    elif question.current_version is not None and question.current_version.content_hash == fingerprint:
        if question.retired:
            question.retired = False
            report.changed.append(f"question {data['id']}")
        return
    else:
        number = 1 + max((v for v in session.scalars(
            select(QuestionVersion.number).where(QuestionVersion.question_id == question.id))), default=0)
        report.changed.append(f"question {data['id']}")
    version = QuestionVersion(question_id=question.id, number=number, qtype=data["type"],
                              difficulty=data["difficulty"], data=data, content_hash=fingerprint)
    session.add(version)
    session.flush()
    question.current_version = version
    question.retired = False
    question.source_file = source_file
    wanted = list(dict.fromkeys(data["tags"]))
    for tag_row in [t for t in question.tags if t.tag not in wanted]:
        question.tags.remove(tag_row)
    have = {t.tag for t in question.tags}
    question.tags.extend(QuestionTag(tag=tag) for tag in wanted if tag not in have)
    session.flush()
