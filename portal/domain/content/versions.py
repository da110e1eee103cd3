"""A question's versions: the one way a new wording is stored, whether a sync, an upload or the office's editor
made it. A version is never changed; attempts keep pointing at the version they showed."""
from __future__ import annotations

import hashlib
import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import Question, QuestionTag, QuestionVersion

OFFICE_FILE = "question_bank/office.yaml"  # where a question the office created is exported to


def digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def version_data(data: dict) -> dict:
    """What a version stores of a question as a file holds it: everything but its retired status."""
    return {key: value for key, value in data.items() if key != "retired"}


def add_version(session: Session, question: Question, data: dict, *, origin: str,
                actor_id: int | None = None) -> QuestionVersion | None:
    """Make `data` the question's current version (a new one), unless the current version already says it
    (then None). The tags follow the new version; flushed."""
    data = version_data(data)
    content_hash = digest(data)
    current = question.current_version
    if current is not None and current.content_hash == content_hash:
        return None
    number = 1 + (session.scalar(select(func.max(QuestionVersion.number))
                                 .where(QuestionVersion.question_id == question.id)) or 0)
    version = QuestionVersion(question_id=question.id, number=number, qtype=data["type"],
                              difficulty=data["difficulty"], data=data, content_hash=content_hash, origin=origin,
                              created_by_id=actor_id)
    session.add(version)
    session.flush()
    question.current_version = version
    wanted = list(dict.fromkeys(data["tags"]))
    for tag_row in [t for t in question.tags if t.tag not in wanted]:
        question.tags.remove(tag_row)
    have = {t.tag for t in question.tags}
    question.tags.extend(QuestionTag(tag=tag) for tag in wanted if tag not in have)
    session.flush()
    return version


def new_question(session: Session, code: str, source_file: str) -> Question:
    question = Question(code=code, source_file=source_file)
    session.add(question)
    session.flush()
    return question
