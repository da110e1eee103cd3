"""Route table of the office's content pages (courses, questions, editing, uploads), for tests/views/test_access.py."""
from __future__ import annotations


def ROUTES(expect, roles):
    office = expect(403, anonymous=302, office_admin=200, superuser=200)
    missing = expect(403, anonymous=302, office_admin=404, superuser=404)
    gone_upload = expect(403, anonymous=302, office_admin=302, superuser=302)  # back to the upload form
    return {
        "office.content_courses": [("/office/courses", office)],
        "office.content_course": [("/office/courses/sample-course", office), ("/office/courses/nothing", missing)],
        "office.content_lesson": [("/office/courses/sample-course/lessons/01-first", office),
                                  ("/office/courses/sample-course/lessons/nothing", missing)],
        "office.content_media": [("/office/courses/sample-course/media/0000000000000000/diagram.svg", missing)],
        "office.question_stats": [("/office/questions", office), ("/office/questions?flagged=1&status=retired", office)],
        "office.question_detail": [("/office/questions/sample-001", office), ("/office/questions/nothing", missing)],
        "office.question_edit": [("/office/questions/sample-001/edit", office),
                                 ("/office/questions/sample-003/edit", office),
                                 ("/office/questions/nothing/edit", missing)],
        "office.question_yaml": [("/office/questions/sample-001/yaml", office), ("/office/questions/nothing/yaml", missing)],
        "office.question_retire": [("/office/questions/sample-001/retire", office)],
        "office.question_upload": [("/office/questions/upload", office)],
        "office.question_upload_preview": [("/office/questions/upload/not-a-kept-upload-token", gone_upload)],
    }


def prepare(session, world) -> None:
    """The fixture content is synced by the matrix's world."""
