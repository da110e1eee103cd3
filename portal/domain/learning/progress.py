"""Reading lessons and finishing courses: progress, 'continue where you left off', completion."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.orm import Session

from portal.domain.learning import hooks
from portal.domain.platform.localtime import local_date
from portal.domain.platform.sql import INSERT_ON_CONFLICT
from portal.models import Attempt, Certificate, Completion, Course, Lesson, LessonProgress, Trainee

ASYNC_COMMIT = text("SET LOCAL synchronous_commit TO OFF")


@dataclass(frozen=True)
class LessonCount:
    """How far a trainee is through a course, as numbers only (the home page's course cards)."""

    read: int  # live lessons read
    total: int  # live lessons

    @property
    def done(self) -> bool:
        return self.total > 0 and self.read == self.total

    @property
    def percent(self) -> int:
        return round(100 * self.read / self.total) if self.total else 0


@dataclass
class CourseProgress:
    lessons: list[Lesson]
    read: set[int]
    resume: Lesson | None  # the first unread lesson, or None when all are read

    @property
    def count(self) -> LessonCount:
        return LessonCount(read=len(self.read), total=len(self.lessons))

    @property
    def done(self) -> bool:
        return self.count.done

    @property
    def percent(self) -> int:
        return self.count.percent


def live_lessons(course: Course) -> list[Lesson]:
    return [lesson for lesson in course.lessons if not lesson.retired]


def _progress_of(course: Course, read: set[int]) -> CourseProgress:
    lessons = live_lessons(course)
    resume = next((lesson for lesson in lessons if lesson.id not in read), None)
    return CourseProgress(lessons=lessons, read=read & {lesson.id for lesson in lessons}, resume=resume)


# Built once, with bound parameters: every course page reads it.
_READ_IN_COURSE = select(LessonProgress.lesson_id).where(
    LessonProgress.person_id == bindparam("person_key"), LessonProgress.read_at.is_not(None),
    LessonProgress.course_id == bindparam("course_key"))


def course_progress(session: Session, trainee: Trainee, course: Course) -> CourseProgress:
    """Which lessons the trainee has read and where to continue."""
    read = set(session.scalars(_READ_IN_COURSE, {"person_key": trainee.person_id, "course_key": course.id}))
    return _progress_of(course, read)


# Live lessons and the trainee's read ones per course, counted by the database (no lesson rows loaded).
_LESSON_COUNTS = (
    select(Lesson.course_id, func.count(Lesson.id), func.count(LessonProgress.read_at))
    .outerjoin(LessonProgress, (LessonProgress.lesson_id == Lesson.id)
               & (LessonProgress.person_id == bindparam("person_key")))
    .where(Lesson.course_id.in_(bindparam("course_keys", expanding=True)), Lesson.retired.is_(False))
    .group_by(Lesson.course_id)
)


def lesson_counts(session: Session, trainee: Trainee, courses: list[Course]) -> list[tuple[Course, LessonCount]]:
    """Read and live lessons of each course, in one aggregate query (the trainee's home page)."""
    counts: dict[int, LessonCount] = {}
    if courses:
        counts = {course_id: LessonCount(read=read, total=total) for course_id, total, read in session.execute(
            _LESSON_COUNTS, {"person_key": trainee.person_id, "course_keys": [course.id for course in courses]})}
    return [(course, counts.get(course.id, LessonCount(read=0, total=0))) for course in courses]


def progress_row(session: Session, trainee: Trainee, lesson: Lesson, now: datetime) -> LessonProgress:
    # populate_existing: open_lesson writes the row without the ORM, so a copy in the session may be stale.
    row = session.scalar(select(LessonProgress).where(
        LessonProgress.person_id == trainee.person_id, LessonProgress.lesson_id == lesson.id)
        .execution_options(populate_existing=True))
    if row is None:
        row = LessonProgress(person_id=trainee.person_id, lesson_id=lesson.id, course_id=lesson.course_id,
                             opened_at=now, last_seen_at=now, seconds_spent=0)
        session.add(row)
    return row


def open_lesson(session: Session, trainee: Trainee, lesson: Lesson, *, now: datetime) -> datetime | None:
    """Record that the lesson was opened (time is counted from here); returns when it was read, if it was."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        # Every lesson view writes this timestamp: not worth waiting for the disk. A crash may lose the
        # last fraction of a second of them, which only shortens a counted reading time.
        session.execute(ASYNC_COMMIT)
    if dialect not in INSERT_ON_CONFLICT:
        row = progress_row(session, trainee, lesson, now)
        row.last_seen_at = now
        session.flush()
        return row.read_at
    # One statement instead of a SELECT and an UPDATE (or INSERT) on the lesson page, every time.
    return session.scalar(_seen_upsert(dialect), {
        "seen_person": trainee.person_id, "seen_lesson": lesson.id, "seen_course": lesson.course_id, "seen_at": now})


_SEEN_UPSERTS: dict[str, object] = {}


def _seen_upsert(dialect: str):
    """INSERT the progress row, or UPDATE its last_seen_at; RETURNING read_at. Built once per dialect."""
    statement = _SEEN_UPSERTS.get(dialect)
    if statement is None:
        seen_at = bindparam("seen_at", type_=LessonProgress.last_seen_at.type)
        statement = INSERT_ON_CONFLICT[dialect](LessonProgress).values(
            person_id=bindparam("seen_person"), lesson_id=bindparam("seen_lesson"),
            course_id=bindparam("seen_course"), opened_at=seen_at, last_seen_at=seen_at, seconds_spent=0)
        statement = statement.on_conflict_do_update(
            index_elements=[LessonProgress.person_id, LessonProgress.lesson_id],
            set_={LessonProgress.last_seen_at: statement.excluded.last_seen_at},
        ).returning(LessonProgress.read_at)
        _SEEN_UPSERTS[dialect] = statement
    return statement


def mark_read(session: Session, trainee: Trainee, lesson: Lesson, *, now: datetime) -> LessonProgress:
    """Mark a lesson read (idempotent); may complete the course. Study time is counted apart (study_time)."""
    row = progress_row(session, trainee, lesson, now)
    if row.read_at is None:
        row.read_at = now
    session.flush()
    maybe_complete(session, trainee, lesson.course, now=now)
    return row


# What maybe_complete decides on, in one statement: the best passed attempt (no row: none), the course's live
# lessons and those read, and the latest online completion earned by a quiz. Built once.
_PASSED = (select(Attempt).where(Attempt.person_id == bindparam("person_key"),
                                 Attempt.course_id == bindparam("course_key"), Attempt.status == "graded",
                                 Attempt.passed.is_(True), Attempt.practice.is_(False))
           .order_by(Attempt.score.desc(), Attempt.id).limit(1))
_LIVE_LESSONS = (select(func.count(Lesson.id))
                 .where(Lesson.course_id == bindparam("course_key"), Lesson.retired.is_(False))
                 .correlate(None).scalar_subquery())
_LESSONS_READ = (select(func.count(LessonProgress.read_at))
                 .join(Lesson, LessonProgress.lesson_id == Lesson.id)
                 .where(LessonProgress.person_id == bindparam("person_key"),
                        Lesson.course_id == bindparam("course_key"), Lesson.retired.is_(False))
                 .correlate(None).scalar_subquery())
_LATEST_QUIZ_COMPLETION = (
    select(Completion.id).where(Completion.person_id == bindparam("person_key"),
                                Completion.course_id == bindparam("course_key"), Completion.mode == "online",
                                Completion.attempt_id.is_not(None))
    .order_by(Completion.id.desc()).limit(1).correlate(None).scalar_subquery())
_COMPLETION_STATE = (_PASSED.add_columns(_LIVE_LESSONS, _LESSONS_READ, Completion)
                     .outerjoin(Completion, Completion.id == _LATEST_QUIZ_COMPLETION))


def best_passed_attempt(session: Session, trainee: Trainee, course: Course) -> Attempt | None:
    return session.scalar(_PASSED, {"person_key": trainee.person_id, "course_key": course.id})


def maybe_complete(session: Session, trainee: Trainee, course: Course, *, now: datetime) -> Completion | None:
    """Record a Completion once every lesson is read and the quiz is passed; the best attempt counts.

    The new completion goes to the completion's handlers unflushed: the schedule's (run first) gives it its
    validity before it is written, so one INSERT carries it."""
    row = session.execute(_COMPLETION_STATE, {"person_key": trainee.person_id, "course_key": course.id}).first()
    if row is None:
        return None
    attempt, total, read, completion = row
    if not LessonCount(read=read, total=total).done:  # counted, not loaded
        return None
    if completion is not None and completion.completed_on >= local_date(attempt.submitted_at or now):
        if (completion.score or 0) < (attempt.score or 0):
            completion.score, completion.attempt_id = attempt.score, attempt.id
        return completion
    completion = Completion(person_id=trainee.person_id, course_id=course.id, completed_on=local_date(now),
                            mode="online", attempt_id=attempt.id, score=attempt.score)
    session.add(completion)
    hooks.completion_recorded(session, completion, now=now)
    return completion


@dataclass(frozen=True)
class Held:
    """A completion of a course that counts today, and the certificate it earned (None: classroom without one
    yet, prior training, or a certificate revoked)."""

    completion: Completion
    certificate: Certificate | None


def valid_completion(session: Session, trainee: Trainee, course: Course, *, today) -> Held | None:
    """The person's latest completion of the course still valid today, wherever and however it was earned,
    with its valid certificate (one query)."""
    row = session.execute(
        select(Completion, Certificate)
        .outerjoin(Certificate, (Certificate.completion_id == Completion.id) & (Certificate.status == "valid"))
        .where(Completion.person_id == trainee.person_id, Completion.course_id == course.id,
               (Completion.valid_until.is_(None)) | (Completion.valid_until >= today))
        .order_by(Completion.completed_on.desc(), Completion.id.desc()).limit(1)).first()
    return Held(row[0], row[1]) if row else None


def completions_counting(session: Session, person_id: int, *, today):
    """The person's completions that count today (no expiry, or not expired yet): rows of course_id, code (the
    course's), completed_on and valid_until. The home page's "completed" marks and its commitments card use them."""
    return session.execute(
        select(Completion.course_id, Course.code, Completion.completed_on, Completion.valid_until)
        .join(Course, Course.id == Completion.course_id)
        .where(Completion.person_id == person_id,
               (Completion.valid_until.is_(None)) | (Completion.valid_until >= today))).all()


def started_course_ids(session: Session, person_id: int) -> set[int]:
    """The courses a person has begun: opened a lesson of, or started a quiz of (practice included)."""
    return set(session.scalars(
        select(Lesson.course_id).join(LessonProgress, LessonProgress.lesson_id == Lesson.id)
        .where(LessonProgress.person_id == person_id)
        .union(select(Attempt.course_id).where(Attempt.person_id == person_id))))
