"""Sending a lesson's stored picture, video, audio or captions file: the same answer for a trainee and the office."""
from __future__ import annotations

from pathlib import Path

from flask import Response, current_app, send_file

from portal.domain.content.stored_media import media_file
from portal.extensions import db
from portal.models import CourseMedia

MEDIA_MAX_AGE = 31_536_000  # a media URL names the file's content hash: a changed file gets another URL


def send_course_media(row: CourseMedia) -> Response:
    """The file, answering range requests; cached privately (behind a login) and forever (hash in the URL)."""
    path = media_file(db.session, row, Path(current_app.config["STORAGE_PATH"]).resolve() / "media")
    response = send_file(path, mimetype=row.content_type, conditional=True, etag=row.sha256, max_age=MEDIA_MAX_AGE)
    response.cache_control.public = False  # behind a login: browsers may keep it, shared caches may not
    response.cache_control.private = True
    response.cache_control.immutable = True
    if row.content_type == "image/svg+xml":
        response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response
