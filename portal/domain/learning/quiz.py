"""The quiz engine: drawing an attempt, saving answers as they come, grading exactly once.

The server keeps the clock: an answer after the deadline plus GRACE is not counted, and an
overdue attempt is graded with what was saved. Submitting is a conditional UPDATE from 'open',
so double submits, replays and two tabs give one grade.
"""
from __future__ import annotations

import logging
import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, case, func, insert, select, update
from sqlalchemy.orm import Session, defer, joinedload, lazyload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from portal.domain.platform import localtime
from portal.domain.learning import progress
from portal.domain.content import questions as qtypes
from portal.domain.platform.errors import NotAllowed, ValidationError
from portal.models import Attempt, AttemptGrant, AttemptItem, Course, Lesson, Person, Question, QuestionTag, QuestionVersion, Trainee

GRACE = timedelta(seconds=30)
log = logging.getLogger("portal.quiz")


class Tampered(ValidationError):
    """Input that no honest page could have sent (foreign option, question or attempt)."""


class ForeignAttempt(Tampered):
    """An attempt id that is not the trainee's own (or does not exist): answered as not found."""


@dataclass
class Eligibility:
    allowed: bool
    reason: str = ""
    practice: bool = False  # a passed course's quiz may be taken again, not counted
    wait_until: datetime | None = None
    locked: bool = False  # every attempt used: the company or the office may grant another (grant_attempt)
    lessons_left: int = 0  # lessons come first, unless the course lets people test out
    last_attempt: bool = False  # the attempt about to start is the last one allowed


# The statements of hot pages are built once, with bound parameters, rather than on every request.
_OWN_ATTEMPTS = select(Attempt).where(Attempt.person_id == bindparam("person_key"),
                                      Attempt.course_id == bindparam("course_key"))
_GRADED_ATTEMPTS = _OWN_ATTEMPTS.where(Attempt.status == "graded", Attempt.practice.is_(False)).order_by(Attempt.id)
_OPEN_ATTEMPT = _OWN_ATTEMPTS.where(Attempt.status == "open")
_GRANTS = select(func.count(AttemptGrant.id)).where(AttemptGrant.person_id == bindparam("person_key"),
                                                    AttemptGrant.course_id == bindparam("course_key"))


def graded_attempts(session: Session, trainee: Trainee, course: Course) -> list[Attempt]:
    return list(session.scalars(_GRADED_ATTEMPTS, {"person_key": trainee.person_id, "course_key": course.id}))


def open_attempt(session: Session, trainee: Trainee, course: Course) -> Attempt | None:
    return session.scalar(_OPEN_ATTEMPT, {"person_key": trainee.person_id, "course_key": course.id})


def attempts_allowed(session: Session, person_id: int, course: Course, *, used: int | None = None) -> int:
    """The course's attempts plus those granted to this person (0: no limit). Grants are given only to someone
    who used every attempt, so with `used` short of that they are not looked up."""
    limit = course.quiz.get("attempts_allowed") or 0
    if not limit or (used is not None and used < limit - 1):
        return limit
    return limit + (session.scalar(_GRANTS, {"person_key": person_id, "course_key": course.id}) or 0)


def eligibility(session: Session, trainee: Trainee, course: Course, *, now: datetime,
                attempts: list[Attempt] | None = None, lessons: progress.LessonCount | None = None) -> Eligibility:
    """May the trainee start a new (counted) attempt now? Prerequisites, passed, attempts left, lessons first,
    cooldown, in that order. `attempts` and `lessons`: what the caller has already loaded."""
    quiz = course.quiz
    missing = _missing_prerequisites(session, trainee, course)
    if missing:
        return Eligibility(False, str(_l("Complete these courses first: %(names)s", names=", ".join(missing))))
    attempts = graded_attempts(session, trainee, course) if attempts is None else attempts
    if any(a.passed for a in attempts):
        if quiz.get("allow_practice"):
            return Eligibility(True, practice=True)
        return Eligibility(False, str(_l("You have passed this quiz.")))
    limit = attempts_allowed(session, trainee.person_id, course, used=len(attempts))
    if limit and len(attempts) >= limit:
        return Eligibility(False, str(_l("You have used all %(n)s attempts.", n=limit)), locked=True)
    lessons = lessons or progress.lesson_counts(session, trainee, [course])[0][1]
    if not quiz.get("test_out") and lessons.total and not lessons.done:
        left = lessons.total - lessons.read
        return Eligibility(False, str(_l("Read the lessons first: %(n)s of %(total)s still to read. The quiz asks "
                                          "about them.", n=left, total=lessons.total)), lessons_left=left)
    if attempts and quiz.get("cooldown_minutes"):
        wait_until = attempts[-1].submitted_at + timedelta(minutes=quiz["cooldown_minutes"])
        if now < wait_until:
            shown = localtime.format_time(wait_until, now=now, round_up=True)  # never still locked at that minute
            return Eligibility(False, str(_l("Please review the lessons; you can try again after %(time)s.",
                                              time=shown)), wait_until=wait_until)
    return Eligibility(True, last_attempt=bool(limit) and len(attempts) == limit - 1)


def grant_attempt(session: Session, person_id: int, course: Course, *, actor_id: int, address: str = "") -> None:
    """One more attempt for someone who used them all (their company or the office), audit-logged."""
    from portal.domain.platform import audit

    session.add(AttemptGrant(person_id=person_id, course_id=course.id, granted_by_id=actor_id))
    audit.record(session, actor_id=actor_id, action="quiz.attempt_granted", target_type="person",
                 target_id=person_id, details={"course": course.code}, address=address)
    session.flush()


def _missing_prerequisites(session: Session, trainee: Trainee, course: Course) -> list[str]:
    from portal.models import Completion

    if not course.prerequisites:
        return []
    done = set(session.scalars(select(Course.code).join(Completion, Completion.course_id == Course.id)
                               .where(Completion.person_id == trainee.person_id)))
    return [code for code in course.prerequisites if code not in done]


def start_attempt(session: Session, trainee: Trainee, course: Course, *, now: datetime,
                  rng: random.Random | None = None, practice: bool = False, mistakes: bool = False) -> Attempt:
    """Resume the open attempt, or draw a new one if the trainee may take the quiz now.

    A practice attempt (`practice`, or any attempt after passing) is untimed, unlimited and never counted; it
    leaves out questions reserved for the exam (`exam_only`), and with `mistakes` it starts with the questions
    the person got wrong before (their 错题本)."""
    current = open_attempt(session, trainee, course)
    if current is not None and not finish_if_overdue(session, current, now=now):
        return current
    if practice:
        if not course.quiz.get("allow_practice"):
            raise NotAllowed(_l("This course has no practice quiz."))
    else:
        verdict = eligibility(session, trainee, course, now=now)
        if not verdict.allowed:
            raise NotAllowed(verdict.reason)
        practice = verdict.practice
    rng = rng or random.Random(secrets.randbits(64))
    prefer = set(mistaken_questions(session, trainee.person_id, course)) if mistakes else set()
    versions = draw_questions(session, trainee, course, rng, practice=practice, prefer=prefer)
    if not versions:
        raise NotAllowed(_l("There are no practice questions for this course yet."))
    quiz = dict(course.quiz)
    if practice:
        quiz["time_limit_minutes"] = 0
    number = 1 + (session.scalar(select(func.count()).select_from(Attempt).where(
        Attempt.person_id == trainee.person_id, Attempt.course_id == course.id)) or 0)
    limit = quiz.get("time_limit_minutes") or 0
    attempt = Attempt(person_id=trainee.person_id, course_id=course.id, number=number, practice=practice,
                      settings=quiz, started_at=now, deadline_at=now + timedelta(minutes=limit) if limit else None,
                      status="open")
    session.add(attempt)
    session.flush()
    # the items in one statement (the attempt's pages read them back)
    session.execute(insert(AttemptItem), [
        {"attempt_id": attempt.id, "position": position, "question_version_id": version.id,
         "option_order": _option_order(version, quiz, rng)}
        for position, version in enumerate(versions, start=1)])
    return attempt


def mistaken_questions(session: Session, person_id: int, course: Course) -> dict[int, int]:
    """The questions of this course the person answered wrong and has not answered right since, with how many
    times they got each wrong (their 错题本), practice included."""
    rows = session.execute(
        select(QuestionVersion.question_id, AttemptItem.correct).join(AttemptItem.question_version)
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .where(Attempt.person_id == person_id, Attempt.course_id == course.id, Attempt.status == "graded")
        .order_by(Attempt.id, AttemptItem.position))
    wrong: dict[int, int] = {}
    for question_id, correct in rows:
        if correct:
            wrong.pop(question_id, None)
        else:
            wrong[question_id] = wrong.get(question_id, 0) + 1
    return wrong


def _option_order(version: QuestionVersion, quiz: dict, rng: random.Random) -> list[str]:
    return qtypes.get(version.qtype).option_order(version.data, rng, bool(quiz.get("shuffle_options", True)))


def draw_questions(session: Session, trainee: Trainee, course: Course, rng: random.Random, *,
                   practice: bool = False, prefer: set[int] | frozenset = frozenset()) -> list[QuestionVersion]:
    """Questions for a new attempt: each pool's count at random, `prefer`red questions first, then unseen ones.
    Practice leaves out the questions reserved for the exam."""
    seen = set(session.scalars(
        select(QuestionVersion.question_id).join(AttemptItem, AttemptItem.question_version_id == QuestionVersion.id)
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .where(Attempt.person_id == trainee.person_id, Attempt.course_id == course.id)))
    pools = course.quiz["pools"]
    by_tag: dict[str, list[tuple[int, int]]] = {pool["tag"]: [] for pool in pools}  # (question, its current version)
    for tag, question, version, data in session.execute(
            select(QuestionTag.tag, Question.id, QuestionVersion.id, QuestionVersion.data if practice else None)
            .join(Question, Question.id == QuestionTag.question_id)
            .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
            .where(QuestionTag.tag.in_(by_tag), Question.retired.is_(False)).order_by(Question.id)):
        if not (practice and data.get("exam_only")):
            by_tag[tag].append((question, version))
    chosen: dict[int, int] = {}  # question -> its current version, in the order drawn
    for pool in pools:
        candidates = [c for c in by_tag[pool["tag"]] if c[0] not in chosen]
        groups = ([c for c in candidates if c[0] in prefer],
                  [c for c in candidates if c[0] not in prefer and c[0] not in seen],
                  [c for c in candidates if c[0] not in prefer and c[0] in seen])
        for group in groups:
            rng.shuffle(group)
        chosen.update([c for group in groups for c in group][: pool["count"]])
    drawn = session.scalars(select(QuestionVersion).where(QuestionVersion.id.in_(chosen.values())))
    versions = {version.id: version for version in drawn}
    return [versions[version] for version in chosen.values()]


# Every page of an attempt reads all its items and their questions: one query each, not one per item
# (lazy loads in the grading loop would also autoflush item by item). Built once.
_ATTEMPT_WITH_ITEMS = select(Attempt).where(Attempt.id == bindparam("attempt_key")).options(
    joinedload(Attempt.course).lazyload(Course.groups),
    selectinload(Attempt.items).joinedload(AttemptItem.question_version))
# The result page also shows the course's progress: its lessons, without their text.
_ATTEMPT_WITH_LESSONS = _ATTEMPT_WITH_ITEMS.options(
    joinedload(Attempt.course).selectinload(Course.lessons).options(defer(Lesson.html_zh), defer(Lesson.html_en)))


def attempt_for(session: Session, trainee: Trainee, attempt_id: int, *, lessons: bool = False) -> Attempt:
    """The trainee's own attempt; another person's (or a made-up) id is tampering.

    `lessons`: load the course's lessons too (in the same round of statements as the items)."""
    statement = _ATTEMPT_WITH_LESSONS if lessons else _ATTEMPT_WITH_ITEMS
    attempt = session.execute(statement, {"attempt_key": attempt_id}).unique().scalar_one_or_none()
    if attempt is None or attempt.person_id != trainee.person_id:
        log.warning("quiz tampering: trainee %s asked for attempt %s", trainee.id, attempt_id)
        raise Tampered(_l("This quiz attempt does not exist."))
    return attempt


@dataclass
class AttemptPage:
    """One page of questions of an open attempt (the quiz page)."""
    attempt: Attempt
    items: list[AttemptItem]
    page: int
    pages: int


# The quiz page reads the attempt with its number of questions, then only the questions it shows.
_ATTEMPT_AND_SIZE = (
    select(Attempt, select(func.count()).where(AttemptItem.attempt_id == Attempt.id).correlate(Attempt)
           .scalar_subquery())
    .where(Attempt.id == bindparam("attempt_key"))
    .options(joinedload(Attempt.course).lazyload(Course.groups)))
_PAGE_ITEMS = (
    select(AttemptItem).where(AttemptItem.attempt_id == bindparam("attempt_key")).order_by(AttemptItem.position)
    .offset(bindparam("skip")).limit(bindparam("take")).options(joinedload(AttemptItem.question_version)))


def attempt_page(session: Session, trainee: Trainee, attempt_id: int, requested: int, *, per_page: int,
                 now: datetime) -> AttemptPage | None:
    """The requested page (clamped to the pages there are) of the trainee's own open attempt; None when the
    attempt is no longer open, an overdue one being graded on the way (as finish_if_overdue)."""
    row = session.execute(_ATTEMPT_AND_SIZE, {"attempt_key": attempt_id}).first()
    if row is None or row[0].person_id != trainee.person_id:
        log.warning("quiz tampering: trainee %s asked for attempt %s", trainee.id, attempt_id)
        raise Tampered(_l("This quiz attempt does not exist."))
    attempt, size = row
    if attempt.status != "open":
        return None
    if attempt.deadline_at is not None and now > attempt.deadline_at + GRACE:
        finish_if_overdue(session, attempt_for(session, trainee, attempt_id), now=now)  # grades all the items
        return None
    pages = max(1, -(-size // per_page))
    page = min(max(requested, 1), pages)
    items = list(session.scalars(_PAGE_ITEMS, {"attempt_key": attempt_id, "skip": (page - 1) * per_page,
                                               "take": per_page}))
    return AttemptPage(attempt=attempt, items=items, page=page, pages=pages)


def remaining_seconds(attempt: Attempt, now: datetime) -> int | None:
    return _seconds_left(attempt.deadline_at, now)


def _seconds_left(deadline_at: datetime | None, now: datetime) -> int | None:
    if deadline_at is None:
        return None
    return max(0, int((deadline_at - now).total_seconds()))


def _checked_answer(attempt_id: int, item_id: int, option_order: list[str], qtype: str, data: dict,
                    values: list[str]) -> list[str]:
    """The answer as its question type stores it (questions.QuestionType.accepted); a value the page never
    offered is tampering."""
    try:
        return qtypes.get(qtype).accepted(data, option_order, values)
    except qtypes.BadAnswer:
        log.warning("quiz tampering: attempt %s item %s got %r", attempt_id, item_id, values)
        raise Tampered(_l("That answer is not one of the question's options.")) from None


def _missing_item(attempt_id: int, item_id: int) -> Tampered:
    log.warning("quiz tampering: attempt %s has no item %s", attempt_id, item_id)
    return Tampered(_l("This question is not part of your quiz."))


def save_answer(session: Session, attempt: Attempt, item_id: int, values: list[str], *, now: datetime) -> AttemptItem:
    """Store one answer (written with the next flush: a page's answers go in one batch); refused after the
    deadline (the attempt is then graded)."""
    item = next((i for i in attempt.items if i.id == item_id), None)
    if item is None:
        raise _missing_item(attempt.id, item_id)
    values = _checked_answer(attempt.id, item_id, item.option_order, item.question_version.qtype,
                             item.question_version.data, values)
    if attempt.status != "open":
        raise NotAllowed(_l("This quiz has already been submitted; the answer was not changed."))
    if finish_if_overdue(session, attempt, now=now):
        raise NotAllowed(_l("Time is up: answers given after the time limit are not counted."))
    item.answer, item.answered_at = values, now
    return item


# Built once (with bound parameters) rather than per request: the autosave runs for every click in a quiz.
_AUTOSAVE_READ = (
    select(Attempt.person_id, Attempt.status, Attempt.deadline_at, AttemptItem.id, AttemptItem.option_order,
           QuestionVersion.qtype, QuestionVersion.data)
    .select_from(Attempt)
    .outerjoin(AttemptItem, (AttemptItem.attempt_id == Attempt.id) & (AttemptItem.id == bindparam("item_key")))
    .outerjoin(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
    .where(Attempt.id == bindparam("attempt_key")))
_AUTOSAVE_WRITE = (
    update(AttemptItem)
    .where(AttemptItem.id == bindparam("item_key"), AttemptItem.attempt_id == bindparam("attempt_key"),
           select(Attempt.id).where(Attempt.id == bindparam("attempt_key"), Attempt.status == "open").exists())
    .values(answer=bindparam("chosen", type_=AttemptItem.answer.type),
            answered_at=bindparam("chosen_at", type_=AttemptItem.answered_at.type))
    .execution_options(synchronize_session=False))


def autosave_answer(session: Session, trainee: Trainee, attempt_id: int, item_id: int, values: list[str], *,
                    now: datetime) -> int | None:
    """save_answer for one question, reading only that item: the autosave's hot path. Returns remaining_seconds.

    The same checks in the same order (owner, item, options, open, deadline); the UPDATE itself requires
    the attempt to be still open, so an answer never lands after a concurrent submit."""
    row = session.execute(_AUTOSAVE_READ, {"attempt_key": attempt_id, "item_key": item_id}).first()
    if row is None or row.person_id != trainee.person_id:
        log.warning("quiz tampering: trainee %s asked for attempt %s", trainee.id, attempt_id)
        raise ForeignAttempt(_l("This quiz attempt does not exist."))
    if row.id is None:
        raise _missing_item(attempt_id, item_id)
    values = _checked_answer(attempt_id, item_id, row.option_order, row.qtype, row.data, values)
    closed = NotAllowed(_l("This quiz has already been submitted; the answer was not changed."))
    if row.status != "open":
        raise closed
    if row.deadline_at is not None and now > row.deadline_at + GRACE:
        attempt = attempt_for(session, trainee, attempt_id)
        if finish_if_overdue(session, attempt, now=now):
            raise NotAllowed(_l("Time is up: answers given after the time limit are not counted."))
    saved = session.execute(_AUTOSAVE_WRITE, {"attempt_key": attempt_id, "item_key": item_id, "chosen": values,
                                              "chosen_at": now})
    if saved.rowcount != 1:
        raise closed  # submitted between the two statements
    return _seconds_left(row.deadline_at, now)


def unanswered(attempt: Attempt) -> list[int]:
    """The positions of the questions not fully answered yet (a step of an ordering or a part of a case left
    open counts): the trainee is asked before submitting with them."""
    return [item.position for item in attempt.items
            if not qtypes.get(item.question_version.qtype).complete(item.question_version.data, list(item.answer or []))]


def finish_if_overdue(session: Session, attempt: Attempt, *, now: datetime) -> bool:
    """Grade an open attempt whose time (plus grace) has run out; True if it is no longer open."""
    if attempt.status != "open":
        return True
    if attempt.deadline_at is not None and now > attempt.deadline_at + GRACE:
        submit(session, attempt, now=min(now, attempt.deadline_at + GRACE))
        return True
    return False


def submit(session: Session, attempt: Attempt, *, now: datetime) -> Attempt:
    """Grade the attempt exactly once; later calls return the same grade."""
    rule = attempt.settings.get("multiple_grading", "all_or_nothing")
    points = []
    for item in attempt.items:
        version = item.question_version
        points.append(qtypes.get(version.qtype).grade(version.data, list(item.answer or []), rule))
    score = round(100 * sum(points) / len(points), 1) if points else 0.0
    passed = score >= attempt.settings.get("pass_mark", 100)
    # The grade goes with the claim, in one UPDATE; the answers just saved are written after it, with the items'
    # points (one batch).
    with session.no_autoflush:
        claimed = session.execute(_CLAIM, {"attempt_key": attempt.id, "graded_at": now, "graded_score": score,
                                           "graded_passed": passed})
    if claimed.rowcount != 1:
        session.flush()  # the answers just saved, as when the claim came after them
        session.refresh(attempt)  # graded elsewhere: show that grade
        return attempt
    # We wrote these values ourselves: no need to read the attempt (and its items) back.
    for name, value in (("status", "graded"), ("submitted_at", now), ("score", score), ("passed", passed)):
        set_committed_value(attempt, name, value)
    for item, item_points in zip(attempt.items, points):
        item.points, item.correct = item_points, item_points == 1.0
    session.flush()
    if attempt.passed and not attempt.practice:
        person = session.get(Person, attempt.person_id)
        progress.maybe_complete(session, person.current_employment, attempt.course, now=now)
    return attempt


_CLAIM = (update(Attempt).where(Attempt.id == bindparam("attempt_key"), Attempt.status == "open")
          .values(status="graded", submitted_at=bindparam("graded_at", type_=Attempt.submitted_at.type),
                  score=bindparam("graded_score", type_=Attempt.score.type),
                  passed=bindparam("graded_passed", type_=Attempt.passed.type))
          .execution_options(synchronize_session=False))


def may_review(session: Session, attempt: Attempt) -> bool:
    """May the trainee see correct answers and explanations for this graded attempt?"""
    rule = attempt.settings.get("review", "after_pass")
    if rule == "always" or attempt.passed or attempt.practice:  # practice never shows exam-only questions
        return True
    attempts = graded_attempts(session, session.get(Person, attempt.person_id).current_employment, attempt.course)
    if any(a.passed for a in attempts):
        return True
    if rule == "after_last_attempt":
        limit = attempt.settings.get("attempts_allowed") or 0
        return bool(limit) and len(attempts) >= limit
    return False


@dataclass(frozen=True)
class LockedOut:
    """Someone who used every attempt at a course's quiz without passing."""

    trainee: Trainee
    course: Course
    used: int


def _without_a_pass(*where):
    """Each (employment, course) with its counted attempts, where none passed."""
    from portal.models import Person

    return (select(Trainee, Course, func.count(Attempt.id))
            .join(Person, Person.id == Trainee.person_id)
            .join(Attempt, Attempt.person_id == Trainee.person_id)
            .join(Course, Course.id == Attempt.course_id)
            .where(Trainee.status == "active", Attempt.status == "graded", Attempt.practice.is_(False), *where)
            .group_by(Trainee.id, Course.id, Person.real_name)
            .having(func.sum(case((Attempt.passed.is_(True), 1), else_=0)) == 0)
            .order_by(Person.real_name, Trainee.id, Course.code))


def _locked(session: Session, rows) -> list[LockedOut]:
    return [LockedOut(trainee, course, used) for trainee, course, used in rows
            if course.quiz.get("attempts_allowed") and used >= attempts_allowed(session, trainee.person_id, course)]


def locked_out(session: Session, organization_id: int) -> list[LockedOut]:
    """The organization's active staff locked out of a quiz (every attempt used, none passed), by name."""
    return _locked(session, session.execute(_without_a_pass(Trainee.organization_id == organization_id)).all())


def locked_courses(session: Session, trainee: Trainee) -> list[Course]:
    """The quizzes this person is locked out of (their home page says whom to ask): one query."""
    rows = session.execute(
        select(Course, func.count(Attempt.id)).join(Attempt, Attempt.course_id == Course.id)
        .where(Attempt.person_id == trainee.person_id, Attempt.status == "graded", Attempt.practice.is_(False))
        .group_by(Course.id).having(func.sum(case((Attempt.passed.is_(True), 1), else_=0)) == 0)
        .options(lazyload(Course.groups), lazyload(Course.lessons)).order_by(Course.code)).all()
    return [course for course, used in rows if course.quiz.get("attempts_allowed")
            and used >= attempts_allowed(session, trainee.person_id, course, used=used)]


def grant_if_locked(session: Session, trainee: Trainee, course: Course, *, actor_id: int, address: str = "") -> None:
    """Grant another attempt, only to someone locked out (a second click grants nothing more)."""
    used = len(graded_attempts(session, trainee, course))
    limit = attempts_allowed(session, trainee.person_id, course)
    if not limit or used < limit or any(a.passed for a in graded_attempts(session, trainee, course)):
        raise ValidationError(_l("%(name)s still has attempts left at this quiz.", name=trainee.real_name))
    grant_attempt(session, trainee.person_id, course, actor_id=actor_id, address=address)
