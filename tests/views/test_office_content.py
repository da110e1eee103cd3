"""The office's content pages: courses, the question list and its export, editing and retiring in the browser,
uploading a GIFT file through its preview."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from portal.domain.content.sync import sync_content
from portal.models import AuditEvent, Question, QuestionVersion
from tests.conftest import FIXTURE_CONTENT
from tests.domain.test_office_content import GIFT
from tests.factories import make_user


@pytest.fixture
def office(session, client, login):
    sync_content(session, FIXTURE_CONTENT)
    user = make_user("office_admin")
    session.commit()
    login(user)
    client.get("/lang/en?next=/")
    return user


def question(session, code: str) -> Question:
    session.expire_all()
    return session.scalar(select(Question).where(Question.code == code))


def csrf(client, url: str) -> str:
    """The page's CSRF token (the test configuration switches CSRF off: then none), after a GET of the form."""
    page = client.get(url).get_data(as_text=True)
    marker = 'name="csrf_token" type="hidden" value="'
    return page.split(marker)[1].split('"')[0] if marker in page else ""


def edit_form(session, code: str) -> dict:
    data = question(session, code).current_version.data
    form = {"stem_zh_CN": data["stem"]["zh_CN"], "stem_en": data["stem"]["en"],
            "explanation_zh_CN": data["explanation"]["zh_CN"], "explanation_en": data["explanation"]["en"],
            "difficulty": str(data["difficulty"]), "tags": " ".join(data["tags"]), "source": data["source"],
            "option_id": [o["id"] for o in data.get("options", [])],
            "option_zh_CN": [o["text"]["zh_CN"] for o in data.get("options", [])],
            "option_en": [o["text"]["en"] for o in data.get("options", [])]}
    return form


def test_courses_page_shows_pools_and_lessons(client, office):
    page = client.get("/office/courses").get_data(as_text=True)
    assert "sample.a</code></a>: 4 / 2" in page and "Pass rate" in page
    course = client.get("/office/courses/sample-course").get_data(as_text=True)
    assert "/office/courses/sample-course/lessons/01-first" in course and "Last reviewed" in course


def test_the_office_reads_a_lesson_with_its_pictures(client, office):
    from tests.conftest import media_url

    page = client.get("/office/courses/sample-course/lessons/01-first").get_data(as_text=True)
    url = media_url("diagram.svg").replace("/me/", "/office/")
    assert f'"{url}"' in page and '"/me/courses/' not in page
    picture = client.get(url)
    data = picture.data
    picture.close()
    assert picture.status_code == 200 and data == (FIXTURE_CONTENT / "courses/sample-course/lessons/diagram.svg").read_bytes()


def test_edit_in_the_browser_makes_a_version_and_keeps_what_was_typed(client, session, office):
    url = "/office/questions/sample-001/edit"
    form = {**edit_form(session, "sample-001"), "csrf_token": csrf(client, url), "correct": ["z"],
            "stem_en": "Which three conditions?"}
    refused = client.post(url, data=form)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "The answer names no option: &#39;z&#39;" in page
    assert "Which three conditions?" in page  # what was typed stays
    assert question(session, "sample-001").current_version.number == 1
    form["correct"] = ["b"]
    saved = client.post(url, data=form, follow_redirects=True)
    assert "Saved as version 2" in saved.get_data(as_text=True)
    q = question(session, "sample-001")
    assert q.current_version.data["stem"]["en"] == "Which three conditions?" and q.current_version.data["answer"] == ["b"]
    assert q.current_version.origin == "office" and q.current_version.created_by_id == office.id
    assert "from the office, by" in saved.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "question.edit")) == 1


def test_a_true_false_question_and_the_yaml_editor(client, session, office):
    url = "/office/questions/sample-003/edit"
    assert question(session, "sample-003").current_version.qtype == "true_false"
    form = {**edit_form(session, "sample-003"), "csrf_token": csrf(client, url),
            "answer": "false" if question(session, "sample-003").current_version.data["answer"] else "true"}
    client.post(url, data=form)
    assert question(session, "sample-003").current_version.number == 2
    url = "/office/questions/sample-002/yaml"
    refused = client.post(url, data={"csrf_token": csrf(client, url), "text": "type: [unclosed"})
    assert refused.status_code == 422 and "Line 1: Not valid YAML" in refused.get_data(as_text=True)
    text = client.get(url).get_data(as_text=True).split('name="text"')[1].split(">", 1)[1].split("</textarea>")[0]
    import html
    changed = html.unescape(text).replace("difficulty: 3", "difficulty: 1")
    client.post(url, data={"csrf_token": csrf(client, url), "text": changed})
    assert question(session, "sample-002").current_version.difficulty == 1


def test_retire_with_a_reason_then_the_list_and_export_show_it(client, session, office):
    url = "/office/questions/sample-004/retire"
    no_reason = client.post(url, data={"csrf_token": csrf(client, url), "reason": ""})
    assert no_reason.status_code == 422 and not question(session, "sample-004").retired
    client.post(url, data={"csrf_token": csrf(client, url), "reason": "Statistics flag it"})
    assert question(session, "sample-004").retired
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "question.retire"))
    assert event.details == {"code": "sample-004", "reason": "Statistics flag it"}
    listed = client.get("/office/questions?status=retired").get_data(as_text=True)
    assert "sample-004" in listed and "sample-001" not in listed
    export = client.get("/office/questions?status=retired&format=csv").get_data(as_text=True)
    assert export.splitlines()[1].startswith("sample-004,") and ",retired," in export
    client.post(url, data={"csrf_token": csrf(client, url), "reason": "Rewritten"})
    assert not question(session, "sample-004").retired


def test_upload_a_gift_file_preview_then_apply(client, session, office):
    url = "/office/questions/upload"
    token = csrf(client, url)
    no_tag = client.post(url, data={"csrf_token": token, "lang": "zh_CN",
                                    "file": (io.BytesIO(GIFT.encode()), "new.gift")})
    assert no_tag.status_code == 422 and "Choose the tag" in no_tag.get_data(as_text=True)
    junk = client.post(url, data={"csrf_token": token, "lang": "zh_CN", "tag": "sample.a",
                                  "file": (io.BytesIO(b"\xff\xfe\x00\x81junk"), "new.gift")})
    assert junk.status_code == 422 and "not UTF-8" in junk.get_data(as_text=True)
    sent = client.post(url, data={"csrf_token": token, "lang": "zh_CN", "tag": "sample.a",
                                  "file": (io.BytesIO(GIFT.encode()), "new.gift")})
    assert sent.status_code == 302
    preview = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Nothing has been applied yet." in preview and "2 to add, 0 to change, 0 unchanged, 1 refused" in preview
    assert "Line 6: numerical questions are not supported" in preview
    assert question(session, "gift-one") is None
    applied = client.post(sent.headers["Location"], data={"csrf_token": csrf(client, sent.headers["Location"])},
                          follow_redirects=True)
    assert "Applied: 2 added, 0 changed, 0 unchanged." in applied.get_data(as_text=True)
    assert question(session, "gift-two").current_version.origin == "office"
    again = client.get(sent.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "no longer kept" in again  # applied once: the kept upload is gone
    assert session.scalar(select(func.count()).select_from(QuestionVersion)) == 14


def test_a_question_the_form_cannot_hold_is_edited_as_yaml(client, session, office):
    q = question(session, "sample-002")
    q.current_version.data = {key: value for key, value in q.current_version.data.items() if key != "stem"}
    session.commit()
    response = client.get("/office/questions/sample-002/edit")
    assert response.status_code == 302 and response.headers["Location"].endswith("/office/questions/sample-002/yaml")


def test_the_checks_messages_are_said_in_words(app):
    from portal.office.check_words import in_words

    with app.test_request_context(headers={"Cookie": "lang=en"}):
        assert in_words("option b: missing translation 'en': English readers see the Chinese text") == \
            "option b: no English text; English readers see the Chinese text"
        assert in_words("stem: missing translation 'zh_CN'") == "question text: the Chinese text is missing"
        assert in_words("answer names no option: 'x'") == "The answer names no option: 'x'"
        assert in_words("a message a new question type adds") == "a message a new question type adds"
