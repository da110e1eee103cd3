"""Pictures, video and audio in lessons: what the check refuses (file:line), what a sync keeps, how they render."""
from __future__ import annotations

import re
import shutil
import struct
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.domain.content.check import check_tree
from portal.domain.content.imagesize import image_size
from portal.domain.content.sync import ContentProblems, sync_content
from portal.models import Course, CourseMedia, Lesson
from tests.conftest import FIXTURE_CONTENT, media_url

LESSONS = "courses/sample-course/lessons"
FIRST_ZH = f"{LESSONS}/01-first.zh_CN.md"
SECOND_EN = f"{LESSONS}/02-second.en.md"


@pytest.fixture
def content(tmp_path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems(root: Path) -> list[str]:
    return [str(p) for p in check_tree(root).problems]


def line_of(root: Path, relative: str, needle: str) -> int:
    lines = (root / relative).read_text(encoding="utf-8").splitlines()
    return next(n for n, text in enumerate(lines, start=1) if needle in text)


def test_a_picture_without_alt_text_is_refused_at_its_line(content):
    edit(content / FIRST_ZH, "![示意图](diagram.svg)", "![](diagram.svg)")
    line = line_of(content, FIRST_ZH, "![](diagram.svg)")
    assert problems(content) == [f"{FIRST_ZH}:{line}: picture needs alt text saying what it shows: ![...](diagram.svg)"]


def test_a_picture_in_a_paragraph_is_found_on_its_own_line(content):
    edit(content / FIRST_ZH, "![示意图](diagram.svg)", "第一行\n第二行 ![](diagram.svg)")
    line = line_of(content, FIRST_ZH, "第二行")
    assert problems(content) == [f"{FIRST_ZH}:{line}: picture needs alt text saying what it shows: ![...](diagram.svg)"]


@pytest.mark.parametrize("source, message", [
    ("https://example.org/x.png", "picture: a file beside the lesson ending in .svg, .png, .jpg, .jpeg, .gif, .webp, "
                                  "not 'https://example.org/x.png'"),
    ("../course.yaml", "picture: a file beside the lesson ending in .svg, .png, .jpg, .jpeg, .gif, .webp, "
                       "not '../course.yaml'"),
    ("missing.svg", "picture file does not exist: missing.svg"),
])
def test_a_picture_must_be_a_file_beside_the_lesson(content, source, message):
    edit(content / FIRST_ZH, "(diagram.svg)", f"({source})")
    assert problems(content) == [f"{FIRST_ZH}:{line_of(content, FIRST_ZH, source)}: {message}"]


def test_a_drawing_with_a_script_or_no_size_is_refused(content):
    (content / LESSONS / "bad.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9">'
                                               '<script>alert(1)</script></svg>', encoding="utf-8")
    (content / LESSONS / "blank.png").write_bytes(b"not a png")
    edit(content / FIRST_ZH, "![示意图](diagram.svg)", "![坏图](bad.svg)\n\n![空图](blank.png)")
    assert problems(content) == [
        f"{FIRST_ZH}:{line_of(content, FIRST_ZH, 'bad.svg')}: picture bad.svg: SVG must be plain drawing "
        "(no script, event handlers or outside references)",
        f"{FIRST_ZH}:{line_of(content, FIRST_ZH, 'blank.png')}: picture blank.png: cannot read its width and height "
        "(is it really a picture of that kind?)",
    ]


def test_a_video_without_captions_or_transcript_is_refused(content):
    edit(content / SECOND_EN, "captions: clip.en.vtt\ntranscript: clip.en.txt\n", "")
    line = line_of(content, SECOND_EN, "```video")
    assert problems(content) == [f"{SECOND_EN}:{line}: video: captions (a WebVTT file) or a transcript (a text file) "
                                 "is required for people who cannot hear it"]


def test_a_video_with_only_a_transcript_or_only_captions_is_accepted(content):
    edit(content / SECOND_EN, "captions: clip.en.vtt\n", "")
    edit(content / f"{LESSONS}/02-second.zh_CN.md", "transcript: clip.zh_CN.txt\n", "")
    assert problems(content) == []


def test_a_video_needs_a_poster_and_audio_a_transcript(content):
    edit(content / SECOND_EN, "poster: clip-poster.svg\n", "")
    edit(content / SECOND_EN, "transcript: tone.en.txt\n", "")
    assert problems(content) == [
        f"{SECOND_EN}:{line_of(content, SECOND_EN, '```video')}: video: poster: a picture beside the lesson, "
        "shown before the video plays",
        f"{SECOND_EN}:{line_of(content, SECOND_EN, '```audio')}: audio: transcript (a text file) is required for "
        "people who cannot hear it",
    ]


def test_each_named_file_is_checked_at_the_line_that_names_it(content):
    (content / LESSONS / "clip.en.vtt").write_text("00:00.000 --> 00:01.000\nno header\n", encoding="utf-8")
    edit(content / SECOND_EN, "transcript: clip.en.txt", "transcript: nowhere.txt")
    edit(content / SECOND_EN, "title: Test video", "titel: Test video")
    assert problems(content) == [
        f"{SECOND_EN}:{line_of(content, SECOND_EN, 'captions:')}: captions clip.en.vtt: not WebVTT "
        "(the file starts with WEBVTT)",
        f"{SECOND_EN}:{line_of(content, SECOND_EN, 'transcript: nowhere')}: transcript file does not exist: "
        "nowhere.txt",
        f"{SECOND_EN}:{line_of(content, SECOND_EN, 'titel:')}: video: unknown key 'titel' "
        "(one of file, poster, captions, transcript, title)",
    ]


def test_a_video_file_of_another_kind_is_refused(content):
    edit(content / SECOND_EN, "file: clip.webm", "file: clip.avi")
    line = line_of(content, SECOND_EN, "file: clip.avi")
    assert problems(content) == [f"{SECOND_EN}:{line}: video: a file beside the lesson ending in .mp4, .webm, "
                                 "not 'clip.avi'"]


def test_sync_keeps_the_files_the_lessons_show_and_only_those(session, content):
    (content / LESSONS / "notes.txt").write_text("not shown anywhere", encoding="utf-8")
    sync_content(session, content)
    rows = {row.name: row for row in session.scalars(select(CourseMedia).join(Course, Course.id == CourseMedia.course_id)
                                                     .where(Course.code == "sample-course"))}
    assert set(rows) == {"diagram.svg", "clip.webm", "clip-poster.svg", "clip.zh_CN.vtt", "clip.en.vtt", "tone.ogg"}
    assert rows["clip.webm"].data == (content / LESSONS / "clip.webm").read_bytes()
    assert (rows["clip.webm"].content_type, rows["diagram.svg"].content_type) == ("video/webm", "image/svg+xml")
    assert sync_content(session, content).lines() == []


def test_a_changed_file_gets_a_new_url_and_a_dropped_one_goes(session, content):
    sync_content(session, content)
    (content / LESSONS / "diagram.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20 10"><rect width="20" height="10"/></svg>',
        encoding="utf-8")
    edit(content / SECOND_EN, "```audio\nfile: tone.ogg\ntranscript: tone.en.txt\n```\n", "")
    edit(content / f"{LESSONS}/02-second.zh_CN.md", "```audio\nfile: tone.ogg\ntranscript: tone.zh_CN.txt\n```\n", "")
    report = sync_content(session, content)
    assert report.changed == ["course sample-course"]
    html = session.scalar(select(Lesson.html_en).where(Lesson.slug == "01-first"))
    assert f'src="{media_url("diagram.svg", root=content)}" alt="Diagram" width="20" height="10"' in html
    assert "tone.ogg" not in {row.name for row in session.scalars(select(CourseMedia))}


def test_a_failed_sync_leaves_the_old_media(session, content):
    sync_content(session, content)
    session.commit()
    before = media_url("diagram.svg", root=content)
    (content / LESSONS / "diagram.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20 10"/>', encoding="utf-8")
    edit(content / FIRST_ZH, "![示意图](diagram.svg)", "![](diagram.svg)")
    with pytest.raises(ContentProblems):
        sync_content(session, content)
    session.rollback()
    row = session.scalar(select(CourseMedia).where(CourseMedia.name == "diagram.svg"))
    assert row.data == (FIXTURE_CONTENT / LESSONS / "diagram.svg").read_bytes()
    assert f'src="{before}"' in session.scalar(select(Lesson.html_zh).where(Lesson.slug == "01-first"))


def test_lessons_render_figures_and_players(session, content):
    sync_content(session, content)
    html = session.scalar(select(Lesson.html_zh).where(Lesson.slug == "02-second"))
    assert (f'<figure>\n<img src="{media_url("diagram.svg")}" alt="示意图" width="10" height="10" loading="lazy" '
            'decoding="async">\n<figcaption>燃烧三要素</figcaption>\n</figure>') in html
    video = re.search(r"<video [^>]*>", html).group(0)
    assert 'controls=""' in video and 'preload="metadata"' in video and 'playsinline=""' in video
    assert f'poster="{media_url("clip-poster.svg")}"' in video and 'width="160" height="90"' in video
    assert f'<source src="{media_url("clip.webm")}" type="video/webm">' in html
    assert (f'<track kind="captions" src="{media_url("clip.zh_CN.vtt")}" srclang="zh" label="中文" default="">'
            in html)
    assert re.search(r"</video>\n<figcaption>测试视频</figcaption></figure>\n<details><summary>[^<]+</summary>\n"
                     r"<p>测试画面，持续两秒。</p><p>背景是一声提示音。</p></details>", html)
    assert re.search(rf'<audio controls="" preload="metadata">\n<source src="{media_url("tone.ogg")}" '
                     r'type="audio/ogg">\n</audio></figure>\n<details><summary>', html)
    english = session.scalar(select(Lesson.html_en).where(Lesson.slug == "02-second"))
    assert 'srclang="en" label="English"' in english and "A beep plays behind it." in english


def _png(width: int, height: int) -> bytes:
    header = b"IHDR" + struct.pack(">II", width, height) + b"\x08\x02\0\0\0"
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + header


@pytest.mark.parametrize("data, suffix, size", [
    (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 360">', ".svg", (640, 360)),
    (b'<?xml version="1.0"?>\n<svg width="300px" height="150" viewBox="0 0 600 300">', ".svg", (300, 150)),
    (_png(800, 450), ".png", (800, 450)),
    (b"GIF89a" + struct.pack("<HH", 32, 16), ".gif", (32, 16)),
    (b"\xff\xd8\xff\xe0\x00\x04ab\xff\xc0\x00\x11\x08" + struct.pack(">HH", 480, 640) + b"\x03", ".jpg", (640, 480)),
    (b"RIFF\0\0\0\0WEBPVP8X" + b"\0" * 8 + (99).to_bytes(3, "little") + (49).to_bytes(3, "little"), ".webp", (100, 50)),
    (b"<svg>", ".svg", None),
    (_png(0, 10), ".png", None),
    (b"\xff\xd8\xff", ".jpeg", None),
])
def test_picture_sizes_come_from_the_files_own_bytes(data, suffix, size):
    assert image_size(data, suffix) == size
