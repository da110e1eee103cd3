"""The office uploads questions (a GIFT or a question-bank YAML file): read, preview, then apply all at once.

Reading refuses what the content check refuses, each with its line; the preview says, per question, whether it
is added, changed (with the changed texts) or unchanged. What was read is kept server-side under
STORAGE_PATH/content-uploads/<token>.json until the office applies it (or a day passes): never in the session."""
from __future__ import annotations

import difflib
import json
import re
import secrets
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.platform import audit
from portal.domain.platform import yamlines
from portal.domain.content.check import line_at, question_problems
from portal.domain.content.office_content import pool_tags
from portal.domain.content.sync import plain
from portal.domain.content.versions import OFFICE_FILE, add_version, new_question, version_data
from portal.domain.platform.errors import ValidationError
from portal.domain.content.gift import parse_gift
from portal.models import Question

MAX_UPLOAD_BYTES = 1024 * 1024
KEEP_SECONDS = 24 * 3600
GIFT_SUFFIXES = (".gift", ".txt")
YAML_SUFFIXES = (".yaml", ".yml")
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,40}$")


@dataclass
class Upload:
    """What a file held: the questions the check accepts (with their lines), what it refused and its warnings."""

    filename: str
    user_id: int
    questions: list[dict] = field(default_factory=list)  # {"line": n, "data": {...}}
    refused: list[dict] = field(default_factory=list)  # {"line": n, "message": "..."}
    warnings: list[dict] = field(default_factory=list)


@dataclass
class PreviewItem:
    code: str
    line: int
    status: str  # added | changed | unchanged
    diff: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)  # (field, [(op, text)])


def read_upload(raw: bytes, filename: str, *, user_id: int, tag: str = "", lang: str = "zh_CN",
                session: Session) -> Upload:
    """Read an uploaded file; a file that cannot be read at all raises ValidationError with a clear message."""
    suffix = Path(filename or "").suffix.lower()
    if suffix not in GIFT_SUFFIXES + YAML_SUFFIXES:
        raise ValidationError(_l("Upload a GIFT file (.gift or .txt) or a question-bank YAML file (.yaml)."), "file")
    if len(raw) > MAX_UPLOAD_BYTES:
        raise ValidationError(_l("The file is larger than %(size)s KB.", size=MAX_UPLOAD_BYTES // 1024), "file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(_l("The file is not UTF-8 text: save it as UTF-8 and upload it again."), "file") from None
    if "\x00" in text:
        raise ValidationError(_l("The file is not a text file."), "file")
    upload = Upload(filename=Path(filename).name, user_id=user_id)
    drawn = set(pool_tags(session))
    if suffix in GIFT_SUFFIXES:
        if tag not in drawn:
            raise ValidationError(_l("Choose the tag the questions get: one a course's quiz draws from."), "tag")
        result = parse_gift(text, tag=tag, lang=lang)
        upload.refused += [{"line": p.line, "message": p.message} for p in result.problems]
        found = list(zip(result.lines, result.questions))
    else:
        found = _read_yaml(text, upload)
    _check(found, upload, drawn)
    if not upload.questions and not upload.refused:
        raise ValidationError(_l("The file holds no questions."), "file")
    return upload


def _read_yaml(text: str, upload: Upload) -> list[tuple[int, dict]]:
    try:
        data = yamlines.load(text, aliases=False)
    except yamlines.YamlProblem as problem:
        upload.refused.append({"line": problem.line, "message": problem.message})
        return []
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
        raise ValidationError(_l("A YAML file holds a 'questions' list, as the files in question_bank do."), "file")
    return [(data["questions"].line_of(index), question) for index, question in enumerate(data["questions"])]


def _check(found: list[tuple[int, object]], upload: Upload, drawn: set[str]) -> None:
    seen: set[str] = set()
    for line, question in found:
        if not isinstance(question, dict):
            upload.refused.append({"line": line, "message": "each question is a mapping"})
            continue
        problems = question_problems(question)
        code = question.get("id")
        if not isinstance(code, str) or not re.match(r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$", code):
            problems.append((("id",), "question id: lowercase letters, digits and '-', 3-64 characters", False))
        elif code in seen:
            problems.append((("id",), f"question id {code!r} twice in this file", False))
        for keys, message, warning in problems:
            entry = {"line": line_at(question, keys) if hasattr(question, "line_of") else line, "message": message}
            (upload.warnings if warning else upload.refused).append(entry)
        if any(not warning for _keys, _message, warning in problems):
            continue
        seen.add(code)
        undrawn = [t for t in question["tags"] if t not in drawn]
        if len(undrawn) == len(question["tags"]):
            upload.warnings.append({"line": line, "message": f"no course's quiz draws tags {', '.join(undrawn)}: "
                                                             "the question will not be asked"})
        upload.questions.append({"line": line, "data": plain(question)})
    upload.refused.sort(key=lambda entry: entry["line"])
    upload.warnings.sort(key=lambda entry: entry["line"])


# --- kept between the preview and "Apply" ----------------------------------------------------------------------


def store(upload: Upload, folder: Path, *, now: float | None = None) -> str:
    """Keep the read upload under a random token (and forget uploads older than a day)."""
    folder.mkdir(parents=True, exist_ok=True)
    now = now or time.time()
    for old in folder.glob("*.json"):
        if old.stat().st_mtime < now - KEEP_SECONDS:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(18)
    (folder / f"{token}.json").write_text(json.dumps(asdict(upload), ensure_ascii=False), encoding="utf-8")
    return token


def load(folder: Path, token: str, *, user_id: int) -> Upload | None:
    """The upload kept under the token, only for the user who made it; None when gone."""
    path = folder / f"{token}.json"
    if not TOKEN.match(token or "") or not path.is_file():
        return None
    upload = Upload(**json.loads(path.read_text(encoding="utf-8")))
    return upload if upload.user_id == user_id else None


def forget(folder: Path, token: str) -> None:
    if TOKEN.match(token or ""):
        (folder / f"{token}.json").unlink(missing_ok=True)


# --- preview and apply ------------------------------------------------------------------------------------------


def preview(session: Session, upload: Upload) -> list[PreviewItem]:
    """Each accepted question against the database: added, changed (with what changed) or unchanged."""
    codes = [item["data"]["id"] for item in upload.questions]
    existing = {q.code: q for q in session.scalars(select(Question).where(Question.code.in_(codes)))} if codes else {}
    items = []
    for item in upload.questions:
        data, question = item["data"], existing.get(item["data"]["id"])
        if question is None or question.current_version is None:
            items.append(PreviewItem(data["id"], item["line"], "added"))
            continue
        old = {**question.current_version.data, "retired": question.retired}
        new = {**version_data(data), "retired": bool(data.get("retired", question.retired))}
        diff = text_diff(old, new)
        items.append(PreviewItem(data["id"], item["line"], "changed" if diff else "unchanged", diff))
    return items


def apply_upload(session: Session, upload: Upload, *, actor_id: int, address: str = "") -> dict[str, int]:
    """Add and change the upload's questions (flushed: the caller commits all or, on failure, nothing)."""
    counts = {"added": 0, "changed": 0, "unchanged": 0}
    existing = {q.code: q for q in session.scalars(select(Question))}
    for item, shown in zip(upload.questions, preview(session, upload)):
        counts[shown.status] += 1
        if shown.status == "unchanged":
            continue
        data = item["data"]
        question = existing.get(data["id"]) or new_question(session, data["id"], OFFICE_FILE)
        add_version(session, question, data, origin="office", actor_id=actor_id)
        if "retired" in data and question.retired != bool(data["retired"]):
            question.retired, question.office_set_retired = bool(data["retired"]), True
    audit.record(session, actor_id=actor_id, action="question.upload", target_type="question",
                 details={"file": upload.filename, **counts, "not_imported": len(upload.refused)}, address=address)
    session.flush()
    return counts


def text_diff(old: dict, new: dict) -> list[tuple[str, list[tuple[str, str]]]]:
    """The fields whose text differs, each as segments (equal | delete | insert, text), character by character."""
    before, after = _flatten(old), _flatten(new)
    changes = []
    for key in list(dict.fromkeys([*before, *after])):
        a, b = before.get(key, ""), after.get(key, "")
        if a == b:
            continue
        segments = []
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
            if op == "equal":
                segments.append(("equal", a[i1:i2]))
            else:
                if i2 > i1:
                    segments.append(("delete", a[i1:i2]))
                if j2 > j1:
                    segments.append(("insert", b[j1:j2]))
        changes.append((key, segments))
    return changes


def _flatten(value, prefix: str = "") -> dict[str, str]:
    """stem.zh_CN, options.b.en, answer ...: one text per leaf, lists of mappings keyed by their id."""
    if isinstance(value, dict):
        out: dict[str, str] = {}
        for key, item in value.items():
            out.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list) and any(isinstance(item, dict) for item in value):
        out = {}
        for index, item in enumerate(value, start=1):
            name = str(item.get("id", index)) if isinstance(item, dict) else str(index)
            out.update(_flatten(item, f"{prefix}.{name}"))
        return out
    if isinstance(value, list):
        return {prefix: ", ".join(map(str, value))}
    return {prefix: "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)}
