"""A trainee's own record, read back to them: what they completed (with certificates), every quiz attempt,
the time they spent reading and the questions they still get wrong (their 错题本)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload

from portal.domain.learning.quiz import mistaken_questions
from portal.models import Attempt, Certificate, Completion, Course, LessonProgress, Trainee


@dataclass
class History:
    completions: list[tuple[Completion, Certificate | None]]
    attempts_statement: Select  # paginated by the page
    seconds_read: int
    mistakes: list[tuple[Course, int]] = field(default_factory=list)  # course, questions still wrong

    @property
    def hours_read(self) -> float:
        return round(self.seconds_read / 3600, 1)


def history(session: Session, trainee: Trainee, *, today: date) -> History:
    completions = session.execute(
        select(Completion, Certificate)
        .outerjoin(Certificate, (Certificate.completion_id == Completion.id) & (Certificate.status == "valid"))
        .where(Completion.person_id == trainee.person_id).options(joinedload(Completion.course))
        .order_by(Completion.completed_on.desc(), Completion.id.desc())).all()
    seconds = session.scalar(select(func.coalesce(func.sum(LessonProgress.seconds_spent), 0))
                             .where(LessonProgress.person_id == trainee.person_id)) or 0
    attempts = (select(Attempt).where(Attempt.person_id == trainee.person_id, Attempt.status == "graded")
                .options(joinedload(Attempt.course)).order_by(Attempt.submitted_at.desc(), Attempt.id.desc()))
    courses = session.scalars(select(Course).where(Course.id.in_(
        select(Attempt.course_id).where(Attempt.person_id == trainee.person_id))).order_by(Course.code)).all()
    mistakes = [(course, len(mistaken_questions(session, trainee.person_id, course))) for course in courses]
    return History(completions=[(c, cert) for c, cert in completions], attempts_statement=attempts,
                   seconds_read=int(seconds), mistakes=[(c, n) for c, n in mistakes if n])
