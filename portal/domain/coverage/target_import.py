"""Importing targets from a spreadsheet: recognise the columns, check every row, compare with the
targets in force, preview, and apply all or nothing.

Columns: key group (code or name), locality code, declared count, and optionally the deadline and
the target rate ("95%", "95" or "0.95"). A blank deadline or rate keeps the current target's value,
or the default (December 31 of this year, 100%). One row per (group, locality).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.platform import audit
from portal.domain.coverage.targets import MAX_DECLARED, TargetData, default_deadline, save_target
from portal.domain.platform.tabular import Cell, Table, TableError, formula_refusal, unneutralise, write_table
from portal.domain.platform.validators import date_range_message, is_plausible_date
from portal.models import KeyGroup, Locality, Target

FIELDS = ("group", "locality", "declared", "deadline", "rate")
REQUIRED = ("group", "locality", "declared")
TEMPLATE_HEADERS = {
    "zh_CN": ["重点人群", "地区代码", "申报人数", "截止日期", "目标覆盖率"],
    "en": ["Key group", "Locality code", "Declared count", "Deadline", "Target rate"],
}
ALIASES = {
    "group": ("重点人群", "人群", "人群代码", "人群类别", "keygroup", "group", "groupcode", "keygroupcode"),
    "locality": ("地区代码", "区划代码", "行政区划代码", "地区", "网格代码", "localitycode", "locality", "placecode"),
    "declared": ("申报人数", "人数", "目标人数", "无名册人数", "declaredcount", "declared", "count", "people"),
    "deadline": ("截止日期", "期限", "完成期限", "deadline", "duedate", "by"),
    "rate": ("目标覆盖率", "覆盖率", "目标", "targetrate", "rate", "target"),
}
REASON_HEADER = "错误原因 / Reason"
EXCEL_EPOCH = date(1899, 12, 30)
DATE_PATTERNS = (
    re.compile(r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?:[ T].*)?"),
    re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日?"),
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"),
)


class TargetFileError(TableError):
    """The file as a whole is not a target list (columns missing or repeated)."""


@dataclass(frozen=True)
class TargetRow:
    number: int
    group_id: int
    group_code: str
    locality_id: int
    locality_code: str
    declared_count: int
    deadline: date
    target_rate: float


@dataclass(frozen=True)
class InvalidTargetRow:
    number: int
    cells: tuple
    reasons: tuple


@dataclass
class TargetPreview:
    headers: list[str]
    new: list[TargetRow] = field(default_factory=list)
    changed: list[tuple[TargetRow, dict]] = field(default_factory=list)  # row, field -> (old, new)
    unchanged: list[TargetRow] = field(default_factory=list)
    invalid: list[InvalidTargetRow] = field(default_factory=list)

    @property
    def can_apply(self) -> bool:
        """All or nothing: only a file without a single invalid row, with something to change."""
        return not self.invalid and bool(self.new or self.changed)


class _Refused(Exception):
    def __init__(self, reason):
        super().__init__()
        self.reason = reason


def _key(header) -> str:
    text = unicodedata.normalize("NFKC", str(header or "")).casefold()
    text = re.sub(r"\(.*?\)", "", text)
    return re.sub(r"[\s_\-*:.%/]+", "", text)


ALIAS_FIELDS = {_key(alias): name for name, aliases in ALIASES.items() for alias in aliases}


def columns(headers: list[str]) -> dict[str, int]:
    """Which column holds which field; TargetFileError when a required one is missing or one repeats."""
    found: dict[str, int] = {}
    for index, header in enumerate(headers):
        name = ALIAS_FIELDS.get(_key(header))
        if name is None:
            continue
        if name in found:
            raise TargetFileError(_l('The column "%(column)s" appears more than once.', column=header))
        found[name] = index
    missing = [name for name in REQUIRED if name not in found]
    if missing:
        labels = ", ".join(f"{TEMPLATE_HEADERS['zh_CN'][FIELDS.index(n)]} / {TEMPLATE_HEADERS['en'][FIELDS.index(n)]}"
                           for n in missing)
        raise TargetFileError(_l("These required columns are missing: %(columns)s. The first row must hold the "
                                 "column names, as in the template.", columns=labels))
    return found


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return unneutralise(unicodedata.normalize("NFKC", str(cell)).strip())


def _count(cell: Cell) -> int:
    if isinstance(cell, float) and not cell.is_integer():
        raise _Refused(_l("The declared count must be a whole number."))
    text = _text(cell).replace(",", "")
    if not text:
        raise _Refused(_l("The declared count is missing (write 0 when there is nobody to declare)."))
    if not text.isdigit():
        raise _Refused(_l("The declared count must be a whole number."))
    value = int(text)
    if value > MAX_DECLARED:
        raise _Refused(_l("The declared count is a whole number from 0 to %(max)s.", max=MAX_DECLARED))
    return value


def _deadline(cell: Cell) -> date | None:
    day = _typed_deadline(cell)
    if day is not None and not is_plausible_date(day):
        raise _Refused(date_range_message())
    return day


def _typed_deadline(cell: Cell) -> date | None:
    if cell is None:
        return None
    if isinstance(cell, date):
        return cell
    if isinstance(cell, (int, float)) and 20000 < cell < 80000:  # an Excel date serial
        return EXCEL_EPOCH + timedelta(days=int(cell))
    text = _text(cell)
    for pattern in DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            try:
                return date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                break
    raise _Refused(_l("The deadline is not a date: write it as 2026-12-31."))


def _rate(cell: Cell) -> float | None:
    text = _text(cell)
    if not text:
        return None
    percent = text.endswith("%")
    try:
        value = float(text.rstrip("%").strip())
    except ValueError:
        raise _Refused(_l("The target rate is a percentage such as 95% (or 0.95).")) from None
    if percent or value > 1:
        value /= 100
    if not 0 < value <= 1:
        raise _Refused(_l("The target rate is a percentage above 0 and at most 100."))
    return round(value, 4)


def parse_targets(session: Session, table: Table, *, today: date) -> TargetPreview:
    """Check every row and compare it with the targets in force (nothing is written)."""
    found = columns(table.headers)
    groups = {}
    for group in session.scalars(select(KeyGroup)):
        for name in (group.code, group.name_zh, group.name_en):
            groups[_key(name)] = group
    localities = {code: locality_id for locality_id, code in session.execute(select(Locality.id, Locality.code))}
    existing = {(t.key_group_id, t.locality_id): t for t in session.scalars(select(Target))}
    preview = TargetPreview(headers=table.headers)
    seen: dict[tuple[int, int], int] = {}
    for row in table.rows:
        cells = list(row.cells) + [None] * (len(table.headers) - len(row.cells))

        def cell(name):
            return cells[found[name]] if name in found and found[name] < len(cells) else None

        reasons = []
        values = {}
        for name, read in (("group", lambda c: _group(c, groups)), ("locality", lambda c: _locality(c, localities)),
                           ("declared", _count), ("deadline", _deadline), ("rate", _rate)):
            value = cell(name)
            if name in found and (refusal := formula_refusal(value, _text(value), row=row.number,
                                                             column=table.headers[found[name]])):
                reasons.append(refusal)
                continue
            try:
                values[name] = read(value)
            except _Refused as refused:
                reasons.append(refused.reason)
        if not reasons:
            key = (values["group"].id, values["locality"])
            if key in seen:
                reasons.append(_l("The same key group and locality are already on row %(row)s.", row=seen[key]))
            seen.setdefault(key, row.number)
        if reasons:
            preview.invalid.append(InvalidTargetRow(row.number, tuple(_text(c) for c in cells), tuple(reasons)))
            continue
        current = existing.get(key)
        target_row = TargetRow(
            number=row.number, group_id=values["group"].id, group_code=values["group"].code,
            locality_id=values["locality"], locality_code=_text(cell("locality")),
            declared_count=values["declared"],
            deadline=values["deadline"] or (current.deadline if current else default_deadline(today)),
            target_rate=values["rate"] or (current.target_rate if current else 1.0))
        _classify(preview, target_row, current)
    return preview


def _group(cell: Cell, groups: dict) -> KeyGroup:
    text = _text(cell)
    if not text:
        raise _Refused(_l("The key group is missing."))
    group = groups.get(_key(text))
    if group is None:
        raise _Refused(_l('There is no key group "%(group)s".', group=text[:40]))
    return group


def _locality(cell: Cell, localities: dict[str, int]) -> int:
    text = _text(cell)
    if not text:
        raise _Refused(_l("The locality code is missing."))
    if text not in localities:
        raise _Refused(_l('There is no locality with the code "%(code)s".', code=text[:32]))
    return localities[text]


def _classify(preview: TargetPreview, row: TargetRow, current: Target | None) -> None:
    if current is None:
        preview.new.append(row)
        return
    changes = {}
    for name, old, new in (("declared_count", current.declared_count, row.declared_count),
                           ("deadline", current.deadline, row.deadline),
                           ("target_rate", current.target_rate, row.target_rate)):
        if old != new:
            changes[name] = (old, new)
    if changes:
        preview.changed.append((row, changes))
    else:
        preview.unchanged.append(row)


def apply_targets(session: Session, preview: TargetPreview, *, actor_id: int | None, address: str = "") -> int:
    """Save every new and changed target, or nothing if any row is invalid; returns how many were saved."""
    if preview.invalid:
        raise TargetFileError(_l("The file has invalid rows: fix them and upload it again. Nothing was imported."))
    rows = [*preview.new, *(row for row, _changes in preview.changed)]
    for row in rows:
        save_target(session, TargetData(row.group_id, row.locality_id, row.declared_count, row.deadline,
                                        row.target_rate), actor_id=actor_id, address=address)
    audit.record(session, actor_id=actor_id, action="coverage.targets.import", target_type="target",
                 address=address, details={"new": len(preview.new), "changed": len(preview.changed)})
    return len(rows)


def preview_to_json(preview: TargetPreview) -> dict:
    def row(r: TargetRow) -> dict:
        data = asdict(r)
        data["deadline"] = r.deadline.isoformat()
        return data

    return {"headers": preview.headers, "new": [row(r) for r in preview.new],
            "changed": [{"row": row(r), "changes": {k: [str(a), str(b)] for k, (a, b) in c.items()}}
                        for r, c in preview.changed],
            "unchanged": [row(r) for r in preview.unchanged],
            "invalid": [{"number": r.number, "cells": list(r.cells), "reasons": [str(x) for x in r.reasons]}
                        for r in preview.invalid]}


def preview_from_json(data: dict) -> TargetPreview:
    def row(d: dict) -> TargetRow:
        return TargetRow(**{**d, "deadline": date.fromisoformat(d["deadline"])})

    return TargetPreview(
        headers=data["headers"], new=[row(d) for d in data["new"]],
        changed=[(row(d["row"]), {k: tuple(v) for k, v in d["changes"].items()}) for d in data["changed"]],
        unchanged=[row(d) for d in data["unchanged"]],
        invalid=[InvalidTargetRow(d["number"], tuple(d["cells"]), tuple(d["reasons"])) for d in data["invalid"]])


def template(locale: str, fmt: str, *, today: date, examples: list[tuple[str, str, int]] = ()) -> bytes:
    """A file to fill in: the headers and example rows (group code, locality code, declared count)."""
    headers = TEMPLATE_HEADERS.get(locale, TEMPLATE_HEADERS["en"])
    deadline = default_deadline(today)
    rows = [[group, code, count, deadline, "100%"] for group, code, count in examples] or \
        [["grid_worker", "110199010101", 12, deadline, "100%"]]
    return write_table(fmt, headers, rows, sheet_title="targets", text_columns=(1,))


def error_file(preview: TargetPreview, fmt: str) -> bytes:
    """The invalid rows as they were, with the reasons in a last column, to fix and upload again."""
    headers = [*preview.headers, REASON_HEADER]
    rows = [[*row.cells, "; ".join(str(r) for r in row.reasons)] for row in preview.invalid]
    return write_table(fmt, headers, rows, sheet_title="errors")
