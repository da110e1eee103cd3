"""Pictures, video and audio in lessons: how a lesson names them and what `flask content check` asks of them.

A picture is Markdown's image, a file beside the lesson, with alt text and an optional caption (the title):
`![what it shows](extinguisher-steps.zh_CN.svg "提、拔、握、压")`. A video or an audio file is a fenced block
whose info string is `video` or `audio`, holding YAML that names files beside the lesson:

    ```video
    file: demo.mp4              # .mp4 or .webm (audio: .mp3, .m4a, .ogg, .wav)
    poster: demo-poster.svg     # video only, required: shown before it plays, gives the player its size
    captions: demo.zh_CN.vtt    # WebVTT, in the lesson's language
    transcript: demo.zh_CN.txt  # plain text, shown under the player
    title: 演示                  # optional caption
    ```

A video needs captions or a transcript, an audio file a transcript (browsers show no captions for audio).
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from portal.domain.platform import yamlines
from portal.domain.content.imagesize import image_size

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,118}$")  # a file beside the lesson: no folders, no dot files
IMAGE_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".gif": "image/gif", ".webp": "image/webp"}
VIDEO_TYPES = {".mp4": "video/mp4", ".webm": "video/webm"}
AUDIO_TYPES = {".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".ogg": "audio/ogg", ".wav": "audio/wav"}
CAPTION_TYPES = {".vtt": "text/vtt"}
TRANSCRIPT_TYPES = {".txt": "text/plain"}
SERVED_TYPES = {**IMAGE_TYPES, **VIDEO_TYPES, **AUDIO_TYPES, **CAPTION_TYPES}
PLAYERS = ("video", "audio")
PLAYER_KEYS = ("file", "poster", "captions", "transcript", "title")
MAX_BYTES = 50 * 1024 * 1024  # kept in the database with the course: a long film belongs elsewhere
VERSION_LENGTH = 16  # hex digits of the SHA-256 in a media URL
_UNSAFE_SVG = re.compile(rb"<script|<foreignObject|\son[a-z]+\s*=|href\s*=\s*[\"']\s*(?:[a-z]+:|//)", re.I)


QUESTION_MEDIA = ("question_bank", "media")  # the pictures of image questions, each with its .license beside it


def question_media_folder(root: Path) -> Path:
    """Where the pictures of image questions live under the content root."""
    return Path(root).joinpath(*QUESTION_MEDIA)


QUESTION_MEDIA_PREFIX = "qb-"  # a question's picture among a course's files: never the name of a lesson's file


def question_media_name(file: str) -> str:
    """The name a course stores (and serves) an image question's picture under."""
    return QUESTION_MEDIA_PREFIX + file


def question_image_url(course_code: str, image: dict) -> str:
    """Where a trainee's browser fetches an image question's picture (versioned like lesson media)."""
    return (f"/me/courses/{course_code}/media/{str(image.get('sha256', ''))[:VERSION_LENGTH]}/"
            f"{question_media_name(str(image.get('file', '')))}")


def lesson_markdown() -> MarkdownIt:
    """The Markdown dialect of lessons (CommonMark with tables, no raw HTML)."""
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


_parser = lesson_markdown()


@dataclass
class MediaRef:
    """One picture, video or audio file a lesson shows, with the lines its parts are written on."""

    kind: str  # image | video | audio
    line: int
    file: str
    alt: str = ""
    title: str = ""
    poster: str = ""
    captions: str = ""
    transcript: str = ""
    lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)

    def served(self) -> list[str]:
        """The names the portal serves for it (a transcript is shown in the page instead)."""
        return [name for name in (self.file, self.poster, self.captions) if name]


def alt_text(image: Token) -> str:
    return "".join(child.content for child in image.children or []).strip()


def find_media(body: str, first_line: int = 1) -> tuple[list[MediaRef], list[tuple[int, str]]]:
    """The media a lesson body shows, and problems in how it names them; `first_line`: the body's line in the file."""
    refs: list[MediaRef] = []
    problems: list[tuple[int, str]] = []
    for token in _parser.parse(body):
        if token.type == "inline" and token.map:
            refs.extend(_images(token, first_line + token.map[0]))
        elif token.type == "fence" and token.map and token.info.strip() in PLAYERS:
            ref, found = player_ref(token, first_line + token.map[0])
            problems.extend(found)
            if ref is not None:
                refs.append(ref)
    return refs, problems


def _images(inline: Token, line: int) -> Iterable[MediaRef]:
    for child in inline.children or []:
        if child.type in ("softbreak", "hardbreak"):
            line += 1
        elif child.type == "image":
            yield MediaRef("image", line, str(child.attrGet("src") or ""), alt=alt_text(child),
                           title=str(child.attrGet("title") or "").strip())


def player_ref(fence: Token, line: int = 1) -> tuple[MediaRef | None, list[tuple[int, str]]]:
    """The video or audio a fenced block describes; `line`: the file line of its opening fence."""
    kind = fence.info.strip()
    try:
        data = yamlines.load(fence.content)
    except yamlines.YamlProblem as error:
        return None, [(line + error.line, f"{kind}: {error.message}")]
    if not isinstance(data, dict):
        return None, [(line, f"{kind}: a mapping of {', '.join(PLAYER_KEYS)}")]
    problems = [(line + data.line_of(key), f"{kind}: unknown key {key!r} (one of {', '.join(PLAYER_KEYS)})")
                for key in data if key not in PLAYER_KEYS]
    values = {key: str(data[key]).strip() for key in PLAYER_KEYS if data.get(key) is not None}
    lines = {key: line + data.line_of(key) for key in values}
    return MediaRef(kind, line, values.pop("file", ""), lines=lines, **values), problems


def check_ref(ref: MediaRef, folder: Path) -> list[tuple[int, str]]:
    """What keeps this picture, video or audio from being shown to everyone, as (line, message)."""
    if ref.kind == "image":
        problems = [] if ref.alt else [(ref.line, f"picture needs alt text saying what it shows: ![...]({ref.file})")]
        return problems + _check_file(ref.line, "picture", ref.file, folder)
    problems = []
    for key, role in (("file", ref.kind), ("poster", "poster"), ("captions", "captions"), ("transcript", "transcript")):
        name = ref.file if key == "file" else getattr(ref, key)
        if name:
            problems += _check_file(ref.line_of(key), role, name, folder)
    if not ref.file:
        problems.append((ref.line, f"{ref.kind}: file: the {ref.kind} file beside the lesson"))
    if ref.kind == "video" and not ref.poster:
        problems.append((ref.line, "video: poster: a picture beside the lesson, shown before the video plays"))
    if ref.kind == "video" and not (ref.captions or ref.transcript):
        problems.append((ref.line, "video: captions (a WebVTT file) or a transcript (a text file) is required "
                                   "for people who cannot hear it"))
    if ref.kind == "audio" and not ref.transcript:
        problems.append((ref.line, "audio: transcript (a text file) is required for people who cannot hear it"))
    return problems


def _check_file(line: int, role: str, name: str, folder: Path) -> list[tuple[int, str]]:
    types, content_problem = _ROLES[role]
    suffix = Path(name).suffix.lower()
    if not NAME.match(name) or suffix not in types:
        return [(line, f"{role}: a file beside the lesson ending in {', '.join(types)}, not {name!r}")]
    path = folder / name
    if not path.is_file():
        return [(line, f"{role} file does not exist: {name}")]
    if path.stat().st_size > MAX_BYTES:
        return [(line, f"{role} file is larger than {MAX_BYTES // 2**20} MB: {name}")]
    message = content_problem(path.read_bytes(), suffix) if content_problem else None
    return [(line, f"{role} {name}: {message}")] if message else []


def _picture_problem(data: bytes, suffix: str) -> str | None:
    if image_size(data, suffix) is None:
        return "cannot read its width and height (is it really a picture of that kind?)"
    if suffix == ".svg" and _UNSAFE_SVG.search(data):
        return "SVG must be plain drawing (no script, event handlers or outside references)"
    return None


def _captions_problem(data: bytes, _suffix: str) -> str | None:
    text = _utf8(data)
    if text is None:
        return "file is not UTF-8"
    return None if text.lstrip("\ufeff").startswith("WEBVTT") else "not WebVTT (the file starts with WEBVTT)"


def _transcript_problem(data: bytes, _suffix: str) -> str | None:
    text = _utf8(data)
    if text is None:
        return "file is not UTF-8"
    return None if text.strip() else "the transcript is empty"


def _utf8(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


_ROLES = {
    "picture": (IMAGE_TYPES, _picture_problem), "poster": (IMAGE_TYPES, _picture_problem),
    "video": (VIDEO_TYPES, None), "audio": (AUDIO_TYPES, None),
    "captions": (CAPTION_TYPES, _captions_problem), "transcript": (TRANSCRIPT_TYPES, _transcript_problem),
}


@dataclass(frozen=True)
class MediaFile:
    """A served file's bytes with what a page and the media route need to know of it."""

    name: str
    data: bytes
    sha256: str
    content_type: str
    size: tuple[int, int] | None  # width and height of a picture


@dataclass
class MediaSet:
    """A course's media as its lessons are rendered: the files served under `base_url`, the transcripts shown."""

    base_url: str
    files: dict[str, MediaFile] = field(default_factory=dict)
    transcripts: dict[str, str] = field(default_factory=dict)

    def url(self, name: str) -> str | None:
        """The file's URL, versioned by its content so that a changed file gets a new address."""
        file = self.files.get(name)
        return f"{self.base_url.rstrip('/')}/{file.sha256[:VERSION_LENGTH]}/{name}" if file else None

    def fingerprint(self) -> dict[str, str]:
        """name -> SHA-256 of every file and transcript: part of what the lesson HTML is made from."""
        texts = {name: hashlib.sha256(text.encode()).hexdigest() for name, text in self.transcripts.items()}
        return {**{name: file.sha256 for name, file in self.files.items()}, **texts}


def add_question_pictures(media: MediaSet, folder: Path, names: Iterable[str]) -> None:
    """Add the pictures of the image questions a course's quiz draws (from question_bank/media/)."""
    for name in names:
        data = (folder / name).read_bytes()
        suffix = Path(name).suffix.lower()
        stored = question_media_name(name)
        media.files[stored] = MediaFile(stored, data, hashlib.sha256(data).hexdigest(), IMAGE_TYPES[suffix],
                                        image_size(data, suffix))


def load_media(folder: Path, refs: Iterable[MediaRef], *, base_url: str) -> MediaSet:
    """Read the files that checked references name (from `folder`, the course's lessons folder)."""
    media = MediaSet(base_url)
    for ref in refs:
        for name in ref.served():
            if name not in media.files:
                data = (folder / name).read_bytes()
                suffix = Path(name).suffix.lower()
                media.files[name] = MediaFile(name, data, hashlib.sha256(data).hexdigest(), SERVED_TYPES[suffix],
                                              image_size(data, suffix) if suffix in IMAGE_TYPES else None)
        if ref.transcript:
            media.transcripts[ref.transcript] = (folder / ref.transcript).read_text(encoding="utf-8").lstrip("\ufeff")
    return media
