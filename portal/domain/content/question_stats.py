"""Per-question statistics for the office: share correct (full points), share of points and discrimination
(top vs bottom third)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from portal.models import Attempt, AttemptItem, Question, QuestionVersion


@dataclass
class QuestionStat:
    code: str
    answered: int
    share_correct: float
    discrimination: float | None  # p(correct | top third) - p(correct | bottom third)
    share_points: float = 0.0  # the points scored over the points there were: partial credit (an ordering's
    # steps in place, a case's parts) shows here, while "correct" asks for full points


def question_statistics(session: Session, course_id: int | None = None) -> list[QuestionStat]:
    """Statistics over all graded attempts, weakest questions first.

    The attempts are ranked by score (then id); the bottom and top thirds are the first and last
    count // 3 of them. Counted by the database, one row per question: answers are never loaded."""
    ranked = select(Attempt.id, func.row_number().over(order_by=(func.coalesce(Attempt.score, 0), Attempt.id))
                    .label("rank"), func.count().over().label("total")).where(Attempt.status == "graded")
    if course_id is not None:
        ranked = ranked.where(Attempt.course_id == course_id)
    ranked = ranked.subquery()
    top = ranked.c.rank > ranked.c.total - ranked.c.total // 3
    bottom = ranked.c.rank <= ranked.c.total // 3
    right = AttemptItem.correct.is_(True)

    def number(condition):
        return func.sum(case((condition, 1), else_=0))

    statement = (select(Question.code, func.count(), number(right), number(top & right), number(top),
                        number(bottom & right), number(bottom), func.sum(func.coalesce(AttemptItem.points, 0.0)))
                 .select_from(AttemptItem).join(ranked, ranked.c.id == AttemptItem.attempt_id)
                 .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
                 .join(Question, Question.id == QuestionVersion.question_id)
                 .group_by(Question.code))
    stats = [_stat(*row) for row in session.execute(statement)]
    return sorted(stats, key=lambda s: (s.share_correct, s.code))


def _stat(code: str, answered: int, right: int, top_right: int, top: int, bottom_right: int,
          bottom: int, points: float) -> QuestionStat:
    discrimination = round(top_right / top - bottom_right / bottom, 2) if top and bottom else None
    return QuestionStat(code=code, answered=answered, share_correct=right / answered, discrimination=discrimination,
                        share_points=float(points) / answered)
