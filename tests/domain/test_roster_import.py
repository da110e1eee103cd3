"""Roster files: columns in two languages, every reason a row is refused, the preview, template and error file."""
from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal import create_app
from portal.domain.workforce.reference import KEY_GROUPS
from portal.domain.workforce.roster_import import (
    ALL_STAFF, REASON_HEADER, ROW_HEADER, TEMPLATE_HEADERS, ExistingPerson, FieldChange, ParsedRoster,
    RosterFileError, classify, error_file, parse_date, parse_roster, preview_from_json, preview_to_json
)
from portal.domain.workforce.roster_template import template
from portal.domain.platform.tabular import FormulaCell, Row, Table, TableError, read_table, write_csv, write_xlsx

FIXTURES = Path(__file__).parent.parent / "fixtures" / "roster"
GROUPS = {code: (code, zh, en) for code, zh, en in KEY_GROUPS}
EN = TEMPLATE_HEADERS["en"]
ZH = TEMPLATE_HEADERS["zh_CN"]
GOOD = ["Zhang Wei", "13800138000", "11010519491231002X", "Guard", "security_staff", "2026-01-05"]


def table(headers, *rows) -> Table:
    return Table(headers=list(headers), rows=[Row(number=n, cells=list(r)) for n, r in enumerate(rows, start=2)])


def parse(*rows, headers=EN) -> ParsedRoster:
    return parse_roster(table(headers, *rows), groups=GROUPS)


def reasons(parsed: ParsedRoster) -> list[list[str]]:
    return [[str(reason) for reason in bad.reasons] for bad in parsed.invalid]


def formula(row: int, column: str, lead: str = "=") -> str:
    return (f'Row {row}, column "{column}": a cell may not start with "{lead}", which makes it a formula in '
            "spreadsheets; remove it, or type the value instead of a formula.")


def with_cell(index: int, value) -> list:
    row = list(GOOD)
    row[index] = value
    return row


# ------------------------------------------------------------------------------------ files end to end


@pytest.mark.parametrize("name", ["roster_utf8.csv", "roster_utf8_bom.csv", "roster_gbk.csv",
                                  "roster_semicolon_en.csv", "roster_dates.xlsx"])
def test_fixture_files_give_the_same_three_people(name):
    parsed = parse_roster(read_table((FIXTURES / name).read_bytes(), name), groups=GROUPS)
    assert reasons(parsed) == []
    zhang, li, wang = parsed.rows
    assert (zhang.mobile, zhang.id_number, zhang.start_date) == ("13800138000", "11010519491231002X", date(2026, 1, 5))
    assert zhang.group_codes == (ALL_STAFF, "security_staff", "key_unit_staff")
    assert (li.mobile, li.id_number, li.group_codes, li.start_date) == (
        "13900139000", None, (ALL_STAFF, "property_staff"), date(2026, 2, 1))
    assert wang.group_codes == (ALL_STAFF, "community_police", "grid_worker")
    assert wang.start_date == date(2025, 12, 20)


def test_xlsx_formulas_are_refused_by_row():
    parsed = parse_roster(read_table((FIXTURES / "roster_formula.xlsx").read_bytes(), "x.xlsx"), groups=GROUPS)
    assert [row.number for row in parsed.rows] == [2]
    assert [bad.number for bad in parsed.invalid] == [3, 4]
    assert reasons(parsed) == [[formula(3, "Name")], [formula(4, "Post")]]


def test_csv_cells_starting_like_formulas_are_refused():
    parsed = parse_roster(read_table((FIXTURES / "roster_injection.csv").read_bytes(), "x.csv"), groups=GROUPS)
    assert parsed.rows == []
    assert reasons(parsed) == [[formula(2, "Name")], [formula(3, "Post", "@")]]


@pytest.mark.parametrize("index, value, lead", [
    (0, '+HYPERLINK("http://ev.il","Open")', "+"), (0, "-2+3", "-"), (0, "@SUM(A1)", "@"), (3, "\t=1+1", "="),
    (3, "\r@x", "@"), (0, "＝1+1", "="), (0, "'+1", "+"),  # the apostrophe of our own exports is undone first
    (0, "-张伟", "-"), (2, "=A1", "="), (5, "+2026-01-05", "+"), (1, "@13800138000", "@"),
])
def test_every_formula_lead_is_refused_naming_row_and_column(index, value, lead):
    parsed = parse(with_cell(index, value))
    assert reasons(parsed) == [[formula(2, EN[index], lead)]]


def test_what_only_looks_like_a_formula_lead_passes():
    """A mobile's international prefix keeps only digits; tabs and line breaks around a cell are trimmed."""
    parsed = parse(with_cell(1, "+86 139 0013 9000"), ["\t张伟\r", "13700137000", None, "\t保安", None, "2026-01-05"])
    assert reasons(parsed) == []
    assert [(row.real_name, row.mobile, row.post) for row in parsed.rows] == [
        ("Zhang Wei", "13900139000", "Guard"), ("张伟", "13700137000", "保安")]


# ------------------------------------------------------------------------------------ columns


@pytest.mark.parametrize("headers", [
    ["  NAME ", "mobile", "Post", "start date"],
    ["name", "Mobile Number", "POSITION", "Start_Date"],
    ["姓名", "手机号码", "岗位", "入职日期"],
    ["姓名*", "手机号（必填）", "岗 位", "入职日期(YYYY-MM-DD)"],
    ["Name", "Mobile", "Post", "Start date", REASON_HEADER, "备注"],
])
def test_headers_are_recognised_in_both_languages(headers):
    parsed = parse(["张伟", "13800138000", "保安", "2026-01-05"], headers=headers)
    assert reasons(parsed) == []
    assert parsed.rows[0].group_codes == (ALL_STAFF,)  # no groups column: everyone is all staff
    assert parsed.rows[0].id_number is None


def test_missing_columns_are_named_in_one_error():
    with pytest.raises(RosterFileError) as error:
        parse(["张伟", "保安"], headers=["姓名", "岗位", "重点人群"])
    message = str(error.value)
    assert "手机号 / Mobile" in message and "入职日期 / Start date" in message
    assert "姓名 / Name" not in message and "岗位 / Post" not in message


def test_a_data_row_taken_for_headers_names_all_columns():
    with pytest.raises(TableError) as error:
        parse(headers=["张伟", "13800138000"])
    for label in ("姓名 / Name", "手机号 / Mobile", "岗位 / Post", "入职日期 / Start date"):
        assert label in str(error.value)


def test_repeated_column_is_refused():
    with pytest.raises(TableError) as error:
        parse(headers=["姓名", "Name", "手机号", "岗位", "入职日期"])
    assert '"Name" appears more than once' in str(error.value)


# ------------------------------------------------------------------------------------ every reason


@pytest.mark.parametrize("index, value, reason", [
    (0, None, "A name has 1 to 50 characters."),
    (0, "   ", "A name has 1 to 50 characters."),
    (0, "张" * 51, "A name has 1 to 50 characters."),
    (1, None, "The mobile number is missing."),
    (1, "1380013800", "The mobile number is not valid: A mobile number has 11 digits and starts with 13 to 19."),
    (1, "12800138000", "The mobile number is not valid: A mobile number has 11 digits"),
    (2, "11010519491231002Y", "The ID number is not valid: A resident ID number has 17 digits"),
    (2, "110105194912310021", "The ID number is not valid: This ID number's check digit is wrong"),
    (2, "110105194902300021", "The ID number is not valid: This ID number contains an impossible date"),
    (2, 1.10105194912310e17, "Excel stored this ID number as a number and lost its last digits"),
    (3, "岗" * 101, "A post has at most 100 characters."),
    (4, "security_staff、消防队长", "Unknown key group: 消防队长"),
    (4, "grid_worker firefighters", "Unknown key group: firefighters"),
    (5, None, "The start date is missing."),
    (5, "next monday", 'The start date "next monday" is not a date: write it as 2026-01-05.'),
    (5, "2026-02-30", "is not a date"),
    (5, 12, "is not a date"),
    (5, "9999-12-31", "Enter a date between 1900-01-01 and 2199-12-31."),
    (5, date(1, 1, 1), "Enter a date between 1900-01-01 and 2199-12-31."),
    (0, "=HYPERLINK(\"x\")", 'Row 2, column "Name": a cell may not start with "="'),
    (4, " =1+1", 'Row 2, column "Key groups": a cell may not start with "="'),
])
def test_every_reason_a_row_is_refused(index, value, reason):
    parsed = parse(with_cell(index, value))
    assert parsed.rows == []
    [bad] = parsed.invalid
    assert bad.number == 2
    assert bad.cells == tuple(with_cell(index, value))  # the cells as uploaded
    [text] = [str(r) for r in bad.reasons]
    assert text.startswith(reason) or reason in text


def test_all_reasons_of_a_row_are_given_together():
    parsed = parse(["", "123", "X", "Guard", "nobody", "someday"])
    assert len(reasons(parsed)[0]) == 5


def test_bad_rows_never_raise():
    parsed = parse([], [None] * 6, [object()] * 6, ["x"] * 20, [3.5, True, date(2026, 1, 1), -1, 1e308, float("inf")])
    assert parsed.rows == [] and len(parsed.invalid) == 5


def test_a_valid_row_is_normalised():
    parsed = parse([" 张  伟 ", "+86 138-0013-8000", "11010519491231002x", " 保安 ", "", datetime(2026, 1, 5)])
    [row] = parsed.rows
    assert (row.real_name, row.mobile, row.id_number, row.post) == ("张 伟", "13800138000", "11010519491231002X", "保安")
    assert (row.group_codes, row.groups_given, row.start_date) == ((ALL_STAFF,), False, date(2026, 1, 5))


def test_numbers_from_excel_cells():
    [row] = parse(["张伟", 13800138000, None, "保安", None, 46027.0]).rows
    assert row.mobile == "13800138000" and row.start_date == date(2026, 1, 5)


@pytest.mark.parametrize("value", [
    "2026-01-05", "2026/1/5", "2026.1.5", "2026年1月5日", "2026年01月05", "46027", "46027.75", "20260105",
    "2026-01-05 00:00:00", "2026/01/05 8:30", "２０２６－０１－０５", 46027, date(2026, 1, 5),
])
def test_start_date_forms(value):
    assert parse_date(value) == date(2026, 1, 5)


@pytest.mark.parametrize("value", ["1/5/2026", "2026-1/5", "2026-13-01", "12345", "99999", "2026", "", "明天", None])
def test_not_dates(value):
    assert parse_date(value) is None


@pytest.mark.parametrize("cell, codes", [
    ("grid_worker", ("grid_worker",)),
    ("GRID_WORKER, Community Police", ("community_police", "grid_worker")),
    ("网格员，社区民警；物业等管理单位人员", ("community_police", "grid_worker", "property_staff")),
    ("网格员、社区民警;grid_worker", ("community_police", "grid_worker")),
    ("grid_worker community_police", ("community_police", "grid_worker")),
    ("村（居）委会工作人员", ("committee_staff",)),
    ("Village and residents' committee staff", ("committee_staff",)),
    ("全体员工", ()),
    ("all_staff", ()),
])
def test_groups_by_code_or_name(cell, codes):
    [row] = parse(with_cell(4, cell)).rows
    assert row.group_codes == (ALL_STAFF, *codes)
    assert row.groups_given


def test_groups_the_office_added_are_recognised():
    groups = {**GROUPS, "kitchen_staff": ("kitchen_staff", "后厨人员", "Kitchen staff")}
    parsed = parse_roster(table(EN, with_cell(4, "后厨人员、kitchen STAFF")), groups=groups)
    assert parsed.rows[0].group_codes == (ALL_STAFF, "kitchen_staff")


def _mobile_only(mobile: str) -> list:
    row = with_cell(1, mobile)
    row[2] = ""  # no ID number: only the mobiles repeat
    return row


def test_duplicate_mobiles_name_each_other():
    parsed = parse(
        _mobile_only("13800138000"),
        _mobile_only("13900139000"),
        _mobile_only("138 0013 8000"),
        _mobile_only("+8613800138000"),
    )
    assert [row.number for row in parsed.rows] == [3]
    assert [bad.number for bad in parsed.invalid] == [2, 4, 5]
    assert reasons(parsed) == [
        ["This mobile number is also in rows 4, 5."],
        ["This mobile number is also in rows 2, 5."],
        ["This mobile number is also in rows 2, 4."],
    ]
    assert reasons(parse(GOOD, GOOD))[0] == ["This mobile number is also in row 3.", "This ID number is also in row 3."]


def test_duplicate_id_numbers_name_each_other_whatever_their_spelling():
    second = with_cell(1, "13900139000")
    second[2] = "１１０１０５ 19491231 002x"  # full-width digits, a space, a lower-case x: the same number
    parsed = parse(GOOD, second)
    assert parsed.rows == []
    assert reasons(parsed) == [["This ID number is also in row 3."], ["This ID number is also in row 2."]]


def test_many_duplicates_are_listed_briefly():
    parsed = parse(*[GOOD] * 30)
    text = reasons(parsed)[0][0]
    assert text.startswith("This mobile number is also in rows 3, 4,") and text.endswith("….")


def test_reasons_are_translated_lazily():
    app = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    parsed = parse(with_cell(1, "123"))
    with app.test_request_context():  # zh_CN by default: the validator's own message is translated
        assert "手机号为 11 位数字" in str(parsed.invalid[0].reasons[0])
    with app.test_request_context(headers={"Cookie": "lang=en"}):
        assert "A mobile number has 11 digits" in str(parsed.invalid[0].reasons[0])


# ------------------------------------------------------------------------------------ classify


def person(**overrides) -> ExistingPerson:
    values = dict(trainee_id=7, real_name="Zhang Wei", id_number="11010519491231002X", post="Guard",
                  group_codes=("security_staff", ALL_STAFF), start_date=date(2026, 1, 5), status="active")
    return ExistingPerson(**{**values, **overrides})


def test_classify_new_changed_unchanged_and_rehire():
    parsed = parse(
        GOOD,
        ["Li Na", "13900139000", "", "Manager", "", "2026-02-01"],
        ["Wang Fang", "15000150000", "", "Grid worker", "grid_worker", "2026-03-01"],
        ["Zhao Lei", "15100151000", "", "Cook", "", "2026-03-01"],
        ["Bad", "1", "", "", "", ""],
    )
    existing = {
        "13800138000": person(),
        "13900139000": person(trainee_id=8, real_name="Li Na", id_number="11010119900307803X", post="Clerk",
                              start_date=date(2025, 1, 1)),
        "15000150000": person(trainee_id=9, real_name="Wang Fang", id_number=None, post="Grid worker",
                              group_codes=(ALL_STAFF, "grid_worker"), start_date=date(2026, 3, 1), status="left"),
    }
    preview = classify(parsed, existing)
    assert [row.real_name for row in preview.new] == ["Zhao Lei"]
    assert [(m.row.number, m.person.trainee_id) for m in preview.unchanged] == [(2, 7)]
    assert [bad.number for bad in preview.invalid] == [6]
    li, wang = preview.changed
    # Blank ID and blank groups keep what the roster holds; the rest is a field-by-field diff.
    assert li.changes == (FieldChange("post", "Clerk", "Manager"),
                          FieldChange("start_date", date(2025, 1, 1), date(2026, 2, 1)))
    assert not li.rehire
    assert wang.rehire and wang.changes == (FieldChange("status", "left", "active"),)
    assert li.diff == {"post": ("Clerk", "Manager"), "start_date": (date(2025, 1, 1), date(2026, 2, 1))}

    # Kept as JSON between upload and confirmation, the preview comes back equal.
    stored = json.loads(json.dumps(preview_to_json(preview)))
    back = preview_from_json(stored)
    assert (back.new, back.changed, back.unchanged) == (preview.new, preview.changed, preview.unchanged)
    assert [(bad.number, bad.cells, list(bad.reasons)) for bad in back.invalid] == [
        (bad.number, bad.cells, [str(r) for r in bad.reasons]) for bad in preview.invalid]


def test_stored_preview_keeps_formula_and_date_cells_for_the_error_file():
    parsed = parse(with_cell(0, FormulaCell("=1+1")), ["Li Na", "1390013900", None, "Guard", None, date(2026, 2, 1)])
    back = preview_from_json(json.loads(json.dumps(preview_to_json(classify(parsed, {})))))
    assert back.invalid[0].cells[0] == FormulaCell("=1+1")
    assert back.invalid[1].cells[5] == date(2026, 2, 1)
    rows = read_table(error_file(back, None, "xlsx"), "e.xlsx").rows
    assert rows[0].cells[:2] == [2, "'=1+1"]
    assert rows[1].cells[:1] + rows[1].cells[6:7] == [3, date(2026, 2, 1)]


def test_classify_diffs_name_id_and_groups():
    parsed = parse(["Zhang Wei-Jr", "13800138000", "11010119900307803X", "Guard", "grid_worker", "2026-01-05"])
    [match] = classify(parsed, {"13800138000": person()}).changed
    assert [change.field for change in match.changes] == ["real_name", "id_number", "group_codes"]
    assert match.changes[2] == FieldChange("group_codes", ("security_staff", ALL_STAFF), (ALL_STAFF, "grid_worker"))


# ------------------------------------------------------------------------------------ template & error file


BAD_FILE_ROWS = [
    ["张伟", "13800138000", "", "保安", "", "2026-01-05"],
    ["李娜", "+8613900139000", "", "保安", "消防队长", "2026-01-05"],
    ["=1+1", "15000150000", "", "保安", "", "明天"],
]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_error_file_can_be_fixed_and_uploaded_again(fmt):
    upload = write_xlsx(ZH, BAD_FILE_ROWS) if fmt == "xlsx" else write_csv(ZH, BAD_FILE_ROWS)
    parsed = parse_roster(read_table(upload, "upload"), groups=GROUPS)
    assert [bad.number for bad in parsed.invalid] == [3, 4]

    errors = read_table(error_file(parsed, parsed.headers, fmt), f"errors.{fmt}")
    assert errors.headers == [ROW_HEADER, *ZH, REASON_HEADER]
    assert [row.cells[0] for row in errors.rows] == ([3, 4] if fmt == "xlsx" else ["3", "4"])
    assert [row.cells[-1] for row in errors.rows] == [
        "Unknown key group: 消防队长",
        formula(4, "姓名") + "; "
        "The start date \"明天\" is not a date: write it as 2026-01-05.",
    ]
    assert errors.rows[0].cells[2] == "'+8613900139000"  # neutralised on the way out, accepted on the way in

    again = parse_roster(errors, groups=GROUPS)  # uploading it unchanged gives the same reasons, one column,
    assert reasons(again) == [reasons(parsed)[0], [formula(3, "姓名"), reasons(parsed)[1][1]]]  # its own rows
    second = read_table(error_file(classify(again, {}), None, fmt), "e")
    assert second.headers == [ROW_HEADER, *ZH, REASON_HEADER]  # one row column, one reason column
    assert [str(row.cells[0]) for row in second.rows] == ["2", "3"]  # rows of the file uploaded this time

    errors.rows[0].cells[5] = "网格员"
    errors.rows[1].cells[1] = "王芳"
    errors.rows[1].cells[6] = "2026/1/5"
    fixed = parse_roster(errors, groups=GROUPS)
    assert reasons(fixed) == []
    assert [(row.real_name, row.mobile) for row in fixed.rows] == [("李娜", "13900139000"), ("王芳", "15000150000")]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_error_file_rows_are_the_rows_of_the_uploaded_file(fmt):
    """Blank lines, good rows and duplicates between: each failed row keeps the number Excel showed the user, and
    the reasons name rows by that same number."""
    rows = [
        ["张伟", "13800000001", "", "保安", "", "2026-01-05"],       # row 2: good
        [None] * 6,                                                  # row 3: blank, skipped
        ["李娜", "13800000002", "", "保安", "", "明天"],             # row 4: bad date
        ["王芳", "13800000003", "", "保安", "", "2026-01-05"],       # row 5: good
        ["赵六", "13800000009", "", "保安", "", "2026-01-05"],       # row 6: same mobile as row 8
        [None] * 6,                                                  # row 7
        ["钱七", "13800000009", "", "保安", "", "2026-01-05"],       # row 8
    ]
    upload = write_xlsx(ZH, rows) if fmt == "xlsx" else write_csv(ZH, rows)
    parsed = parse_roster(read_table(upload, "upload"), groups=GROUPS)
    errors = read_table(error_file(classify(parsed, {}), None, fmt), f"errors.{fmt}")
    got = [(str(row.cells[0]), row.cells[1], row.cells[-1]) for row in errors.rows]
    assert got == [("4", "李娜", 'The start date "明天" is not a date: write it as 2026-01-05.'),
                   ("6", "赵六", "This mobile number is also in row 8."),
                   ("8", "钱七", "This mobile number is also in row 6.")]


@pytest.mark.parametrize("mobile", ["１３８-2345 6789", "138-2345-6789", "138 2345 6789", "+86 138 2345 6789",
                                    "１３８２３４５６７８９"])
def test_mobiles_typed_with_full_width_digits_dashes_and_spaces_are_read(mobile):
    parsed = parse(with_cell(1, mobile))
    assert reasons(parsed) == []
    assert parsed.rows[0].mobile == "13823456789"


@pytest.mark.parametrize("id_number", ["110105 19491231 002X", "11010519491231002ｘ", "１１０１０５１９４９１２３１００２Ｘ",
                                       "110105-19491231-002x", "\u3000110105 1949 1231 002X"])
def test_id_numbers_typed_with_spaces_and_full_width_x_are_read(id_number):
    parsed = parse(with_cell(2, id_number))
    assert reasons(parsed) == []
    assert parsed.rows[0].id_number == "11010519491231002X"


def test_a_15_digit_id_number_is_refused_with_its_reason():
    parsed = parse(with_cell(2, "110105491231002"))
    assert reasons(parsed) == [["The ID number is not valid: This is an old 15-digit ID number: enter the "
                                "18-character number on the person's current ID card."]]


# ------------------------------------------------------------------------------------ never crash


def _read_and_parse(data: bytes) -> None:
    try:
        parse_roster(read_table(data, "upload"), groups=GROUPS)
    except TableError:
        pass


cells = st.one_of(
    st.none(), st.text(max_size=30), st.integers(-10**20, 10**20), st.floats(allow_nan=True),
    st.dates(), st.sampled_from(["=1+1", "'=x", "+86 138 0013 8000", "13800138000", "2026年1月5日", "网格员、x"]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_only_raise_table_error(data):
    _read_and_parse(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(cells, max_size=8), max_size=6), st.sampled_from(["csv", "xlsx"]),
       st.sampled_from(["utf-8", "gbk"]))
def test_arbitrary_roster_content_only_raises_table_error(rows, fmt, encoding):
    data = write_xlsx(EN, rows) if fmt == "xlsx" else write_csv(EN, rows).decode("utf-8-sig").encode(
        encoding, errors="replace")
    _read_and_parse(data)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 4000), st.binary(min_size=1, max_size=40))
def test_damaged_workbooks_only_raise_table_error(position, junk):
    original = template("zh_CN", "xlsx")
    position = position % len(original)
    _read_and_parse(original[:position] + junk + original[position + len(junk):])


# ------------------------------------------------------------------------------------ department


@pytest.mark.parametrize("header", ["部门", "所在部门", "科室", "Department", "DEPT", "部门(选填)"])
def test_the_department_column_is_recognised_by_its_names(header):
    parsed = parse(GOOD + ["  安保部  "], headers=[*EN[:6], header])
    assert reasons(parsed) == [] and parsed.rows[0].department == "安保部"


def test_a_department_is_optional_and_blank_reads_as_none():
    assert parse(GOOD).rows[0].department is None  # no column
    assert parse(GOOD + [""]).rows[0].department is None
    assert parse(GOOD + ["工程 部"]).rows[0].department == "工程 部"


def test_an_over_long_department_is_refused_with_its_reason_and_a_formula_too():
    parsed = parse(GOOD + ["部" * 101], ["Li Na", "13900139000", "", "Guard", "", "2026-01-05", "=HYPERLINK(1)"])
    assert reasons(parsed) == [["A department has at most 100 characters."], [formula(3, "Department")]]
    assert parse(GOOD + ["部" * 100]).rows[0].department == "部" * 100


def test_classify_shows_a_new_department_and_a_blank_one_keeps_the_roster_s():
    changed = classify(parse(GOOD + ["安保部"]), {"13800138000": person(department="物业部")}).changed
    assert changed[0].changes == (FieldChange("department", "物业部", "安保部"),)
    blank = classify(parse(GOOD + [""]), {"13800138000": person(department="物业部")})
    assert (blank.changed, len(blank.unchanged)) == ([], 1)
    first = classify(parse(GOOD + ["安保部"]), {"13800138000": person()})  # stored before departments: none
    assert first.changed[0].diff == {"department": ("", "安保部")}
    stored = preview_from_json(json.loads(json.dumps(preview_to_json(first))))
    assert stored.changed == first.changed


def test_a_preview_stored_before_departments_still_loads():
    stored = preview_to_json(classify(parse(GOOD, ["Li Na", "13900139000", "", "Guard", "", "2026-01-05"]),
                                      {"13800138000": person(post="Clerk")}))
    for row in [*stored["new"], *(match["row"] for match in stored["changed"])]:
        del row["department"]
    for match in stored["changed"]:
        del match["person"]["department"]
    back = preview_from_json(stored)
    assert back.new[0].department is None and back.changed[0].person.department == ""
