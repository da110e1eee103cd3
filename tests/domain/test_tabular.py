"""Reading uploads safely (encodings, delimiters, XLSX, limits, zip bombs) and writing formula-safe exports."""
from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime, timezone
from pathlib import Path

import openpyxl
import pytest
from flask_babel.speaklater import LazyString

from portal.domain.platform import tabular
from portal.domain.platform.errors import ValidationError
from portal.domain.platform.tabular import (
    FormulaCell, TableError, neutralise, read_table, write_csv, write_table, write_xlsx
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "roster"
HEADERS_ZH = ["姓名", "手机号", "身份证号", "岗位", "重点人群", "入职日期"]


def xlsx_bytes(rows, *, formats=None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for coordinate, number_format in (formats or {}).items():
        sheet[coordinate].number_format = number_format
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def refused(data: bytes, filename: str = "upload", **limits) -> str:
    with pytest.raises(TableError) as error:
        read_table(data, filename, **limits)
    assert isinstance(error.value.message, LazyString)  # translatable, rendered in the user's language
    return str(error.value)


# ------------------------------------------------------------------------------------ CSV


@pytest.mark.parametrize("name", ["roster_utf8.csv", "roster_utf8_bom.csv", "roster_gbk.csv"])
def test_chinese_csv_in_every_encoding_excel_writes(name):
    table = read_table((FIXTURES / name).read_bytes(), name)
    assert table.headers == HEADERS_ZH  # no BOM left on the first header
    assert [row.number for row in table.rows] == [2, 3, 4]
    assert table.rows[0].cells[:2] == ["张伟", "13800138000"]
    assert table.rows[0].cells[4] == "安保人员/微型消防站队员、重点单位员工"
    assert table.rows[1].cells[2] is None  # empty cell


def test_gbk_encoded_on_the_fly():
    data = "姓名,岗位\r\n欧阳娜娜,消防控制室值班员\r\n".encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert read_table(data, "x.csv").rows[0].cells == ["欧阳娜娜", "消防控制室值班员"]


def test_utf16_unicode_text_from_excel():
    data = "姓名\t岗位\r\n张伟\t保安\r\n".encode("utf-16")
    table = read_table(data, "x.txt")
    assert table.headers == ["姓名", "岗位"]
    assert table.rows[0].cells == ["张伟", "保安"]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiter_is_sniffed(delimiter):
    # The other candidates appear inside cells and must not confuse the sniffing.
    cells = [c if delimiter not in c else f'"{c}"' for c in ["Li, Na", "13900139000", "A;B\tC"]]
    data = delimiter.join(["Name", "Mobile", "Post"]) + "\n" + delimiter.join(cells) + "\n"
    table = read_table(data.encode(), "x.csv")
    assert table.headers == ["Name", "Mobile", "Post"]
    assert table.rows[0].cells == ["Li, Na", "13900139000", "A;B\tC"]


def test_semicolon_fixture():
    table = read_table((FIXTURES / "roster_semicolon_en.csv").read_bytes(), "x.csv")
    assert len(table.headers) == 6
    assert table.rows[0].cells[4] == "Security staff and micro fire station members; key_unit_staff"


def test_row_numbers_are_the_ones_excel_shows():
    data = b'\n\nName,Note\nA,"two\nlines"\n\n , \nB,x\n'
    table = read_table(data, "x.csv")
    assert table.headers == ["Name", "Note"]  # first non-empty row
    assert [(row.number, row.cells) for row in table.rows] == [(4, ["A", "two\nlines"]), (7, ["B", "x"])]


def test_csv_cell_starting_with_equals_is_a_formula():
    table = read_table((FIXTURES / "roster_injection.csv").read_bytes(), "x.csv")
    assert table.rows[0].cells[0] == FormulaCell("=cmd|' /C calc'!A0")
    assert str(table.rows[0].cells[0]) == "=cmd|' /C calc'!A0"


def test_cells_starting_like_formulas_are_formula_cells_as_neutralise_sees_them():
    """The rule importers refuse by is the one exports neutralise by (tabular.formula_lead), on the cell trimmed."""
    leads = ["=1+1", '+HYPERLINK("http://ev.il","Open")', "-2+3", "@SUM(A1)", " \t=1", "＝1", "\r@x"]
    plain = ["-5", "-2.5", "\tx", "\rx", "a=1", "'=1", "张伟"]
    rows = [[value] for value in leads + plain]
    for data in (raw_csv(["Name"], rows), raw_xlsx(["Name"], rows)):
        cells = [row.cells[0] for row in read_table(data, "x").rows]
        assert [type(cell) for cell in cells] == [FormulaCell] * len(leads) + [str] * len(plain)
        assert all(neutralise(str(cell).strip()) != str(cell).strip() for cell in cells[:len(leads)])


def raw_csv(headers, rows) -> bytes:
    """A CSV with these strings as they are (write_csv would neutralise them)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows([headers, *rows])
    return buffer.getvalue().encode()


def raw_xlsx(headers, rows) -> bytes:
    """An XLSX with these strings as they are (write_xlsx would neutralise them)."""
    workbook = openpyxl.Workbook()
    workbook.active.append(headers)
    for row in rows:
        workbook.active.append(row)
        workbook.active.cell(workbook.active.max_row, 1).data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_broken_quotes_are_reported_with_the_row():
    data = b"Name,Post\nA,B\n" + b'C,"' + b"x" * 200_000 + b"\n"
    assert "row 3" in refused(data)


# ------------------------------------------------------------------------------------ XLSX


def test_xlsx_dates_serials_and_row_numbers():
    table = read_table((FIXTURES / "roster_dates.xlsx").read_bytes(), "roster.csv")  # the name does not matter
    assert table.headers == HEADERS_ZH
    assert [row.number for row in table.rows] == [2, 3, 5]  # row 4 is empty
    first, second, third = (row.cells for row in table.rows)
    assert first[5] == date(2026, 1, 5) and type(first[5]) is date  # datetime cell becomes a date
    assert second[1] == 13900139000 and second[5] == 46054  # a serial in a General cell stays a number
    assert third[5] == date(2025, 12, 20)
    assert second[2] is None


def test_xlsx_formulas_become_formula_cells():
    table = read_table((FIXTURES / "roster_formula.xlsx").read_bytes(), "x.xlsx")
    assert isinstance(table.rows[1].cells[0], FormulaCell)
    assert table.rows[2].cells[3] == FormulaCell("=A2&A3")


def test_xlsx_text_that_looks_like_a_formula_is_treated_as_one():
    # A string cell "=..." (typed after an apostrophe) is still refused: data_only=False semantics.
    data = xlsx_bytes([["Name"], ["x"]])
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    workbook.active["A2"].value = "=SUM(1)"
    workbook.active["A2"].data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert isinstance(read_table(buffer.getvalue(), "x.xlsx").rows[0].cells[0], FormulaCell)


def test_xlsx_whitespace_and_trailing_empty_cells():
    table = read_table(xlsx_bytes([["A", "B", None, None], ["  ", None], ["x", None, None, None, None]]), "x.xlsx")
    assert table.headers == ["A", "B"]
    assert [(row.number, row.cells) for row in table.rows] == [(3, ["x"])]


def test_xlsx_first_sheet_is_read():
    workbook = openpyxl.Workbook()
    workbook.active.append(["First"])
    workbook.create_sheet("Other").append(["Second"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert read_table(buffer.getvalue(), "x.xlsx").headers == ["First"]


# ------------------------------------------------------------------------------------ refusals


def test_too_large_is_refused_before_parsing(monkeypatch):
    def must_not_run(*args, **kwargs):
        raise AssertionError("parsed a file that was too large")

    monkeypatch.setattr(tabular, "_decode", must_not_run)
    monkeypatch.setattr(tabular, "_check_archive", must_not_run)
    six_mb = b"Name,Post\r\n" + b"x,y\r\n" * (6 * 1024 * 1024 // 5)
    assert "5 MB" in refused(six_mb)
    assert "5 MB" in refused(tabular.XLSX_MAGIC + six_mb)


def test_too_many_rows_stops_reading_early(monkeypatch):
    seen = []
    original = tabular._xlsx_cell
    monkeypatch.setattr(tabular, "_xlsx_cell", lambda value: seen.append(value) or original(value))
    data = xlsx_bytes([["Name"], *([f"person {n}"] for n in range(2000))])
    assert "more than 10 rows" in refused(data, max_rows=10)
    assert len(seen) < 100 * 20  # stopped near row 12, not after 2000 rows
    csv_data = ("Name\n" + "x\n" * 50).encode()
    assert "more than 10 rows" in refused(csv_data, max_rows=10)
    assert len(read_table(csv_data, "x.csv", max_rows=50).rows) == 50


def test_too_many_columns():
    assert "more than 3 columns" in refused(b"a,b,c,d\n", max_columns=3)
    assert "more than 3 columns" in refused(xlsx_bytes([["a", "b", "c", "d"]]), max_columns=3)


def test_zip_bomb_by_total_size():
    bomb = zip_bytes({
        "[Content_Types].xml": b"<Types/>",
        "xl/workbook.xml": b"<workbook/>",
        "xl/worksheets/sheet1.xml": b"\0" * (60 * 1024 * 1024),
    })
    assert len(bomb) < 200_000
    assert "unpacked" in refused(bomb)


def test_zip_bomb_by_ratio():
    bomb = zip_bytes({
        "[Content_Types].xml": b"<Types/>",
        "xl/workbook.xml": b"<workbook/>",
        "xl/sharedStrings.xml": b" " * (20 * 1024 * 1024),  # under the 50 MB total, ratio ~1000
    })
    assert "unpacked" in refused(bomb)


def test_honest_large_workbook_is_not_taken_for_a_bomb():
    rows = [["Name", "Mobile", "Post"], *([f"person {n}", f"139{n:08d}", "guard"] for n in range(20000))]
    assert len(read_table(xlsx_bytes(rows), "x.xlsx", max_rows=20000).rows) == 20000


@pytest.mark.parametrize("data, message", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256)) * 4, "not a spreadsheet"),
    (b"%PDF-1.7\n" + bytes(range(32)) * 50, "not a spreadsheet"),
    (tabular.OLE2_MAGIC + b"\x00" * 512, ".xls"),
    (zip_bytes({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<Types/>"}), "not a valid Excel workbook"),
    (zip_bytes({"hello.txt": b"hi"}), "not a valid Excel workbook"),
    (b"PK\x03\x04 this is not really a zip", "not a valid Excel workbook"),
    (b"\x80\x81abc,def\n", "encoding is not recognised"),
    (b"", "empty"),
    (b" \r\n\t\r\n", "empty"),
    (b",,,\r\n, ,\r\n", "empty"),
])
def test_non_spreadsheets_are_refused(data, message):
    assert message in refused(data)


def test_truncated_or_corrupted_xlsx_is_refused():
    data = xlsx_bytes([["Name"], ["x"]])
    assert "not a valid Excel workbook" in refused(data[: len(data) // 2])
    corrupted = bytearray(data)
    start = data.index(b"xl/worksheets/sheet1.xml") + 40
    corrupted[start:start + 60] = b"\xff" * 60
    with pytest.raises(TableError):
        read_table(bytes(corrupted), "x.xlsx")


def test_table_error_is_a_validation_error():
    assert issubclass(TableError, ValidationError)


# ------------------------------------------------------------------------------------ writing


@pytest.mark.parametrize("text, written", [
    ("=1+1", "'=1+1"),
    ("+8613800138000", "'+8613800138000"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("-2+3", "'-2+3"),
    (" =1+1", "' =1+1"),  # LibreOffice's "Trim spaces" would make it a formula
    ("\x01=cmd", "'\x01=cmd"),
    ("＝1+1", "'＝1+1"),  # full-width forms fold to = + - @
    ("\u3000@SUM(A1)", "'\u3000@SUM(A1)"),
    ("\tx", "'\tx"),
    ("-5", "-5"),
    ("-5.25", "-5.25"),
    ("张伟", "张伟"),
    ("a=1", "a=1"),
    ("", ""),
])
def test_neutralise(text, written):
    assert neutralise(text) == written


def test_csv_export_is_excel_friendly_and_formula_safe():
    data = write_csv(["Name", "Value"], [["=1+1", date(2026, 1, 5)], ["+8613800138000", 3], [None, 2.5],
                                         ["a,b", datetime(2026, 1, 5, 8, 30)]])
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.split("\r\n")[:5] == [
        "Name,Value", "'=1+1,2026-01-05", "'+8613800138000,3", ",2.5", '"a,b",2026-01-05 08:30:00',
    ]
    back = read_table(data, "x.csv")
    assert back.rows[0].cells == ["'=1+1", "2026-01-05"]  # read back as text, never as a formula


def test_stored_times_are_exported_as_the_local_clock(app):
    """Stored times are aware UTC; people read exports, in the portal's time zone (spreadsheets have none)."""
    moment = datetime(2026, 12, 6, 20, 30, 5, tzinfo=timezone.utc)
    with app.app_context():
        text = write_csv(["When"], [[moment]]).decode("utf-8-sig")
        sheet = openpyxl.load_workbook(io.BytesIO(write_xlsx(["When"], [[moment]]))).active
    assert text.split("\r\n")[1] == "2026-12-07 04:30:05"
    assert sheet["A2"].value == datetime(2026, 12, 7, 4, 30, 5) and sheet["A2"].is_date


def test_xlsx_export_is_formatted_and_formula_safe():
    data = write_xlsx(["姓名", "入职日期", "Number"],
                      [["=1+1", date(2026, 1, 5), 3], ["\x01=cmd", None, -5], ["@x", datetime(2026, 1, 5, 8), "-5"]],
                      sheet_title="花名册/roster", text_columns=[0])
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook.active
    assert sheet.title == "花名册_roster"
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.b is True
    assert sheet["A2"].value == "'=1+1" and sheet["A2"].data_type == "s"
    assert sheet["A3"].value == "'=cmd"  # control character removed before neutralising
    assert sheet["B2"].value == datetime(2026, 1, 5) and sheet["B2"].is_date
    assert sheet["C3"].value == -5 and sheet["C4"].value == "-5"
    assert 8 <= sheet.column_dimensions["A"].width <= 50
    assert sheet.column_dimensions["A"].number_format == "@"
    back = read_table(data, "x.xlsx")
    assert back.rows[0].cells == ["'=1+1", date(2026, 1, 5), 3]
    assert back.rows[2].cells[:2] == ["'@x", date(2026, 1, 5)]


def test_write_table_registry():
    assert write_table("csv", ["a"], [["=1"]]).decode("utf-8-sig") == "a\r\n'=1\r\n"
    assert write_table("xlsx", ["a"], [["b"]]).startswith(tabular.XLSX_MAGIC)
    with pytest.raises(ValueError):
        write_table("ods", ["a"], [])


def test_csv_comes_in_chunks_that_add_up_to_the_whole_file():
    from portal.domain.platform.tabular import csv_chunks

    rows = [[f"=名字{n}", n, date(2026, 1, 1)] for n in range(2500)]
    chunks = list(csv_chunks(["姓名", "Number", "Date"], rows, rows_per_chunk=1000))
    assert len(chunks) == 3 and chunks[0].startswith("\ufeff姓名,Number,Date\r\n".encode())
    assert b"".join(chunks) == write_csv(["姓名", "Number", "Date"], rows)
    assert b"'=\xe5\x90\x8d\xe5\xad\x97" in chunks[0]  # formulas neutralised in every chunk
