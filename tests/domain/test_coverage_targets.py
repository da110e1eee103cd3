"""Targets: editing, and importing from a spreadsheet (preview, all or nothing)."""
import io
from datetime import date

import openpyxl
import pytest
from flask_babel import force_locale
from sqlalchemy import select

from portal.domain.platform import tabular
from portal.domain.coverage import target_import as imports
from portal.domain.coverage.targets import TargetData, save_target
from portal.domain.platform.errors import ValidationError
from portal.models import AuditEvent, KeyGroup, Target
from tests.factories import make_locality

TODAY = date(2026, 6, 30)


@pytest.fixture
def places(session):
    district = make_locality("T0", level="district")
    return {"district": district, "street": make_locality("T01", level="street", parent=district),
            "other": make_locality("T02", level="street", parent=district)}


def group(session, code):
    return session.scalar(select(KeyGroup).where(KeyGroup.code == code))


def table(text: str):
    return tabular.read_table(text.encode("utf-8"), "targets.csv")


def test_a_valid_file_previews_new_changed_and_unchanged_rows(session, places):
    grid = group(session, "grid_worker")
    save_target(session, TargetData(grid.id, places["street"].id, 10, date(2026, 12, 31), 1.0), actor_id=None)
    save_target(session, TargetData(grid.id, places["other"].id, 4, date(2026, 12, 31), 1.0), actor_id=None)
    preview = imports.parse_targets(session, table(
        "重点人群,地区代码,申报人数,截止日期,目标覆盖率\n"
        "grid_worker,T01,12,2026/11/30,95%\n"      # changed: count, deadline, rate
        "网格员,T02,4,,\n"                          # unchanged: blank deadline and rate keep the current ones
        "Community police,T0,3,2026年12月31日,0.9\n"  # new, by English name, Chinese date, fraction
    ), today=TODAY)
    assert not preview.invalid and preview.can_apply
    assert [r.locality_code for r in preview.new] == ["T0"] and preview.new[0].target_rate == 0.9
    (row, changes), = preview.changed
    assert changes == {"declared_count": (10, 12), "deadline": (date(2026, 12, 31), date(2026, 11, 30)),
                       "target_rate": (1.0, 0.95)}
    assert [r.locality_code for r in preview.unchanged] == ["T02"]
    again = imports.preview_from_json(imports.preview_to_json(preview))
    assert again.new == preview.new and again.unchanged == preview.unchanged
    assert imports.apply_targets(session, again, actor_id=None) == 2
    saved = session.scalar(select(Target).where(Target.locality_id == places["street"].id))
    assert (saved.declared_count, saved.deadline, saved.target_rate) == (12, date(2026, 11, 30), 0.95)
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "coverage.targets.import"))


def test_invalid_rows_are_reported_and_nothing_is_imported(session, places):
    preview = imports.parse_targets(session, table(
        "Key group,Locality code,Declared count,Deadline,Target rate\n"
        "grid_worker,T01,12,2026-12-31,100\n"
        "no_such_group,T01,1,,\n"
        "grid_worker,NOPE,1,,\n"
        "grid_worker,T02,-3,,\n"
        "grid_worker,T02,2.5,,\n"
        "grid_worker,T0,1,31/12/2026,\n"
        "grid_worker,T0,1,,150%\n"
        "grid_worker,T01,3,,\n"        # the same group and place twice
        "grid_worker,T0,=1+1,,\n"
        "grid_worker,T02,1,9999-12-31,\n"
        "@grid_worker,T02,+5,,\n"
    ), today=TODAY)
    with force_locale("en"):
        reasons = {row.number: " ".join(str(r) for r in row.reasons) for row in preview.invalid}
    assert set(reasons) == {3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
    assert reasons[11] == "Enter a date between 1900-01-01 and 2199-12-31."
    assert reasons[10].startswith('Row 10, column "Declared count": a cell may not start with "="')
    assert 'Row 12, column "Key group": a cell may not start with "@"' in reasons[12]
    assert 'Row 12, column "Declared count": a cell may not start with "+"' in reasons[12]
    assert "no_such_group" in reasons[3] and "NOPE" in reasons[4] and "whole number" in reasons[5]
    assert "whole number" in reasons[6] and "2026-12-31" in reasons[7] and "at most 100" in reasons[8]
    assert "row 2" in reasons[9] and "formula" in reasons[10]
    assert not preview.can_apply
    with pytest.raises(imports.TargetFileError):
        imports.apply_targets(session, preview, actor_id=None)
    assert session.scalar(select(Target.id)) is None
    errors = imports.error_file(preview, "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(errors)).active
    rows = list(sheet.values)
    assert rows[0][-1] == imports.REASON_HEADER and len(rows) == 11
    assert rows[1][:2] == ("no_such_group", "T01")


def test_missing_columns_are_named(session, places):
    with pytest.raises(imports.TargetFileError) as error:
        imports.parse_targets(session, table("Key group,Deadline\ngrid_worker,2026-12-31\n"), today=TODAY)
    assert "地区代码 / Locality code" in str(error.value.message) and "申报人数 / Declared count" in str(error.value.message)


def test_xlsx_template_round_trips(session, places):
    data = imports.template("en", "xlsx", today=TODAY, examples=[("grid_worker", "T01", 7)])
    preview = imports.parse_targets(session, tabular.read_table(data, "t.xlsx"), today=TODAY)
    assert [(r.group_code, r.locality_code, r.declared_count, r.deadline, r.target_rate) for r in preview.new] == \
        [("grid_worker", "T01", 7, date(2026, 12, 31), 1.0)]


def test_save_target_checks_its_input(session, places):
    grid = group(session, "grid_worker")
    for data, field in ((TargetData(grid.id, 999999, 1, TODAY, 1.0), "locality_id"),
                        (TargetData(grid.id, places["street"].id, -1, TODAY, 1.0), "declared_count"),
                        (TargetData(grid.id, places["street"].id, 1, TODAY, 0), "target_rate"),
                        (TargetData(999999, places["street"].id, 1, TODAY, 1.0), "group_id")):
        with pytest.raises(ValidationError) as error:
            save_target(session, data, actor_id=None)
        assert error.value.field == field
