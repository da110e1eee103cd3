"""Spreadsheets in and out: read an uploaded CSV or XLSX safely, write CSV or XLSX that cannot run formulas.

openpyxl and XlsxWriter (about 10 MB in each worker) load at the first workbook read or written, not when a worker
starts: most workers serve trainees, who never touch one; CSV needs neither.
"""
from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l

from portal.domain.platform.errors import ValidationError
from portal.domain.platform.localtime import to_local

XLSX_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls and password-protected workbooks
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
# Deflate cannot make a bomb out of a small member; the ratio test skips those so tiny,
# very regular XML parts of honest workbooks never trip it (the total cap still applies).
RATIO_CHECK_FROM_BYTES = 1024 * 1024
EXCEL_MAX_ROWS = 1_048_576
XLSX_MAX_CELL_CHARS = 32_767
CSV_DELIMITERS = (",", ";", "\t")
# Characters that make Excel, LibreOffice or WPS treat a cell as a formula (OWASP "CSV injection").
# The one rule for writing and reading is formula_lead(): exports neutralise, imports refuse.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NEGATIVE_NUMBER = re.compile(r"-\d+(\.\d+)?\Z")
# What a spreadsheet may drop before reading a formula ("Trim spaces" on import, a pasted tab or line break).
LEADING_BLANKS = re.compile(r"\A[\s\x00-\x1f\x7f]+")
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
XML_ILLEGAL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class TableError(ValidationError):
    """An uploaded file that cannot be read as a table (size, format, encoding, zip bomb...)."""


@dataclass(frozen=True)
class FormulaCell:
    """A formula, or text that starts like one (formula_lead): importers refuse it rather than store it."""

    text: str

    def __str__(self) -> str:
        return self.text


Cell = str | date | int | float | FormulaCell | None


@dataclass
class Row:
    number: int  # the row number Excel shows for this row (1-based, header included)
    cells: list[Cell]


@dataclass
class Table:
    headers: list[str]
    rows: list[Row] = field(default_factory=list)


# ---------------------------------------------------------------------------------------- formulas


def formula_lead(text: str) -> str | None:
    """The character that makes a spreadsheet run `text` as a formula, or None: one of FORMULA_STARTS first,
    or first once blanks and control characters are dropped and full-width forms folded ("＝1+1"); a plain
    negative number ("-5", "-2.5") is a number, not a formula."""
    if text.startswith(FORMULA_STARTS):
        return None if PLAIN_NEGATIVE_NUMBER.match(text) else text[0]
    if not text or text[0].isalnum():
        return None  # most cells start with a letter, a digit or a Chinese character: no need to fold them
    folded = LEADING_BLANKS.sub("", unicodedata.normalize("NFKC", text))
    if folded.startswith(FORMULA_STARTS) and not PLAIN_NEGATIVE_NUMBER.match(folded):
        return folded[0]
    return None


def neutralise(text: str) -> str:
    """Prefix an apostrophe to text a spreadsheet would run as a formula ("=1+1", "+86...", "@SUM"): every CSV
    and XLSX cell the portal writes, headers included, goes through here."""
    return "'" + text if formula_lead(text) else text


def unneutralise(text: str) -> str:
    """A cell as it was before neutralise(): importers read back the files the portal wrote (error files)."""
    return text[1:].strip() if text.startswith("'") and formula_lead(text[1:]) else text


def formula_refusal(cell: Cell, text: str, *, row: int, column: str):
    """Why an importer refuses a cell, or None. `text` is the cell as the importer would store it (trimmed, the
    apostrophe of the portal's own exports undone: unneutralise): refused when it starts like a formula
    (formula_lead), since it would run in the next spreadsheet it reaches, or when the cell is a formula. Plain
    negative numbers pass: the field's own check decides whether they fit."""
    lead = formula_lead(text) or (formula_lead(str(cell).strip()) if isinstance(cell, FormulaCell) else None)
    if lead is None:
        return None
    return _l('Row %(row)s, column "%(column)s": a cell may not start with "%(lead)s", which makes it a formula in '
              'spreadsheets; remove it, or type the value instead of a formula.', row=row, column=column, lead=lead)


# ---------------------------------------------------------------------------------------- reading


def read_table(data: bytes, filename: str, *, max_bytes: int = 5 * 1024 * 1024, max_rows: int = 20000,
               max_columns: int = 100) -> Table:
    """Read an uploaded CSV or XLSX (told apart by content, not by `filename`); raise TableError if unreadable.

    The first non-empty row is the header; fully empty rows are skipped; row numbers are those Excel shows.
    """
    if len(data) > max_bytes:
        raise TableError(_l("The file is too large: the limit is %(limit)s MB.", limit=_megabytes(max_bytes)))
    if not data.strip():
        raise TableError(_l("The file is empty."))
    if data.startswith(XLSX_MAGIC):
        records = _xlsx_records(data, max_columns)
    elif data.startswith(OLE2_MAGIC):
        raise TableError(_l("Old Excel files (.xls) and password-protected workbooks cannot be read: "
                            "save the file as .xlsx without a password, or as CSV."))
    else:
        records = _csv_records(_decode(data), max_columns)
    return _collect(records, max_rows)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g}"


def _collect(records: Generator[tuple[int, list[Cell]], None, None], max_rows: int) -> Table:
    """Header plus data rows, stopping as soon as the row limit is passed."""
    table: Table | None = None
    try:
        table = _fill(records, max_rows)
    finally:
        records.close()  # closes the workbook even when the row limit stops reading early
    if table is None:
        raise TableError(_l("The file is empty."))
    return table


def _fill(records: Iterator[tuple[int, list[Cell]]], max_rows: int) -> Table | None:
    table: Table | None = None
    for number, cells in records:
        while cells and cells[-1] is None:
            cells.pop()
        if not cells:
            continue
        if table is None:
            table = Table(headers=[_header_text(cell) for cell in cells])
            continue
        if len(table.rows) >= max_rows:
            raise TableError(_l("The file has more than %(limit)s rows: split it into smaller files.", limit=max_rows))
        table.rows.append(Row(number=number, cells=cells))
    return table


def _header_text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell).strip()


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (a superset of GBK); UTF-16 with BOM (Excel's "Unicode text")."""
    not_text = _l("This file is not a spreadsheet: upload a CSV file or an Excel workbook (.xlsx).")
    unknown = _l("The file's text encoding is not recognised: save it as CSV UTF-8 or as an Excel workbook (.xlsx).")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise TableError(unknown) from None
        if _looks_binary(text[:65536], CONTROL_CHARS):
            raise TableError(not_text)
        return text
    # Control bytes mean the same in UTF-8 and GB18030 (neither uses them inside a character).
    if _looks_binary(data[:65536], CONTROL_BYTES):
        raise TableError(not_text)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableError(unknown)


def _looks_binary(sample: bytes | str, control: re.Pattern) -> bool:
    """A NUL, or more than 1% control characters: a binary file, not text."""
    nul = b"\x00" if isinstance(sample, bytes) else "\x00"
    return nul in sample or len(control.findall(sample)) > len(sample) // 100


def _sniff_delimiter(text: str) -> str:
    """The candidate that occurs most often in the first non-empty line (ties: comma)."""
    first = next((line for line in text[:65536].splitlines() if line.strip()), "")
    counts = {delimiter: first.count(delimiter) for delimiter in CSV_DELIMITERS}
    best = max(CSV_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_records(text: str, max_columns: int) -> Iterator[tuple[int, list[Cell]]]:
    # A record is one Excel row even when a quoted cell spans several lines.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    number = 0
    try:
        for number, record in enumerate(reader, start=1):
            cells = [_csv_cell(value) for value in record]
            if len(cells) > max_columns and any(cell is not None for cell in cells[max_columns:]):
                raise TableError(_l("The file has more than %(limit)s columns.", limit=max_columns))
            yield number, cells[:max_columns]
    except csv.Error:
        raise TableError(_l("The CSV file could not be read near row %(row)s: a quote is not closed "
                            "or a cell is far too long.", row=number + 1)) from None


def _csv_cell(value: str) -> Cell:
    if not value.strip():
        return None
    return _text_cell(value)


def _text_cell(value: str) -> Cell:
    """Text as stored once trimmed: a FormulaCell when that starts like a formula (formula_lead), so importers
    refuse it; the tab or line break a spreadsheet program leaves around a cell is trimmed, never refused."""
    return FormulaCell(value) if formula_lead(value.strip()) else value


def _xlsx_records(data: bytes, max_columns: int) -> Iterator[tuple[int, list[Cell]]]:
    import openpyxl

    _check_archive(data)
    workbook = _quietly(lambda: openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False))
    try:
        records = _sheet_records(workbook, max_columns)
        while (item := _quietly(lambda: next(records, None))) is not None:
            yield item
    finally:
        workbook.close()


def _quietly(step: Callable):
    """Run one openpyxl step: its warnings about unsupported extensions are no reason to refuse a file,
    and any error it raises on a malformed upload becomes a TableError."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return step()
    except TableError:
        raise
    except Exception:  # openpyxl and zipfile raise many kinds of errors on a malformed upload
        raise TableError(_not_xlsx()) from None


def _not_xlsx():
    return _l("This file is not a valid Excel workbook (.xlsx).")


def _check_archive(data: bytes) -> None:
    """Refuse what is not an XLSX package, and zip bombs, before any part is unpacked."""
    not_xlsx = _not_xlsx()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except Exception:  # zipfile raises BadZipFile, ValueError, struct errors... on garbage
        raise TableError(not_xlsx) from None
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names or not any(name.endswith("workbook.xml") for name in names):
        raise TableError(not_xlsx)
    if any(member.flag_bits & 0x1 for member in members):  # encrypted members
        raise TableError(not_xlsx)
    too_big = _l("This workbook is far larger once unpacked than its file size suggests and was refused.")
    if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
        raise TableError(too_big)
    for member in members:
        if member.file_size >= RATIO_CHECK_FROM_BYTES and (
            member.compress_size == 0 or member.file_size / member.compress_size > MAX_COMPRESSION_RATIO
        ):
            raise TableError(too_big)


def _sheet_records(workbook, max_columns: int) -> Iterator[tuple[int, list[Cell]]]:
    if not workbook.worksheets:
        raise TableError(_not_xlsx())
    sheet = workbook.worksheets[0]
    sheet.reset_dimensions()  # never trust the declared size; a fixed width bounds the work per row
    width = max_columns + 1
    for number, values in enumerate(sheet.iter_rows(min_row=1, max_col=width, values_only=True), start=1):
        if number > EXCEL_MAX_ROWS:
            raise TableError(_not_xlsx())
        if values.count(None) == width:
            continue
        if values[max_columns] is not None:
            raise TableError(_l("The file has more than %(limit)s columns.", limit=max_columns))
        yield number, [_xlsx_cell(value) for value in values[:max_columns]]


def _xlsx_cell(value) -> Cell:
    if value is None:
        return None
    if isinstance(value, str):  # data_only=False gives formulas as "=...", and text can start like one
        return _text_cell(value) if value.strip() else None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, time):
        return value.isoformat()
    from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula  # loaded by now (_xlsx_records)

    if isinstance(value, ArrayFormula):
        return FormulaCell(value.text if (value.text or "").startswith("=") else f"={value.text or ''}")
    if isinstance(value, DataTableFormula):
        return FormulaCell("=TABLE()")
    return str(value)  # timedelta and anything newer openpyxl may return


# ---------------------------------------------------------------------------------------- writing


def write_csv(headers: Sequence, rows: Iterable[Sequence]) -> bytes:
    """CSV as Excel opens it right: UTF-8 with BOM, CRLF, formulas neutralised, dates as ISO dates."""
    return b"".join(csv_chunks(headers, rows))


def csv_chunks(headers: Sequence, rows: Iterable[Sequence], *, rows_per_chunk: int = 1000) -> Iterator[bytes]:
    """write_csv in pieces, the header first, so that a long download starts at once and the browser shows
    its progress while the rows are still being read."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow([_csv_text(value) for value in headers])
    for number, row in enumerate(rows, start=1):
        writer.writerow([_csv_text(value) for value in row])
        if number % rows_per_chunk == 0:
            yield buffer.getvalue().encode("utf-8", errors="replace")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8", errors="replace")


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return _local_clock(value).isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        return str(value)
    return neutralise(str(value))


def _local_clock(value: datetime) -> datetime:
    """A stored (aware, UTC) time as the local clock reads it: people read exports, and spreadsheets have no zones."""
    return to_local(value).replace(tzinfo=None) if value.tzinfo is not None else value


def write_xlsx(headers: Sequence, rows: Iterable[Sequence], *, sheet_title: str = "Sheet1",
               text_columns: Iterable[int] = ()) -> bytes:
    """An XLSX workbook: bold frozen header, fitted column widths, real dates, formulas neutralised.

    `text_columns` (0-based) are formatted as Text so that digits typed later (ID numbers) stay digits.
    Written with XlsxWriter (row by row, strings never read as formulas): a district-wide table of half
    a million cells takes a couple of seconds, less than half of what openpyxl needs.
    """
    import xlsxwriter

    rows = [list(row) for row in rows]
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"constant_memory": True, "strings_to_formulas": False,
                                            "strings_to_numbers": False, "strings_to_urls": False})
    sheet = workbook.add_worksheet(_sheet_title(sheet_title))
    formats = {"bold": workbook.add_format({"bold": True}), "text": workbook.add_format({"num_format": "@"}),
               "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
               "datetime": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})}
    text_columns = set(text_columns)
    for index, width in enumerate(_column_widths(headers, rows)):
        sheet.set_column(index, index, width, formats["text"] if index in text_columns else None)
    sheet.freeze_panes(1, 0)
    for column, value in enumerate(headers):
        _xlsx_write_cell(sheet, 0, column, value, formats, formats["bold"])
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            _xlsx_write_cell(sheet, number, column, value, formats)
    workbook.close()
    return buffer.getvalue()


def _xlsx_write_cell(sheet, row: int, column: int, value, formats: dict, style=None) -> None:
    value = _xlsx_value(value)
    if value is None:
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, column, value, style)
    elif isinstance(value, (int, float)):
        sheet.write_number(row, column, value, style)
    elif isinstance(value, datetime):
        sheet.write_datetime(row, column, value, formats["datetime"])
    elif isinstance(value, date):
        sheet.write_datetime(row, column, datetime.combine(value, time()), formats["date"])
    else:
        sheet.write_string(row, column, value, style)


def _xlsx_value(value):
    if value is None or isinstance(value, (bool, int, date)):
        return _local_clock(value) if isinstance(value, datetime) else value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, (time, timedelta)):
        value = str(value)
    # Strip what XML cannot hold before neutralising, so "\x01=cmd" cannot turn into a live "=cmd".
    return neutralise(XML_ILLEGAL_CHARS.sub("", str(value)))[:XLSX_MAX_CELL_CHARS]


def _sheet_title(title: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", "_", title or "").strip("'")[:31]
    return cleaned or "Sheet1"


def _display_width(value, limit: int | None = 60) -> int:
    text = _csv_text(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text[:limit])


def _column_widths(headers: Sequence, rows: list[list], sample: int = 500) -> list[float]:
    count = max([len(headers), *(len(row) for row in rows[:sample])])
    widths = [0] * count
    for row in [list(headers), *rows[:sample]]:
        for index, value in enumerate(row):
            widths[index] = max(widths[index], _display_width(value))
    return [min(max(width + 2, 8), 50) for width in widths]


@dataclass(frozen=True)
class Choices:
    """A drop-down list on a column of a sheet: `values` are written to a hidden sheet and the column's cells
    offer them; typing something else stays allowed (`prompt` says what the column takes)."""

    column: int  # 0-based
    values: Sequence[str]
    title: str = ""
    prompt: str = ""


@dataclass(frozen=True)
class Sheet:
    """One sheet of write_workbook: a bold frozen header unless `notes` (a sheet of text, no header row)."""

    title: str
    headers: Sequence = ()
    rows: Sequence[Sequence] = ()
    text_columns: Iterable[int] = ()
    choices: Sequence[Choices] = ()
    notes: bool = False
    headings: Iterable[int] = ()  # notes: the rows (0-based) printed bold
    rows_offered: int = 1000  # how many rows below the header get the drop-down lists


def write_workbook(sheets: Sequence[Sheet], *, lists_title: str = "Lists") -> bytes:
    """A workbook of several sheets (the first is the one importers read), every cell neutralised as in
    write_xlsx; drop-down values live on one hidden sheet named `lists_title`, one column per list."""
    import xlsxwriter
    import xlsxwriter.utility

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"strings_to_formulas": False, "strings_to_numbers": False,
                                            "strings_to_urls": False})
    formats = {"bold": workbook.add_format({"bold": True}), "text": workbook.add_format({"num_format": "@"}),
               "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
               "datetime": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
               "wrap": workbook.add_format({"text_wrap": True, "valign": "top"}),
               "bold_wrap": workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})}
    written = [(sheet, workbook.add_worksheet(_sheet_title(sheet.title))) for sheet in sheets]
    lists_name = _sheet_title(lists_title)
    lists = workbook.add_worksheet(lists_name) if any(sheet.choices for sheet, _ in written) else None
    list_column = 0
    for sheet, out in written:
        if sheet.notes:
            _write_notes(out, sheet, formats)
            continue
        _write_data_sheet(out, sheet, formats)
        for choice in sheet.choices:
            values = [value for value in choice.values if value]
            for row, value in enumerate(values):
                _xlsx_write_cell(lists, row, list_column, value, formats)
            if values:
                letter = xlsxwriter.utility.xl_col_to_name(list_column)
                source = f"='{lists_name}'!${letter}$1:${letter}${len(values)}"
                out.data_validation(1, choice.column, sheet.rows_offered, choice.column, {
                    "validate": "list", "source": source, "show_error": False,
                    "input_title": _validation_text(choice.title, 32),
                    "input_message": _validation_text(choice.prompt, 255)})
            list_column += 1
    if lists is not None:
        lists.hide()
    written[0][1].activate()
    workbook.close()
    return buffer.getvalue()


def _validation_text(text: str, limit: int) -> str:
    """Excel's limits on a drop-down's title and message, with what XML cannot hold removed (never a formula:
    Excel shows these as text only)."""
    return XML_ILLEGAL_CHARS.sub("", str(text or ""))[:limit]


def _write_data_sheet(out, sheet: Sheet, formats: dict) -> None:
    rows = [list(row) for row in sheet.rows]
    text_columns = set(sheet.text_columns)
    for index, width in enumerate(_column_widths(sheet.headers, rows)):
        out.set_column(index, index, width, formats["text"] if index in text_columns else None)
    out.freeze_panes(1, 0)
    for column, value in enumerate(sheet.headers):
        _xlsx_write_cell(out, 0, column, value, formats, formats["bold"])
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            _xlsx_write_cell(out, number, column, value, formats)


NOTES_WIDTHS = (16, 10, 60, 26)


def _write_notes(out, sheet: Sheet, formats: dict) -> None:
    """A sheet to read: rows of up to four cells, wrapped; a row of one cell is a paragraph across the four
    columns; the rows in `sheet.headings` are bold."""
    wrap, bold = formats["wrap"], formats["bold_wrap"]
    for index, width in enumerate(NOTES_WIDTHS):
        out.set_column(index, index, width, wrap)
    headings = set(sheet.headings)
    last = len(NOTES_WIDTHS) - 1
    for number, row in enumerate(sheet.rows):
        row = list(row)
        style = bold if number in headings else wrap
        if len(row) == 1:
            out.merge_range(number, 0, number, last, "", style)
            lines = -(-_display_width(row[0], limit=None) // (sum(NOTES_WIDTHS) - 4))  # Excel does not fit merged rows
            out.set_row(number, 15 * max(1, lines))
        for column, value in enumerate(row):
            _xlsx_write_cell(out, number, column, value, formats, style)


@dataclass(frozen=True)
class TableFormat:
    """An export format: its media type and how to write headers and rows."""

    media_type: str
    extension: str
    write: Callable[..., bytes]


FORMATS: dict[str, TableFormat] = {
    "csv": TableFormat(MEDIA_TYPES["csv"], "csv", lambda headers, rows, **_options: write_csv(headers, rows)),
    "xlsx": TableFormat(MEDIA_TYPES["xlsx"], "xlsx", write_xlsx),
}


def write_table(fmt: str, headers: Sequence, rows: Iterable[Sequence], *, sheet_title: str = "Sheet1",
                text_columns: Iterable[int] = ()) -> bytes:
    """Write in the named format ("csv" or "xlsx"); an unknown name is a programming error (ValueError)."""
    try:
        table_format = FORMATS[fmt]
    except KeyError:
        raise ValueError(f"unknown table format {fmt!r}") from None
    return table_format.write(headers, rows, sheet_title=sheet_title, text_columns=text_columns)
