"""Per-process copies of content that only `flask content sync` changes, keyed so that a sync invalidates them."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Course, Lesson

# lesson id -> (version, html zh_CN, html en). The version is the course's content hash (its data, code
# and every lesson's text) with the lesson's own: a sync that changes what the HTML is rendered from
# changes it, so an entry of another version is stale and read again.
_lesson_html: dict[int, tuple[tuple[str, str], str, str]] = {}


def lesson_html(session: Session, course: Course, lesson: Lesson, locale: str) -> str:
    """The lesson's rendered HTML in the locale, read from the database once per content version."""
    version = (course.content_hash, lesson.content_hash)
    entry = _lesson_html.get(lesson.id)
    if entry is None or entry[0] != version:
        html_zh, html_en = session.execute(select(Lesson.html_zh, Lesson.html_en).where(Lesson.id == lesson.id)).one()
        entry = _lesson_html[lesson.id] = (version, html_zh, html_en)
    return entry[2] if locale == "en" else entry[1]
