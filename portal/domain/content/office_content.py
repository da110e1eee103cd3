"""The office's view of the curriculum: courses with their pools, questions with their statistics, and the
office's own changes to a question (a new version, retired or reinstated), each audit-logged.

A question "flagged" by its statistics is defined here once (FLAG_*), for the list, its filter and the page
that explains it."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session, selectinload

from portal.domain.platform import audit
from portal.domain.content.check import question_problems
from portal.domain.content.versions import add_version
from portal.domain.platform.errors import ValidationError
from portal.domain.content.question_stats import QuestionStat, question_statistics
from portal.models import Attempt, Course, Question, QuestionTag, QuestionVersion

FLAG_MIN_ANSWERS = 20  # fewer answers say too little about a question to flag it
FLAG_SHARE_CORRECT = 0.3  # fewer than this share answer correctly: unclear, wrong key, or not taught
FLAG_DISCRIMINATION = 0.1  # strong trainees miss it about as often as weak ones
REASON_LENGTH = (2, 300)


def is_flagged(stat: QuestionStat | None) -> bool:
    """The statistics say the question should be looked at (enough answers, and few right or no discrimination)."""
    if stat is None or stat.answered < FLAG_MIN_ANSWERS:
        return False
    return stat.share_correct < FLAG_SHARE_CORRECT or (
        stat.discrimination is not None and stat.discrimination < FLAG_DISCRIMINATION)


class QuestionRefused(ValidationError):
    """A question the check refuses: its problems (keys, message) as the content check words them."""

    def __init__(self, problems: list[tuple[tuple, str]]):
        super().__init__(_l("The question was not saved: correct what is listed."))
        self.problems = problems


def refusals(data) -> list[tuple[tuple, str]]:
    """The problems (not warnings) the content check finds in one question."""
    if not isinstance(data, dict):
        return [((), "a question is a mapping (id, type, stem, ...)")]
    return [(keys, message) for keys, message, warning in question_problems(data) if not warning]


# --- the office's changes -------------------------------------------------------------------------------------


def edit_question(session: Session, question: Question, data: dict, *, actor_id: int,
                  address: str = "") -> QuestionVersion | None:
    """The office's wording becomes the question's new version (None: nothing changed). Never changes a version:
    attempts keep the one they showed. Refused with the check's problems; audit-logged."""
    data = {**data, "id": question.code}
    problems = refusals(data)
    if problems:
        raise QuestionRefused(problems)
    before = question.current_version.number if question.current_version else None
    version = add_version(session, question, data, origin="office", actor_id=actor_id)
    if version is not None:
        audit.record(session, actor_id=actor_id, action="question.edit", target_type="question",
                     target_id=question.id, details={"code": question.code, "version": version.number,
                                                     "previous_version": before}, address=address)
    return version


def set_retired(session: Session, question: Question, retired: bool, *, reason: str, actor_id: int,
                address: str = "") -> None:
    """Retire (never drawn for a new quiz) or reinstate a question, with the office's reason; audit-logged."""
    reason = (reason or "").strip()
    if not REASON_LENGTH[0] <= len(reason) <= REASON_LENGTH[1]:
        raise ValidationError(_l("Give the reason (2 to 300 characters)."), "reason")
    if question.retired == retired:
        return
    question.retired, question.office_set_retired = retired, True
    audit.record(session, actor_id=actor_id, action="question.retire" if retired else "question.reinstate",
                 target_type="question", target_id=question.id, details={"code": question.code, "reason": reason},
                 address=address)
    session.flush()


# --- what the office browses ----------------------------------------------------------------------------------


@dataclass
class Pool:
    tag: str
    count: int  # drawn per attempt
    active: int  # active questions carrying the tag

    @property
    def cannot_draw(self) -> bool:
        return self.active < self.count

    @property
    def too_small(self) -> bool:
        """Fewer than twice the count: retakes see the same questions again (courses/README.md)."""
        return self.active < 2 * self.count


@dataclass
class CourseSummary:
    course: Course
    lessons: int
    pools: list[Pool]
    attempts: int
    passed: int

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.attempts if self.attempts else None


def course_summaries(session: Session) -> list[CourseSummary]:
    """Every course in use: its lessons, its pools against the active questions, counted attempts and passes."""
    courses = list(session.scalars(select(Course).where(Course.retired.is_(False)).order_by(Course.code)))
    active = dict(session.execute(select(QuestionTag.tag, func.count()).join(Question)
                                  .where(Question.retired.is_(False)).group_by(QuestionTag.tag)).all())
    attempts = {row[0]: (row[1], row[2] or 0) for row in session.execute(
        select(Attempt.course_id, func.count(), func.sum(case((Attempt.passed.is_(True), 1), else_=0)))
        .where(Attempt.status == "graded", Attempt.practice.is_(False)).group_by(Attempt.course_id))}
    return [CourseSummary(course, sum(1 for lesson in course.lessons if not lesson.retired),
                          [Pool(p["tag"], p["count"], active.get(p["tag"], 0)) for p in course.quiz.get("pools", [])],
                          *attempts.get(course.id, (0, 0))) for course in courses]


@dataclass
class QuestionFilter:
    course: Course | None = None
    tag: str = ""
    qtype: str = ""
    status: str = ""  # "" | active | retired
    flagged: bool = False


def question_list(session: Session, chosen: QuestionFilter) -> tuple[Select, dict[str, QuestionStat]]:
    """The questions the filter picks (a statement to paginate or export) and every question's statistics
    (over the chosen course's attempts, else all)."""
    stats = {s.code: s for s in question_statistics(session, chosen.course.id if chosen.course else None)}
    statement = (select(Question).join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
                 .options(selectinload(Question.current_version)))
    tags = set()
    if chosen.course is not None:
        tags = {pool["tag"] for pool in chosen.course.quiz.get("pools", [])}
    if chosen.tag:
        tags = tags & {chosen.tag} if chosen.course is not None else {chosen.tag}
    if chosen.course is not None or chosen.tag:
        statement = statement.where(Question.id.in_(select(QuestionTag.question_id).where(QuestionTag.tag.in_(tags))))
    if chosen.qtype:
        statement = statement.where(QuestionVersion.qtype == chosen.qtype)
    if chosen.status in ("active", "retired"):
        statement = statement.where(Question.retired.is_(chosen.status == "retired"))
    if chosen.flagged:
        statement = statement.where(Question.code.in_([code for code, stat in stats.items() if is_flagged(stat)]))
    return statement.order_by(Question.code), stats


def all_tags(session: Session) -> list[str]:
    return list(session.scalars(select(QuestionTag.tag).distinct().order_by(QuestionTag.tag)))


def pool_tags(session: Session) -> list[str]:
    """Tags some course's quiz draws from: a question needs one to be used."""
    tags = {pool["tag"] for course in session.scalars(select(Course).where(Course.retired.is_(False)))
            for pool in course.quiz.get("pools", [])}
    return sorted(tags)


def versions_of(session: Session, question: Question) -> list[QuestionVersion]:
    return list(session.scalars(select(QuestionVersion).where(QuestionVersion.question_id == question.id)
                                .order_by(QuestionVersion.number.desc())))
