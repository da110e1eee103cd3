"""Study time: how long a person really spent on the lessons, and the class hours a completion earns.

The lesson page reports, every BEAT_SECONDS, the seconds it spent visible with someone using it (scrolling,
tapping, typing in the last minute); the server counts a report only up to the time since the previous one
and at most MAX_BEAT seconds, and a lesson up to its cap (twice its share of the course's class hours, at least
ten minutes): leaving a page open, or sending reports faster, adds nothing. Without the page's script no time
is counted. What it cannot prove: that the person read attentively, or that the person was the account holder.

An online completion earns the class hours actually studied, up to the course's nominal hours; a classroom
completion earns the hours recorded for that attendee (the session's, or fewer for someone who left early);
prior training, the hours recorded.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import (Completion, Course, Lesson, LessonProgress, OfflineAttendance, OfflineSession,
                           PriorTraining, Trainee)

BEAT_SECONDS = 15
MAX_BEAT = 30
MIN_LESSON_CAP = 600


def lesson_cap(course: Course, lessons: int) -> int:
    """The most a lesson can count, in seconds."""
    share = course.credit_hours * 3600 / max(lessons, 1)
    return max(MIN_LESSON_CAP, int(2 * share))


def record_beat(session: Session, trainee: Trainee, lesson: Lesson, *, seconds: int, now: datetime) -> int:
    """Count a report of `seconds` of active study on the lesson; returns the seconds now counted for it."""
    from portal.domain.learning.progress import live_lessons, progress_row

    row = progress_row(session, trainee, lesson, now)
    elapsed = (now - row.last_seen_at).total_seconds() if row.last_seen_at else 0
    counted = int(max(0, min(seconds, elapsed, MAX_BEAT)))
    cap = lesson_cap(lesson.course, len(live_lessons(lesson.course)))
    row.seconds_spent = min(cap, (row.seconds_spent or 0) + counted)
    row.last_seen_at = now
    session.flush()
    return row.seconds_spent


def course_seconds(session: Session, person_id: int, course_id: int) -> int:
    return int(session.scalar(select(func.coalesce(func.sum(LessonProgress.seconds_spent), 0)).where(
        LessonProgress.person_id == person_id, LessonProgress.course_id == course_id)) or 0)


def credited_hours(session: Session, completion: Completion) -> float:
    """The class hours a completion earns (see the module's text), to one decimal."""
    course = session.get(Course, completion.course_id)
    nominal = float(course.credit_hours if course else 0)
    if completion.mode == "online":
        return round(min(nominal, course_seconds(session, completion.person_id, completion.course_id) / 3600), 1)
    if completion.mode == "prior":
        hours = session.scalar(select(PriorTraining.hours).where(PriorTraining.completion_id == completion.id))
        return round(float(hours if hours is not None else nominal), 1)
    if completion.mode == "offline" and completion.offline_session_id is not None:
        hours = session.scalar(select(func.coalesce(OfflineAttendance.hours, OfflineSession.hours))
                               .join(OfflineSession, OfflineSession.id == OfflineAttendance.session_id)
                               .where(OfflineAttendance.session_id == completion.offline_session_id,
                                      OfflineAttendance.person_id == completion.person_id))
        return round(float(hours if hours is not None else nominal), 1)
    return nominal


def person_seconds(session: Session, person_ids: list[int]) -> dict[int, int]:
    """Seconds of counted study per person (the company's pages)."""
    if not person_ids:
        return {}
    return {pid: int(total) for pid, total in session.execute(
        select(LessonProgress.person_id, func.sum(LessonProgress.seconds_spent))
        .where(LessonProgress.person_id.in_(person_ids)).group_by(LessonProgress.person_id))}
