"""`flask content sync`: check, then upsert courses, lessons and questions in one transaction.

Questions are versioned: a changed question gets a new QuestionVersion and attempts keep
pointing at the version they showed. Content no longer in the files is retired, never deleted.
The files lessons show (pictures, video, audio, captions) are stored in the same transaction, so a
sync that fails leaves the old pages and the files they name together.
"""
from __future__ import annotations

import hashlib
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
from portal.domain.content.versions import add_version, digest, new_question, version_data
from portal.domain.platform.errors import ValidationError
from portal.models import Course, KeyGroup, Lesson, Question

QUIZ_DEFAULTS = {
    "time_limit_minutes": 0, "attempts_allowed": 0, "cooldown_minutes": 0, "shuffle_options": True,
    "multiple_grading": "all_or_nothing", "review": "after_pass", "allow_practice": False, "test_out": False,
}


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # the office's edit or retirement, where the file did not change

    def lines(self) -> list[str]:
        return ([f"added {x}" for x in self.added] + [f"changed {x}" for x in self.changed]
                + [f"retired {x}" for x in self.retired] + [f"kept {x}" for x in self.kept])


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
            _sync_question(session, questions.get(data["id"]), data, tree.rel(bank.path), report)
    for code, question in questions.items():
        # a question the office created and no file holds yet (file_hash "") is not the files' to retire
        if code not in live and not question.retired and question.file_hash:
            question.retired = True
            report.retired.append(f"question {code}")
    return pictures


def _sync_question(session: Session, question: Question | None, data: dict, source_file: str,
                   report: SyncReport) -> None:
    """The file wins when it changed since the last sync; otherwise the office's edit and retirement stand."""
    file_hash, retired = digest(data), bool(data.get("retired", False))
    code = data["id"]
    if question is not None and question.file_hash == file_hash:
        edited = question.current_version is not None and question.current_version.content_hash != digest(
            version_data(data))
        if edited or (question.office_set_retired and question.retired != retired):
            report.kept.append(f"question {code} ({'retired' if question.retired else 'edited'} in the office; "
                               "the file has not changed since the last sync)")
        if not question.office_set_retired and question.retired != retired:
            question.retired = retired  # back in the files after being retired for leaving them
            report.changed.append(f"question {code}")
        return
    added = question is None
    if added:
        question = new_question(session, code, source_file)
        report.added.append(f"question {code}")
    version = add_version(session, question, data, origin="file")
    if not added and (version is not None or question.retired != retired):
        report.changed.append(f"question {code}")
    question.retired, question.office_set_retired = retired, False
    question.file_hash, question.source_file = file_hash, source_file
    session.flush()
