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
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from portal.domain import progress
from portal.domain import questions as qtypes
from portal.domain.errors import NotAllowed, ValidationError
from portal.models import Attempt, AttemptItem, Course, Question, QuestionTag, QuestionVersion, Trainee

GRACE = timedelta(seconds=30)
log = logging.getLogger("portal.quiz")


class Tampered(ValidationError):
    """Input that no honest page could have sent (foreign option, question or attempt)."""


@dataclass
class Eligibility:
    allowed: bool
    reason: str = ""
    practice: bool = False
    wait_until: datetime | None = None


def graded_attempts(session: Session, trainee: Trainee, course: Course) -> list[Attempt]:
    return list(session.scalars(select(Attempt).where(
        Attempt.trainee_id == trainee.id, Attempt.course_id == course.id, Attempt.status == "graded",
        Attempt.practice.is_(False)).order_by(Attempt.id)))


def open_attempt(session: Session, trainee: Trainee, course: Course) -> Attempt | None:
    return session.scalar(select(Attempt).where(
        Attempt.trainee_id == trainee.id, Attempt.course_id == course.id, Attempt.status == "open"))


def eligibility(session: Session, trainee: Trainee, course: Course, *, now: datetime,
                attempts: list[Attempt] | None = None) -> Eligibility:
    """May the trainee start a new attempt now? (limits, cooldown, passed, prerequisites)

    `attempts`: the graded attempts when the caller has already loaded them."""
    quiz = course.quiz
    missing = _missing_prerequisites(session, trainee, course)
    if missing:
        return Eligibility(False, str(_l("Complete these courses first: %(names)s", names=", ".join(missing))))
    attempts = graded_attempts(session, trainee, course) if attempts is None else attempts
    if any(a.passed for a in attempts):
        if quiz.get("allow_practice"):
            return Eligibility(True, practice=True)
        return Eligibility(False, str(_l("You have passed this quiz.")))
    limit = quiz.get("attempts_allowed") or 0
    if limit and len(attempts) >= limit:
        return Eligibility(False, str(_l("You have used all %(n)s attempts. Ask your company or the training office for help.", n=limit)))
    if attempts and quiz.get("cooldown_minutes"):
        wait_until = attempts[-1].submitted_at + timedelta(minutes=quiz["cooldown_minutes"])
        if now < wait_until:
            return Eligibility(False, str(_l("Please review the lessons; you can try again after %(time)s (UTC).",
                                              time=wait_until.strftime("%H:%M"))), wait_until=wait_until)
    return Eligibility(True)


def _missing_prerequisites(session: Session, trainee: Trainee, course: Course) -> list[str]:
    from portal.models import Completion

    if not course.prerequisites:
        return []
    done = set(session.scalars(select(Course.code).join(Completion, Completion.course_id == Course.id)
                               .where(Completion.trainee_id == trainee.id)))
    return [code for code in course.prerequisites if code not in done]


def start_attempt(session: Session, trainee: Trainee, course: Course, *, now: datetime,
                  rng: random.Random | None = None) -> Attempt:
    """Resume the open attempt, or draw a new one if the trainee may take the quiz now."""
    current = open_attempt(session, trainee, course)
    if current is not None and not finish_if_overdue(session, current, now=now):
        return current
    verdict = eligibility(session, trainee, course, now=now)
    if not verdict.allowed:
        raise NotAllowed(verdict.reason)
    rng = rng or random.Random(secrets.randbits(64))
    versions = draw_questions(session, trainee, course, rng)
    quiz = dict(course.quiz)
    number = 1 + (session.scalar(select(func.count()).select_from(Attempt).where(
        Attempt.trainee_id == trainee.id, Attempt.course_id == course.id)) or 0)
    limit = quiz.get("time_limit_minutes") or 0
    attempt = Attempt(trainee_id=trainee.id, course_id=course.id, number=number, practice=verdict.practice,
                      settings=quiz, started_at=now, deadline_at=now + timedelta(minutes=limit) if limit else None,
                      status="open")
    for position, version in enumerate(versions, start=1):
        attempt.items.append(AttemptItem(position=position, question_version_id=version.id,
                                         option_order=_option_order(version, quiz, rng)))
    session.add(attempt)
    session.flush()
    return attempt


def _option_order(version: QuestionVersion, quiz: dict, rng: random.Random) -> list[str]:
    choices = qtypes.get(version.qtype).choices(version.data)
    if quiz.get("shuffle_options", True) and version.qtype != "true_false":
        choices = list(choices)
        rng.shuffle(choices)
    return list(choices)


def draw_questions(session: Session, trainee: Trainee, course: Course, rng: random.Random) -> list[QuestionVersion]:
    """Questions for a new attempt: each pool's count at random, unseen questions first."""
    seen = set(session.scalars(
        select(QuestionVersion.question_id).join(AttemptItem, AttemptItem.question_version_id == QuestionVersion.id)
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .where(Attempt.trainee_id == trainee.id, Attempt.course_id == course.id)))
    chosen: list[Question] = []
    for pool in course.quiz["pools"]:
        candidates = [q for q in session.scalars(
            select(Question).join(QuestionTag).where(QuestionTag.tag == pool["tag"], Question.retired.is_(False))
            .order_by(Question.id)) if q not in chosen]
        fresh = [q for q in candidates if q.id not in seen]
        stale = [q for q in candidates if q.id in seen]
        rng.shuffle(fresh)
        rng.shuffle(stale)
        chosen.extend((fresh + stale)[: pool["count"]])
    return [q.current_version for q in chosen]


def attempt_for(session: Session, trainee: Trainee, attempt_id: int) -> Attempt:
    """The trainee's own attempt; another person's (or a made-up) id is tampering."""
    # Every page of an attempt reads all its items and their questions: one query each, not one per item
    # (lazy loads in the grading loop would also autoflush item by item).
    attempt = session.get(Attempt, attempt_id, options=[
        joinedload(Attempt.course).lazyload(Course.groups),
        selectinload(Attempt.items).joinedload(AttemptItem.question_version)])
    if attempt is None or attempt.trainee_id != trainee.id:
        log.warning("quiz tampering: trainee %s asked for attempt %s", trainee.id, attempt_id)
        raise Tampered(_l("This quiz attempt does not exist."))
    return attempt


def remaining_seconds(attempt: Attempt, now: datetime) -> int | None:
    if attempt.deadline_at is None:
        return None
    return max(0, int((attempt.deadline_at - now).total_seconds()))


def save_answer(session: Session, attempt: Attempt, item_id: int, values: list[str], *, now: datetime) -> AttemptItem:
    """Store one answer at once; refused after the deadline (the attempt is then graded)."""
    item = next((i for i in attempt.items if i.id == item_id), None)
    if item is None:
        log.warning("quiz tampering: attempt %s has no item %s", attempt.id, item_id)
        raise Tampered(_l("This question is not part of your quiz."))
    qtype = qtypes.get(item.question_version.qtype)
    values = sorted(dict.fromkeys(str(v) for v in values))
    if any(v not in item.option_order for v in values) or (not qtype.many and len(values) > 1):
        log.warning("quiz tampering: attempt %s item %s got %r", attempt.id, item_id, values)
        raise Tampered(_l("That answer is not one of the question's options."))
    if attempt.status != "open":
        raise NotAllowed(_l("This quiz has already been submitted; the answer was not changed."))
    if finish_if_overdue(session, attempt, now=now):
        raise NotAllowed(_l("Time is up: answers given after the time limit are not counted."))
    item.answer, item.answered_at = values, now
    session.flush()
    return item


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
    claimed = session.execute(
        update(Attempt).where(Attempt.id == attempt.id, Attempt.status == "open")
        .values(status="graded", submitted_at=now).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        session.refresh(attempt)  # graded elsewhere: show that grade
        return attempt
    # We wrote these two values ourselves: no need to read the attempt (and its items) back.
    set_committed_value(attempt, "status", "graded")
    set_committed_value(attempt, "submitted_at", now)
    rule = attempt.settings.get("multiple_grading", "all_or_nothing")
    total = 0.0
    for item in attempt.items:
        version = item.question_version
        item.points = qtypes.get(version.qtype).grade(version.data, list(item.answer or []), rule)
        item.correct = item.points == 1.0
        total += item.points
    attempt.score = round(100 * total / len(attempt.items), 1) if attempt.items else 0.0
    attempt.passed = attempt.score >= attempt.settings.get("pass_mark", 100)
    session.flush()
    if attempt.passed and not attempt.practice:
        trainee = session.get(Trainee, attempt.trainee_id)
        progress.maybe_complete(session, trainee, attempt.course, now=now)
    return attempt


def may_review(session: Session, attempt: Attempt) -> bool:
    """May the trainee see correct answers and explanations for this graded attempt?"""
    rule = attempt.settings.get("review", "after_pass")
    if rule == "always":
        return True
    trainee = session.get(Trainee, attempt.trainee_id)
    attempts = graded_attempts(session, trainee, attempt.course)
    if any(a.passed for a in attempts) or attempt.passed:
        return True
    if rule == "after_last_attempt":
        limit = attempt.settings.get("attempts_allowed") or 0
        return bool(limit) and len(attempts) >= limit
    return False
