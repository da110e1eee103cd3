"""`flask content export`: the database's questions back in the question bank's YAML format, one file per file
they came from (questions the office created: office.yaml), retired ones marked `retired: true`, so that what
the office changed can be reviewed and committed. Syncing the exported files changes nothing."""
from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.content.versions import OFFICE_FILE
from portal.models import Question

KEY_ORDER = ("id", "type", "difficulty", "tags", "source", "exam_only", "retired")


def bank_files(session: Session) -> dict[str, list[dict]]:
    """File name -> its questions as the file holds them (in the order they were first loaded)."""
    files: dict[str, list[dict]] = {}
    for question in session.scalars(select(Question).order_by(Question.id)):
        if question.current_version is None:
            continue
        data = dict(question.current_version.data)
        if question.retired:
            data["retired"] = True
        ordered = {key: data[key] for key in KEY_ORDER if key in data}
        ordered.update((key, value) for key, value in data.items() if key not in ordered)
        files.setdefault(Path(question.source_file or OFFICE_FILE).name, []).append(ordered)
    return files


def export_bank(session: Session, out: Path) -> dict[str, int]:
    """Write every file into the folder out; returns how many questions each file holds."""
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, questions in bank_files(session).items():
        text = yaml.safe_dump({"questions": questions}, allow_unicode=True, sort_keys=False, width=1000)
        (out / name).write_text(text, encoding="utf-8")
        written[name] = len(questions)
    return written
