"""Per-question statistics for the office: share correct and discrimination (top vs bottom third)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Attempt, AttemptItem, Question, QuestionVersion


@dataclass
class QuestionStat:
    code: str
    answered: int
    share_correct: float
    discrimination: float | None  # p(correct | top third) - p(correct | bottom third)


def question_statistics(session: Session, course_id: int | None = None) -> list[QuestionStat]:
    """Statistics over all graded attempts, weakest questions first."""
    statement = (select(Question.code, Attempt.id, Attempt.score, AttemptItem.correct)
                 .join(QuestionVersion, QuestionVersion.question_id == Question.id)
                 .join(AttemptItem, AttemptItem.question_version_id == QuestionVersion.id)
                 .join(Attempt, Attempt.id == AttemptItem.attempt_id)
                 .where(Attempt.status == "graded"))
    if course_id is not None:
        statement = statement.where(Attempt.course_id == course_id)
    rows = session.execute(statement).all()
    scores = sorted({(attempt_id, score or 0) for _c, attempt_id, score, _ok in rows}, key=lambda x: x[1])
    third = len(scores) // 3
    bottom = {a for a, _s in scores[:third]}
    top = {a for a, _s in scores[len(scores) - third:]} if third else set()
    by_code: dict[str, list[tuple[int, bool]]] = defaultdict(list)
    for code, attempt_id, _score, correct in rows:
        by_code[code].append((attempt_id, bool(correct)))
    return sorted((_stat(code, answers, top, bottom) for code, answers in by_code.items()),
                  key=lambda s: (s.share_correct, s.code))


def _share(answers: list[tuple[int, bool]], group: set[int]) -> float | None:
    picked = [ok for attempt_id, ok in answers if attempt_id in group]
    return sum(picked) / len(picked) if picked else None


def _stat(code: str, answers: list[tuple[int, bool]], top: set[int], bottom: set[int]) -> QuestionStat:
    high, low = _share(answers, top), _share(answers, bottom)
    return QuestionStat(code=code, answered=len(answers), share_correct=sum(ok for _a, ok in answers) / len(answers),
                        discrimination=None if high is None or low is None else round(high - low, 2))
