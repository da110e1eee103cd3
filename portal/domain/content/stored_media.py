"""The media a sync keeps in the database, and the disk copy the media route sends them from.

The database holds the bytes so that they change with the lessons in the sync's one transaction. Sending
from a file lets the web server answer range requests (a phone seeking in a video) without loading the
whole file each time: each node writes a file once per content hash, under STORAGE_PATH/media.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.content.media import VERSION_LENGTH, MediaSet
from portal.models import Course, CourseMedia


def store_media(session: Session, course: Course, media: MediaSet) -> None:
    """Bring the course's stored media in line with the files its lessons show now (flushed by the caller)."""
    rows = {row.name: row for row in session.scalars(select(CourseMedia).where(CourseMedia.course_id == course.id))}
    for name, file in media.files.items():
        row = rows.pop(name, None)
        if row is None:
            row = CourseMedia(course_id=course.id, name=name)
            session.add(row)
        if row.sha256 != file.sha256:
            row.content_type, row.size, row.sha256, row.data = file.content_type, len(file.data), file.sha256, file.data
    for row in rows.values():  # no lesson shows it any more
        session.delete(row)


def find_media(session: Session, course: Course, name: str, version: str) -> CourseMedia | None:
    """The course's file of that name when `version` is its current one (an old or made-up version: None)."""
    row = session.scalar(select(CourseMedia).where(CourseMedia.course_id == course.id, CourseMedia.name == name))
    if row is None or len(version) != VERSION_LENGTH or row.sha256[:VERSION_LENGTH] != version:
        return None
    return row


def media_file(session: Session, row: CourseMedia, folder: Path) -> Path:
    """A file with the row's bytes, named by their hash: written once (atomically), then reused."""
    path = folder / row.sha256
    if path.is_file():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    data = session.scalar(select(CourseMedia.data).where(CourseMedia.id == row.id))
    with tempfile.NamedTemporaryFile(dir=folder, prefix=".incoming-", delete=False) as temporary:
        temporary.write(data)
    os.replace(temporary.name, path)  # another worker writing the same bytes at once is harmless
    return path
