"""Lesson media over HTTP: the page's figure and players, byte ranges, caching, and who may not have them."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from portal.domain.content.sync import sync_content
from portal.models import Course
from tests.conftest import FIXTURE_CONTENT, media_url
from tests.factories import make_org, make_trainee, make_user

CLIP = (FIXTURE_CONTENT / "courses/sample-course/lessons/clip.webm").read_bytes()


@pytest.fixture
def trainee_user(session):
    sync_content(session, FIXTURE_CONTENT)
    user = make_user("trainee", org=make_org())
    session.commit()
    return user


@pytest.fixture
def signed_in(client, login, trainee_user):
    login(trainee_user)
    return client


def test_the_lesson_page_shows_the_figure_the_video_and_the_transcript(signed_in):
    page = signed_in.get("/me/courses/sample-course/lessons/02-second").get_data(as_text=True)
    assert f'<img src="{media_url("diagram.svg")}" alt="示意图" width="10" height="10" loading="lazy"' in page
    assert "<figcaption>燃烧三要素</figcaption>" in page
    assert f'poster="{media_url("clip-poster.svg")}"' in page
    assert f'<track kind="captions" src="{media_url("clip.zh_CN.vtt")}" srclang="zh"' in page
    assert "<details><summary>" in page and "<p>测试画面，持续两秒。</p>" in page
    signed_in.set_cookie("lang", "en")
    english = signed_in.get("/me/courses/sample-course/lessons/02-second")
    assert f'src="{media_url("clip.en.vtt")}" srclang="en" label="English"' in english.get_data(as_text=True)


def test_a_range_request_gets_206_with_those_bytes(signed_in):
    response = signed_in.get(media_url("clip.webm"), headers={"Range": "bytes=100-1099"})
    assert response.status_code == 206
    assert response.data == CLIP[100:1100]
    assert response.headers["Content-Range"] == f"bytes 100-1099/{len(CLIP)}"
    assert response.headers["Content-Type"] == "video/webm"
    response.close()
    tail = signed_in.get(media_url("clip.webm"), headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.data == CLIP[-10:]
    tail.close()
    beyond = signed_in.get(media_url("clip.webm"), headers={"Range": f"bytes={len(CLIP) + 5}-"})
    assert beyond.status_code == 416
    beyond.close()


def test_media_is_cached_for_long_by_its_content_hash_and_revalidates(app, signed_in):
    response = signed_in.get(media_url("clip.webm"))
    assert response.status_code == 200 and response.data == CLIP
    assert response.headers["Accept-Ranges"] == "bytes"
    cache = response.cache_control
    assert (cache.private, cache.public, cache.max_age, cache.immutable) == (True, False, 31_536_000, True)
    etag = response.headers["ETag"]
    response.close()
    again = signed_in.get(media_url("clip.webm"), headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    again.close()
    assert (Path(app.config["STORAGE_PATH"]) / "media" / etag.strip('"')).read_bytes() == CLIP


def test_captions_are_served_as_webvtt(signed_in):
    response = signed_in.get(media_url("clip.zh_CN.vtt"))
    assert response.headers["Content-Type"].startswith("text/vtt") and response.data.startswith(b"WEBVTT")
    response.close()


@pytest.mark.parametrize("path", [
    "/me/courses/sample-course/media/0000000000000000/clip.webm",  # not the current version
    "/me/courses/sample-course/media/{version}/course.yaml",  # not a file a lesson shows
    "/me/courses/sample-course/media/{version}/02-second.zh_CN.md",
    "/me/courses/sample-course/media/{version}/clip.zh_CN.txt",  # a transcript is in the page, not served
    "/me/courses/sample-course/media/{version}/..%2Fcourse.yaml",
    "/me/courses/sample-course/media/{version}/..%2F..%2F..%2Fpyproject.toml",
    "/me/courses/sample-course/media/{version}/%2e%2e%2fcourse.yaml",
    "/me/courses/sample-course/media/..%2F{version}/clip.webm",
    "/me/courses/sample-course/media/{version}/lessons%2Fclip.webm",
    "/me/courses/no-such-course/media/{version}/clip.webm",
])
def test_nothing_but_a_current_file_of_the_course_is_served(signed_in, path):
    version = media_url("clip.webm").split("/")[-2]
    response = signed_in.get(path.format(version=version))
    assert response.status_code == 404
    response.close()


def test_a_retired_course_serves_no_media(signed_in, session):
    session.scalar(select(Course).where(Course.code == "sample-course")).retired = True
    session.commit()
    response = signed_in.get(media_url("diagram.svg"))
    assert response.status_code == 404
    response.close()


def test_a_course_the_trainee_does_not_take_serves_no_media(client, login, session, trainee_user):
    other = make_user(username="guard")
    make_trainee(make_org(), user=other, groups=("security_staff",))
    session.commit()
    login(other)
    response = client.get(media_url("diagram.svg"))
    assert response.status_code == 404
    response.close()
