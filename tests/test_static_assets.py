"""Static files under content-hashed names with far-future caching; compressed, light, script-free pages."""
from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pytest
from flask import url_for

from portal.domain.content.sync import sync_content
from portal.web.assets import IMMUTABLE_MAX_AGE, STALE_MAX_AGE, StaticAssets
from tests.conftest import FIXTURE_CONTENT
from tests.factories import make_org, make_user

STATIC = Path(__file__).resolve().parents[1] / "static"
BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd"}


def digest(relative: str) -> str:
    return hashlib.sha256((STATIC / relative).read_bytes()).hexdigest()[:8]


def test_url_for_static_gives_the_content_hashed_name(app):
    with app.test_request_context():
        assert url_for("static", filename="css/portal.css") == f"/static/css/portal.{digest('css/portal.css')}.css"
        assert url_for("static", filename="js/quiz.js") == f"/static/js/quiz.{digest('js/quiz.js')}.js"
        assert url_for("static", filename="no/such.css") == "/static/no/such.css"


def test_a_current_hash_is_cached_for_a_year_and_immutable(client):
    response = client.get(f"/static/css/portal.{digest('css/portal.css')}.css")
    assert response.status_code == 200
    assert response.data == (STATIC / "css/portal.css").read_bytes()
    assert response.cache_control.public and response.cache_control.immutable
    assert response.cache_control.max_age == IMMUTABLE_MAX_AGE
    assert response.mimetype == "text/css"


def test_a_stale_hash_still_serves_the_current_file_briefly_cached(client):
    response = client.get("/static/css/portal.0badc0de.css")
    assert response.status_code == 200 and response.data == (STATIC / "css/portal.css").read_bytes()
    assert response.cache_control.max_age == STALE_MAX_AGE and not response.cache_control.immutable


def test_plain_names_work_as_before_and_unknown_files_are_404(client):
    plain = client.get("/static/css/portal.css")
    assert plain.status_code == 200 and not plain.cache_control.immutable
    plain.close()
    for path in ("/static/css/nothing.0badc0de.css", "/static/css/nothing.css", "/static/..%2Fpyproject.0badc0de.toml",
                 "/static/../pyproject.toml"):
        assert client.get(path).status_code == 404, path


def test_conditional_requests_answer_304(client):
    url = f"/static/js/quiz.{digest('js/quiz.js')}.js"
    first = client.get(url)
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_hashes_are_computed_once_unless_watching(tmp_path):
    (tmp_path / "a.css").write_text("a{}")
    once, watching = StaticAssets(str(tmp_path)), StaticAssets(str(tmp_path), watch=True)
    first = once.hashed_name("a.css")
    assert first == watching.hashed_name("a.css") and re.fullmatch(r"a\.[0-9a-f]{8}\.css", first)
    (tmp_path / "a.css").write_text("b{color:red}")
    os.utime(tmp_path / "a.css", ns=(1, 1))
    assert once.hashed_name("a.css") == first
    assert watching.hashed_name("a.css") != first
    assert StaticAssets.split("css/portal.0123abcd.css") == ("css/portal.css", "0123abcd")
    assert StaticAssets.split("css/portal.css") == ("css/portal.css", None)


def test_pages_and_static_text_are_compressed_for_browsers_that_ask(client):
    page = client.get("/auth/login", headers=BROWSER)
    assert page.headers["Content-Encoding"] in ("zstd", "br", "gzip")
    assert "Accept-Encoding" in page.headers["Vary"]
    assert client.get("/auth/login").headers.get("Content-Encoding") is None  # a client that did not ask
    css = client.get(f"/static/css/portal.{digest('css/portal.css')}.css", headers=BROWSER)
    assert css.headers["Content-Encoding"] in ("zstd", "br", "deflate")
    assert len(css.data) < (STATIC / "css/portal.css").stat().st_size / 2
    css.close()


@pytest.fixture
def trainee_client(client, login, session):
    sync_content(session, FIXTURE_CONTENT)
    user = make_user("trainee", org=make_org())
    session.commit()
    login(user)
    return client


def wire_size(response) -> int:
    head = len(f"HTTP/1.1 {response.status}\r\n") + sum(len(f"{k}: {v}\r\n") for k, v in response.headers.items())
    return head + len(response.get_data())


def test_a_lesson_is_light_on_first_visit_and_on_the_next(trainee_client):
    first = trainee_client.get("/me/courses/sample-course/lessons/01-first", headers=BROWSER)
    assert first.headers["Content-Encoding"] in ("zstd", "br", "gzip")  # the test client does not decode
    total, assets = wire_size(first), []
    page = trainee_client.get("/me/courses/sample-course/lessons/01-first").get_data(as_text=True)
    for url in dict.fromkeys(re.findall(r'(?:href|src)="(/static/[^"]+)"', page)):
        response = trainee_client.get(url, headers=BROWSER)
        assert response.cache_control.immutable, url
        total += wire_size(response)
        assets.append(url)
        response.close()
    assert any(".css" in url for url in assets) and any(".js" in url for url in assets)
    assert total < 100 * 1024
    following = trainee_client.get("/me/courses/sample-course/lessons/02-second", headers=BROWSER)
    # its static files are the same immutable URLs, already in the browser's cache
    assert set(re.findall(r'(?:href|src)="(/static/[^"]+)"', trainee_client.get(
        "/me/courses/sample-course/lessons/02-second").get_data(as_text=True))) <= set(assets)
    assert wire_size(following) < 20 * 1024


@pytest.mark.parametrize("path", ["/", "/auth/login", "/me/", "/me/courses/sample-course",
                                  "/me/courses/sample-course/lessons/01-first"])
def test_no_render_blocking_or_inline_script(trainee_client, path):
    page = trainee_client.get(path).get_data(as_text=True)
    for tag in re.findall(r"<script\b[^>]*>", page):
        assert "src=" in tag and re.search(r"\b(defer|async)\b", tag), tag


def test_the_quiz_works_without_javascript(trainee_client):
    start = trainee_client.post("/me/courses/sample-course/quiz")
    attempt = re.search(r"/me/attempts/(\d+)", start.headers["Location"]).group(1)
    page = trainee_client.get(f"/me/attempts/{attempt}").get_data(as_text=True)
    assert re.search(r'<form method="post" action="/me/attempts/\d+/answers"', page)
    assert 'type="submit"' in page and "<noscript" not in page  # plain buttons save and submit
