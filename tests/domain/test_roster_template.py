"""The roster template: headers in the user's language, an instructions sheet, drop-down lists of posts and key
groups whose labels the import reads, and an example that is never imported."""
from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
import pytest

from portal.domain.workforce.reference import KEY_GROUPS
from portal.domain.workforce.roster_import import ALL_STAFF, TEMPLATE_HEADERS, parse_roster
from portal.domain.workforce.roster_template import template
from portal.domain.platform.tabular import Row, Table, read_table

GROUPS = {code: (code, zh, en) for code, zh, en in KEY_GROUPS}
POSTS = ["保安员", "收银员", "=1+1"]
EXAMPLE_REASON = "This is the template's example row, which is never imported: delete it."


def workbook(locale="en", **options) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(template(locale, "xlsx", groups=GROUPS, posts=POSTS, **options)))


def validations(sheet) -> dict[str, list[str]]:
    """Column letter of each drop-down -> the values it offers, read from the sheet its formula points at."""
    found = {}
    for validation in sheet.data_validations.dataValidation:
        assert validation.type == "list"
        sheet_name, cells = validation.formula1.split("!")
        source = sheet.parent[sheet_name.strip("'=")]
        values = [cell.value for row in source[cells.replace("$", "")] for cell in row]
        found[str(validation.sqref).split(":")[0].rstrip("0123456789")] = values
    return found


@pytest.mark.parametrize("locale", ["zh_CN", "en", "zh", "fr"])
def test_xlsx_roster_sheet_is_first_and_holds_only_the_headers(locale):
    book = workbook(locale)
    roster = book.worksheets[0]
    headers = TEMPLATE_HEADERS["en" if locale in ("en", "fr") else "zh_CN"]
    assert [cell.value for cell in roster[1]] == headers
    assert roster.max_row == 1  # no example on the sheet that is imported
    assert book.active.title == roster.title
    assert [sheet.sheet_state for sheet in book.worksheets] == ["visible", "visible", "hidden"]
    table = read_table(template(locale, "xlsx"), "template.xlsx")
    assert table.headers == headers and table.rows == []


def test_xlsx_template_keeps_mobile_and_id_columns_as_text():
    sheet = workbook("zh_CN").worksheets[0]
    assert sheet.column_dimensions["B"].number_format == "@"
    assert sheet.column_dimensions["C"].number_format == "@"


def test_instructions_explain_every_column_with_an_example():
    book = workbook("en")
    assert book.sheetnames[:2] == ["Roster", "Instructions"]
    rows = [[cell for cell in row] for row in book["Instructions"].iter_rows(values_only=True)]
    text = " ".join(str(cell) for row in rows for cell in row if cell)
    for words in ('Fill in the first sheet, "Roster"', "an import never removes anyone", "hired again",
                  "Old 15-digit ID numbers are not accepted", "2026-01-05", "formatted as Text"):
        assert words in text
    table = {row[0]: row[1:] for row in rows if row[0] in TEMPLATE_HEADERS["en"]}
    assert list(table) == TEMPLATE_HEADERS["en"]
    assert [need for need, _what, _example in table.values()] == ["Required", "Required", "Optional", "Required",
                                                                    "Optional", "Required", "Optional"]
    assert table["Mobile"][2] == "13800138000" and table["ID number"][2] == "11010519491231002X"
    assert table["Department"][2] == "Security" and "a person already on your roster keeps theirs" in table["Department"][1]
    assert table["Start date"][2] == datetime(2026, 1, 5)
    assert "Example (never imported)" in rows[5]


def test_instructions_are_in_chinese_headers_for_a_chinese_user():
    book = workbook("zh_CN")
    rows = list(book.worksheets[1].iter_rows(values_only=True))
    assert [row[0] for row in rows if row[0] in TEMPLATE_HEADERS["zh_CN"]] == TEMPLATE_HEADERS["zh_CN"]
    assert any(row[3] == "安保人员/微型消防站队员、重点单位员工" for row in rows)
    assert [row[3] for row in rows if row[0] == "部门"] == ["安保部"]


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_the_template_ends_with_an_optional_department_column_the_import_reads(locale):
    headers = TEMPLATE_HEADERS[locale]
    assert headers[-1] == {"zh_CN": "部门", "en": "Department"}[locale]
    assert read_table(template(locale, "xlsx"), "template.xlsx").headers == headers
    row = Row(2, ["王五", "13900139000", None, "保安员", None, "2026-01-05", "安保部"])
    assert parse_roster(Table(headers, [row]), groups=GROUPS).rows[0].department == "安保部"


def test_drop_downs_offer_the_posts_and_the_key_groups_by_label():
    sheet = workbook("zh_CN").worksheets[0]
    lists = validations(sheet)
    assert lists["D"] == ["保安员", "收银员", "'=1+1"]  # every cell neutralised, the list's too
    assert lists["E"] == [zh for _code, zh, _en in KEY_GROUPS]
    for validation in sheet.data_validations.dataValidation:
        assert validation.showErrorMessage is not True  # several groups, or another post name, may be typed
        assert str(validation.sqref).endswith("1001") and validation.prompt


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_every_label_in_the_drop_down_is_read_by_the_import(locale):
    labels = validations(workbook(locale).worksheets[0])["E"]
    headers = TEMPLATE_HEADERS[locale]
    rows = [Row(n, [f"人{n}", f"1380000{n:04d}", None, "保安员", label, date(2026, 1, 5)])
            for n, label in enumerate(labels, start=2)]
    parsed = parse_roster(Table(headers, rows), groups=GROUPS)
    assert parsed.invalid == []
    assert [row.group_codes[-1] for row in parsed.rows] == [code for code, *_names in KEY_GROUPS]
    several = parse_roster(Table(headers, [Row(2, ["甲", "13800000001", None, "保安员", "、".join(labels[1:3]),
                                                   "2026-01-05"])]), groups=GROUPS)
    assert several.rows[0].group_codes == (ALL_STAFF, KEY_GROUPS[1][0], KEY_GROUPS[2][0])


def test_empty_lists_get_no_drop_down():
    book = openpyxl.load_workbook(io.BytesIO(template("en", "xlsx", groups={}, posts=[])))
    assert book.worksheets[0].data_validations.dataValidation == []


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_csv_template_is_the_header_and_an_example_the_import_refuses(locale):
    read = read_table(template(locale, "csv"), "template.csv")
    assert read.headers == TEMPLATE_HEADERS[locale]
    parsed = parse_roster(read, groups=GROUPS)
    assert parsed.rows == []
    [bad] = parsed.invalid
    assert (bad.number, [str(reason) for reason in bad.reasons]) == (2, [EXAMPLE_REASON])


def test_the_example_person_is_refused_however_typed_and_only_them():
    headers = TEMPLATE_HEADERS["zh_CN"]
    rows = [Row(2, ["张三", "138 0013 8000", "110105 19491231 002x", "保安员", None, "2026-01-05"]),
            Row(3, ["Zhang San", "13800138000", "11010519491231002X", "Guard", None, "2026-01-05"]),
            Row(4, ["张三", "13800138000", None, "保安员", None, "2026-01-05"]),  # a real 张三 without the ID
            Row(5, ["李四", "13900139000", "11010519491231002X", "保安员", None, "2026-01-05"])]
    refused = []
    for row in rows:  # one file each: they share a mobile or an ID number
        parsed = parse_roster(Table(headers, [row]), groups=GROUPS)
        refused += [[str(reason) for reason in bad.reasons] for bad in parsed.invalid]
    assert refused == [[EXAMPLE_REASON], [EXAMPLE_REASON]]
