"""A company's roster file: recognise its columns, check every row, compare it with the current roster.

Everything here is pure: the caller reads the upload with `tabular.read_table`, passes the key groups
and the organization's current people, shows the `Preview`, and applies it with `portal.domain.workforce.roster`.
"""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial

from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from portal.domain.platform.errors import ValidationError
from portal.domain.platform.localtime import local_today
from portal.domain.platform.tabular import (
    Cell, FormulaCell, Row, Table, TableError, formula_refusal, unneutralise, write_table
)
from portal.domain.workforce.roster_prior import PRIOR_ALIASES, PRIOR_FIELDS, read_prior
from portal.domain.platform.validators import (
    date_range_message, is_plausible_date, normalize_department, normalize_id_number, normalize_mobile
)

ALL_STAFF = "all_staff"
FIELDS = ("real_name", "mobile", "id_number", "post", "groups", "start_date", "department")
REQUIRED_FIELDS = ("real_name", "mobile", "post", "start_date")
TEMPLATE_HEADERS = {
    "zh_CN": ["姓名", "手机号", "身份证号", "岗位", "重点人群", "入职日期", "部门"],
    "en": ["Name", "Mobile", "ID number", "Post", "Key groups", "Start date", "Department"],
}
TEXT_FIELDS = ("mobile", "id_number")  # formatted as Text in XLSX so Excel keeps every digit
REASON_HEADER = "错误原因 / Reason"
# The error file's first column: the row of the uploaded file (as Excel numbers it, header = 1) that the reasons
# speak of ("also in row 7"), which the error file's own rows no longer match once the good rows are gone.
ROW_HEADER = "原文件行号 / Row in your file"
# Headers seen in real rosters, compared after _header_key(): a new alias is one more word here.
HEADER_ALIASES = {
    "real_name": ("姓名", "名字", "真实姓名", "员工姓名", "name", "fullname", "realname"),
    "mobile": ("手机号", "手机", "手机号码", "移动电话", "联系电话", "mobile", "mobilenumber", "mobilephone",
               "phone", "phonenumber", "cellphone"),
    "id_number": ("身份证号", "身份证号码", "身份证", "公民身份号码", "idnumber", "idno", "idcard", "idcardnumber"),
    "post": ("岗位", "职位", "工作岗位", "岗位名称", "post", "position", "job", "jobtitle"),
    "groups": ("重点人群", "人群", "人群类别", "人员类别", "keygroups", "keygroup", "groups", "group"),
    "start_date": ("入职日期", "入职时间", "到岗日期", "startdate", "hiredate", "dateofhire", "joindate"),
    "department": ("部门", "所在部门", "科室", "department", "dept"),
    **PRIOR_ALIASES,  # optional: one prior training per row (roster_prior.py)
}
EXAMPLE_ROWS = {
    "zh_CN": ("张三", "13800138000", "11010519491231002X", "保安员"),
    "en": ("Zhang San", "13800138000", "11010519491231002X", "Security guard"),
}
EXAMPLE_DEPARTMENT = {"zh_CN": "安保部", "en": "Security"}
EXAMPLE_GROUPS = ("security_staff", "key_unit_staff")
EXAMPLE_START = date(2026, 1, 5)
# The template's example person, in any language: a row that is them is refused, never imported (templates
# downloaded before the example moved to the instructions sheet carry it on their first data row).
EXAMPLE_PERSON = ({row[0] for row in EXAMPLE_ROWS.values()}, "13800138000", "11010519491231002X")
GROUP_SEPARATORS = re.compile(r"[,;、\r\n]+")  # after NFKC, which folds ，；into ,;
# Excel's day 0 is 1899-12-30 (its 1900 leap-year bug included); only serials of plausible start
# dates are taken for dates, so that a stray small number is reported rather than read as 1900.
EXCEL_EPOCH = date(1899, 12, 30)
SERIAL_MIN = (date(1950, 1, 1) - EXCEL_EPOCH).days
SERIAL_MAX = (date(2099, 12, 31) - EXCEL_EPOCH).days
TIME_SUFFIX = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
DATE_PATTERNS = (
    re.compile(r"(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})" + TIME_SUFFIX),
    re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日?"),
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"),
)
SERIAL_PATTERN = re.compile(r"\d{5}(?:\.\d+)?")
INTERNATIONAL_MOBILE = re.compile(r"\+[\d\s-]+")
DUPLICATES_LISTED = 10


@dataclass(frozen=True)
class RosterRow:
    """A valid row. `groups_given` is False when the file left the groups blank (keep the person's groups)."""

    number: int
    real_name: str
    mobile: str
    id_number: str | None
    post: str
    group_codes: tuple[str, ...]
    start_date: date
    groups_given: bool = True
    prior: dict | None = None  # one prior training to record (roster_prior.read_prior), JSON-ready
    department: str | None = None  # None: blank or no column (keep the person's; a new person has none)


@dataclass(frozen=True)
class InvalidRow:
    number: int
    cells: tuple[Cell, ...]
    reasons: tuple  # lazy, translatable strings


@dataclass
class ParsedRoster:
    headers: list[str]
    rows: list[RosterRow] = field(default_factory=list)
    invalid: list[InvalidRow] = field(default_factory=list)
    cells: dict[int, tuple[Cell, ...]] = field(default_factory=dict)  # valid rows' cells as uploaded, by row number


@dataclass(frozen=True)
class ExistingPerson:
    """The part of a current roster entry an import can change."""

    trainee_id: int
    real_name: str
    id_number: str | None
    post: str
    group_codes: tuple[str, ...]
    start_date: date | None
    status: str = "active"
    department: str = ""


@dataclass(frozen=True)
class FieldChange:
    field: str  # real_name | id_number | post | department | group_codes | start_date | status | prior_training
    old: object
    new: object


@dataclass(frozen=True)
class RosterMatch:
    row: RosterRow
    person: ExistingPerson
    changes: tuple[FieldChange, ...] = ()

    @property
    def rehire(self) -> bool:
        """The person had left: applying this row hires them again."""
        return self.person.status == "left"

    @property
    def diff(self) -> dict[str, tuple[object, object]]:
        """field -> (old, new), for display."""
        return {change.field: (change.old, change.new) for change in self.changes}


@dataclass
class Preview:
    headers: list[str]
    new: list[RosterRow] = field(default_factory=list)
    changed: list[RosterMatch] = field(default_factory=list)
    unchanged: list[RosterMatch] = field(default_factory=list)
    invalid: list[InvalidRow] = field(default_factory=list)
    # the file's posts that are not a catalogue name -> the catalogue's name (None: unknown; see roster_posts)
    posts: dict[str, str | None] = field(default_factory=dict)


class RosterFileError(TableError):
    """The file as a whole is not a roster: required columns missing or repeated."""


class _Refused(Exception):
    """One field of one row is wrong; carries the lazy reason."""

    def __init__(self, reason):
        super().__init__()
        self.reason = reason


# ---------------------------------------------------------------------------------------- columns


def _header_key(header: str) -> str:
    """Compare headers ignoring case, width, spaces, punctuation and remarks like "(选填)"."""
    key = unicodedata.normalize("NFKC", header or "").casefold()
    key = re.sub(r"\(.*?\)", "", key)
    return re.sub(r"[\s_\-*:.]+", "", key)


ALIAS_FIELDS = {_header_key(alias): name for name, aliases in HEADER_ALIASES.items() for alias in aliases}
REASON_KEYS = frozenset({_header_key(REASON_HEADER), "错误原因", "reason"})
ROW_KEYS = frozenset({_header_key(ROW_HEADER), "原文件行号", "rowinyourfile"})


def _column_label(field_name: str) -> str:
    index = FIELDS.index(field_name)
    return f"{TEMPLATE_HEADERS['zh_CN'][index]} / {TEMPLATE_HEADERS['en'][index]}"


def _find_columns(headers: Sequence[str]) -> tuple[dict[str, int], list[str]]:
    found: dict[str, int] = {}
    repeated: list[str] = []
    for index, header in enumerate(headers):
        name = ALIAS_FIELDS.get(_header_key(header))
        if name is None:
            continue
        if name in found:
            repeated.append(header)
        else:
            found[name] = index
    return found, repeated


def roster_columns(headers: Sequence[str]) -> dict[str, int]:
    """Which column holds which field; RosterFileError naming every required column that is missing."""
    found, repeated = _find_columns(headers)
    if repeated:
        raise RosterFileError(_l('The column "%(column)s" appears more than once.', column=repeated[0]))
    missing = [name for name in REQUIRED_FIELDS if name not in found]
    if missing:
        raise RosterFileError(_l("These required columns are missing: %(columns)s. The first row must hold the "
                            "column names, as in the template.",
                            columns=", ".join(_column_label(name) for name in missing)))
    return found


# ---------------------------------------------------------------------------------------- cells


def _text(cell: Cell) -> str:
    """The cell as trimmed text, undoing the apostrophe our own exports put before formula-like text."""
    if cell is None:
        return ""
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return unneutralise(str(cell).strip())


def _read_name(cell: Cell, text: str) -> str:
    text = " ".join(text.split())
    if not 1 <= len(text) <= 50:
        raise _Refused(_l("A name has 1 to 50 characters."))
    return text


def _read_mobile(cell: Cell, text: str) -> str:
    if not text:
        raise _Refused(_l("The mobile number is missing."))
    try:
        return normalize_mobile(text)
    except ValidationError as error:
        raise _Refused(_l("The mobile number is not valid: %(reason)s", reason=error.message)) from None


def _read_id_number(cell: Cell, text: str) -> str | None:
    if not text:
        return None
    if isinstance(cell, (int, float)) and not isinstance(cell, bool) and abs(cell) >= 1e15:
        # Excel keeps 15 significant digits: an ID typed into a number cell has lost its tail.
        raise _Refused(_l("Excel stored this ID number as a number and lost its last digits: "
                          "format the column as Text and type the number again."))
    try:
        return normalize_id_number(text)
    except ValidationError as error:
        raise _Refused(_l("The ID number is not valid: %(reason)s", reason=error.message)) from None


def _read_post(cell: Cell, text: str) -> str:
    text = " ".join(text.split())
    if len(text) > 100:
        raise _Refused(_l("A post has at most 100 characters."))
    return text


def _read_department(cell: Cell, text: str) -> str | None:
    try:
        return normalize_department(text) or None
    except ValidationError as error:
        raise _Refused(error.message) from None


def _read_start_date(cell: Cell, text: str) -> date:
    if not text:
        raise _Refused(_l("The start date is missing."))
    found = parse_date(cell)
    if found is None:
        raise _Refused(_l('The start date "%(value)s" is not a date: write it as 2026-01-05.', value=text[:40]))
    if not is_plausible_date(found):  # 9999-12-31 would overflow the due dates computed from it
        raise _Refused(date_range_message())
    return found


def parse_date(cell: Cell) -> date | None:
    """A date from a date cell, 2026-01-05, 2026/1/5, 2026.1.5, 2026年1月5日, 20260105 or an Excel serial."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        return _from_serial(cell)
    text = unicodedata.normalize("NFKC", _text(cell))
    if SERIAL_PATTERN.fullmatch(text):
        return _from_serial(float(text))
    for pattern in DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            try:
                return date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                return None
    return None


def _from_serial(serial: float) -> date | None:
    if not SERIAL_MIN <= serial <= SERIAL_MAX:
        return None
    return EXCEL_EPOCH + timedelta(days=int(serial))


# ---------------------------------------------------------------------------------------- groups


def _group_key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _group_index(groups: Mapping[str, tuple[str, str, str]]) -> tuple[dict[str, str], tuple[str, ...]]:
    """Lookup by code, Chinese or English name; and the canonical order of codes (all_staff first)."""
    lookup = {_group_key(ALL_STAFF): ALL_STAFF}
    for code, (_code, name_zh, name_en) in groups.items():
        for name in (code, name_zh, name_en):
            if name:
                lookup.setdefault(_group_key(name), code)
    order = (ALL_STAFF, *(code for code in groups if code != ALL_STAFF))
    return lookup, order


def _read_groups(cell: Cell, text: str, *, lookup: dict[str, str], order: tuple[str, ...]):
    if not text:
        return (ALL_STAFF,), False
    whole = lookup.get(_group_key(text))  # a group name may itself hold a separator
    codes: set[str] = {whole} if whole else set()
    unknown: list[str] = []
    for piece in [] if whole else GROUP_SEPARATORS.split(unicodedata.normalize("NFKC", text)):
        if not piece.strip():
            continue
        code = lookup.get(_group_key(piece))
        # Spaces separate codes ("grid_worker security_staff") but also sit inside English names.
        words = [lookup.get(_group_key(word)) for word in piece.split()]
        if code:
            codes.add(code)
        elif len(words) > 1 and any(words):
            codes.update(word for word in words if word)
            unknown.extend(word for word, found in zip(piece.split(), words) if not found)
        else:
            unknown.append(piece.strip())
    if unknown:
        raise _Refused(_l("Unknown key group: %(codes)s", codes=", ".join(unknown)))
    return tuple(code for code in order if code in codes or code == ALL_STAFF), True


# ---------------------------------------------------------------------------------------- rows


@dataclass
class _Checked:
    row: Row
    values: dict = field(default_factory=dict)
    reasons: list = field(default_factory=list)


def parse_roster(table: Table, *, groups: Mapping[str, tuple[str, str, str]],
                 courses: Mapping[str, str] | None = None, today: date | None = None) -> ParsedRoster:
    """Check every row of a roster table; bad rows become InvalidRow with reasons, never exceptions.
    `courses` (roster_prior.course_lookup) lets rows carry a prior training.

    Raises RosterFileError (a TableError) only for the file as a whole: required columns missing or repeated.
    """
    columns = roster_columns(table.headers)
    lookup, order = _group_index(groups)
    readers: dict[str, Callable] = {
        "real_name": _read_name, "mobile": _read_mobile, "id_number": _read_id_number, "post": _read_post,
        "groups": partial(_read_groups, lookup=lookup, order=order), "start_date": _read_start_date,
        "department": _read_department,
        **{name: _raw for name in PRIOR_FIELDS},
    }
    checked = [_check_row(row, columns, table.headers, readers) for row in table.rows]
    for check in checked:
        raw = {name: check.values.pop(name) for name in PRIOR_FIELDS if name in check.values}
        check.values["prior"], reasons = read_prior(raw, courses or {}, today=today or local_today(),
                                                    parse_date=parse_date)
        check.reasons.extend(reasons)
    _mark_duplicates(checked, "mobile")
    _mark_duplicates(checked, "id_number")
    for check in checked:
        if _is_example(check.values):
            check.reasons.insert(0, _l("This is the template's example row, which is never imported: delete it."))
    parsed = ParsedRoster(headers=list(table.headers))
    for check in checked:
        if check.reasons:
            parsed.invalid.append(InvalidRow(check.row.number, tuple(check.row.cells), tuple(check.reasons)))
        else:
            parsed.cells[check.row.number] = tuple(check.row.cells)
            codes, given = check.values.get("groups", ((ALL_STAFF,), False))
            values = check.values
            parsed.rows.append(RosterRow(
                number=check.row.number, real_name=values["real_name"], mobile=values["mobile"],
                id_number=values.get("id_number"), post=values["post"], group_codes=codes,
                start_date=values["start_date"], groups_given=given, prior=values.get("prior"),
                department=values.get("department"),
            ))
    return parsed


def _is_example(values: dict) -> bool:
    names, mobile, id_number = EXAMPLE_PERSON
    return (values.get("real_name") in names and values.get("mobile") == mobile
            and values.get("id_number") == id_number)


def _raw(cell: Cell, text: str) -> tuple:
    return cell, text


def _check_row(row: Row, columns: dict[str, int], headers: Sequence[str], readers: dict[str, Callable]) -> _Checked:
    check = _Checked(row)
    for name, index in columns.items():
        cell = row.cells[index] if index < len(row.cells) else None
        text = _text(cell)
        refusal = _formula_refusal(name, cell, text, row=row.number, column=headers[index])
        if refusal is not None:
            check.reasons.append(refusal)
            continue
        try:
            check.values[name] = readers[name](cell, text)
        except _Refused as refused:
            check.reasons.append(refused.reason)
    return check


def _formula_refusal(name: str, cell: Cell, text: str, *, row: int, column: str):
    """tabular's rule for every column, but for a mobile's international prefix ("+86 139 0013 9000"): only
    its digits are kept, so its "+" never reaches a stored value or an export."""
    if name == "mobile" and INTERNATIONAL_MOBILE.fullmatch(unicodedata.normalize("NFKC", text)):
        return None
    return formula_refusal(cell, text, row=row, column=column)


_DUPLICATE_MESSAGES = {
    # Two msgids each rather than lazy_ngettext: `make extract-messages` only knows _l.
    "mobile": (lambda rows: _l("This mobile number is also in row %(rows)s.", rows=rows),
               lambda rows: _l("This mobile number is also in rows %(rows)s.", rows=rows)),
    "id_number": (lambda rows: _l("This ID number is also in row %(rows)s.", rows=rows),
                  lambda rows: _l("This ID number is also in rows %(rows)s.", rows=rows)),
}


def _mark_duplicates(checked: list[_Checked], field_name: str) -> None:
    """Every row sharing a mobile (or an ID number) with another row is invalid: the file must say which is right."""
    by_value: dict[str, list[_Checked]] = defaultdict(list)
    for check in checked:
        if check.values.get(field_name):
            by_value[check.values[field_name]].append(check)
    one, many = _DUPLICATE_MESSAGES[field_name]
    for same in by_value.values():
        if len(same) < 2:
            continue
        numbers = [check.row.number for check in same]
        for check in same:
            others = [str(n) for n in numbers[:DUPLICATES_LISTED + 1] if n != check.row.number][:DUPLICATES_LISTED]
            if len(same) - 1 > DUPLICATES_LISTED:
                others.append("…")
            check.reasons.append(one(others[0]) if len(same) == 2 else many(", ".join(others)))


@dataclass(frozen=True)
class KnownPerson:
    """A person already in the portal with an ID number of the file, as this organization may see them."""

    trainee_id: int | None  # their row on this roster, if any
    employed_elsewhere_since: date | None  # None: no job at another organization
    may_join: bool  # False: employed elsewhere and the office allows no second jobs
    has_account: bool = False  # they could confirm a move themselves (when added with the form)


def classify(parsed: ParsedRoster, existing: Mapping[str, ExistingPerson],
             known: Mapping[str, KnownPerson] | None = None) -> Preview:
    """Sort valid rows into new, changed and unchanged against the roster keyed by mobile.

    A blank ID number, department or groups cell keeps what the roster holds; a person who left is a re-hire. A row
    whose ID number belongs to somebody employed elsewhere (without second jobs) or to another person of this
    roster is invalid, with the reason.
    """
    known = known or {}
    preview = Preview(headers=list(parsed.headers), invalid=list(parsed.invalid))
    for row in parsed.rows:
        person = existing.get(row.mobile)
        reason = _identity_problem(row, person, known.get(row.id_number or ""))
        if reason is not None:
            preview.invalid.append(InvalidRow(row.number, parsed.cells.get(row.number, ()), (reason,)))
            continue
        if person is None:
            preview.new.append(row)
            continue
        changes = _changes(row, person)
        if row.prior:  # a prior training to record is a change even when the rest is the same
            changes += (FieldChange("prior_training", None, f'{row.prior["course"]} {row.prior["completed_on"]}'),)
        match = RosterMatch(row, person, changes)
        (preview.changed if match.changes else preview.unchanged).append(match)
    preview.invalid.sort(key=lambda invalid: invalid.number)
    return preview


def _identity_problem(row: RosterRow, person: ExistingPerson | None, other: KnownPerson | None):
    if other is None:
        return None
    if person is not None and other.trainee_id == person.trainee_id:
        return None
    if other.trainee_id is not None:
        return _l("This ID number belongs to another person on your roster (with another mobile number).")
    if person is not None and person.id_number:
        return _l("This ID number belongs to another person than the one on your roster with this mobile number.")
    if not other.may_join:
        since = format_date(other.employed_elsewhere_since) if other.employed_elsewhere_since else "?"
        if other.has_account:
            return _l("Already employed at another organization since %(date)s: that employer must release them "
                      "first, or add this person with the form so they can confirm the move.", date=since)
        return _l("Already employed at another organization since %(date)s: that employer must release them first.",
                  date=since)
    return None


def _changes(row: RosterRow, person: ExistingPerson) -> tuple[FieldChange, ...]:
    changes = []
    if row.real_name != person.real_name:
        changes.append(FieldChange("real_name", person.real_name, row.real_name))
    if row.id_number is not None and row.id_number != person.id_number:
        changes.append(FieldChange("id_number", person.id_number, row.id_number))
    if row.post != (person.post or ""):
        changes.append(FieldChange("post", person.post, row.post))
    if row.department is not None and row.department != (person.department or ""):
        changes.append(FieldChange("department", person.department, row.department))
    if row.groups_given and set(row.group_codes) != set(person.group_codes):
        changes.append(FieldChange("group_codes", tuple(person.group_codes), row.group_codes))
    if row.start_date != person.start_date:
        changes.append(FieldChange("start_date", person.start_date, row.start_date))
    if person.status != "active":
        changes.append(FieldChange("status", person.status, "active"))
    return tuple(changes)


# ---------------------------------------------------------------------------------------- files


def text_columns(headers: Sequence[str]) -> list[int]:
    """The columns (0-based) of `headers` formatted as Text in XLSX, so that Excel keeps every digit."""
    return _text_columns(headers)


def _text_columns(headers: Sequence[str]) -> list[int]:
    found, _repeated = _find_columns(headers)
    return [found[name] for name in TEXT_FIELDS if name in found]


def error_file(preview_or_parsed: Preview | ParsedRoster, headers: Sequence[str] | None = None,
               fmt: str = "xlsx") -> bytes:
    """The invalid rows as uploaded, after the row number each had in the uploaded file (the number the reasons
    use) and before a reason column, to fix and upload again (both added columns are ignored on upload)."""
    headers = list(preview_or_parsed.headers if headers is None else headers)
    # A re-uploaded error file already has both columns: replace them rather than add a second pair.
    keep = [index for index, header in enumerate(headers) if _header_key(header) not in REASON_KEYS | ROW_KEYS]
    out_headers = [ROW_HEADER] + [headers[index] for index in keep] + [REASON_HEADER]
    rows = []
    for bad in preview_or_parsed.invalid:
        cells = list(bad.cells) + [None] * (len(headers) - len(bad.cells))
        rows.append([bad.number] + [cells[index] for index in keep]
                    + ["; ".join(str(reason) for reason in bad.reasons)])
    return write_table(fmt, out_headers, rows, text_columns=_text_columns(out_headers))


# ---------------------------------------------------------------------------------------- storage


def _cell_json(cell: Cell):
    if isinstance(cell, FormulaCell):
        return {"formula": cell.text}
    if isinstance(cell, date):
        return {"date": cell.isoformat()}
    return cell


def _cell_from_json(value) -> Cell:
    if isinstance(value, dict):
        return FormulaCell(value["formula"]) if "formula" in value else date.fromisoformat(value["date"])
    return value


def _row_json(row: RosterRow) -> dict:
    return {**row.__dict__, "group_codes": list(row.group_codes), "start_date": row.start_date.isoformat()}


def _row_from_json(data: dict) -> RosterRow:
    return RosterRow(**{**data, "group_codes": tuple(data["group_codes"]),
                        "start_date": date.fromisoformat(data["start_date"])})


def _person_json(person: ExistingPerson) -> dict:
    start = person.start_date.isoformat() if person.start_date else None
    return {**person.__dict__, "group_codes": list(person.group_codes), "start_date": start}


def _person_from_json(data: dict) -> ExistingPerson:
    start = date.fromisoformat(data["start_date"]) if data["start_date"] else None
    return ExistingPerson(**{**data, "group_codes": tuple(data["group_codes"]), "start_date": start})


def _match_json(match: RosterMatch) -> dict:
    return {"row": _row_json(match.row), "person": _person_json(match.person)}


def _match_from_json(data: dict) -> RosterMatch:
    row, person = _row_from_json(data["row"]), _person_from_json(data["person"])
    return RosterMatch(row, person, _changes(row, person))


def preview_to_json(preview: Preview) -> dict:
    """A JSON-safe copy of a preview, to keep between the upload and the confirmation.

    Reasons are stored as text in the current language (the same administrator reads them).
    """
    return {
        "headers": list(preview.headers),
        "new": [_row_json(row) for row in preview.new],
        "changed": [_match_json(match) for match in preview.changed],
        "unchanged": [_match_json(match) for match in preview.unchanged],
        "invalid": [{"number": bad.number, "cells": [_cell_json(cell) for cell in bad.cells],
                     "reasons": [str(reason) for reason in bad.reasons]} for bad in preview.invalid],
        "posts": dict(preview.posts),
    }


def preview_from_json(data: dict) -> Preview:
    """The preview stored by preview_to_json (changes are computed again from row and person)."""
    return Preview(
        headers=list(data["headers"]),
        new=[_row_from_json(row) for row in data["new"]],
        changed=[_match_from_json(item) for item in data["changed"]],
        unchanged=[_match_from_json(item) for item in data["unchanged"]],
        invalid=[InvalidRow(bad["number"], tuple(_cell_from_json(cell) for cell in bad["cells"]),
                            tuple(bad["reasons"])) for bad in data["invalid"]],
        posts=dict(data.get("posts") or {}),
    )
