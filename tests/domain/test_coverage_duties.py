"""Fire drills and duty commitments counted with the training (issue #21): drill compliance and commitment coverage
per organization kind, street and sector, commitments per role, a department's scope, and the yearly report's
section (its data and the PDF's text, in English and in Chinese)."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest
from flask_babel import force_locale

from portal.domain.workforce import commitments, drills
from portal.domain.coverage.duties import duty_figures, street_of
from portal.domain.coverage.places import load_tree
from portal.domain.coverage.report import yearly_report
from portal.domain.coverage.report_pdf import ReportSettings, render_report
from portal.domain.coverage.snapshot import scope_organization_ids
from portal.domain.coverage.tables import duty_table, overdue_drill_table
from portal.domain.platform.policy import organization_scope
from portal.domain.workforce.rules import current_rules
from tests.domain.test_coverage_report import lines
from tests.factories import make_completion, make_course, make_locality, make_org, make_trainee, make_user

TODAY = date(2026, 6, 30)
NOW = datetime(2026, 6, 20, 2, tzinfo=timezone.utc)
LONG_AGO = datetime(2024, 1, 2, 2, tzinfo=timezone.utc)
SEVEN_MONTHS_AGO = date(2025, 11, 30)


def _registered(org, when=LONG_AGO):
    org.created_at = when
    return org


def _drill(session, org, day):
    drills.record_drill(session, org, drills.DrillData("evacuation", day, "Smoke in the stairwell", "1F"),
                        actor_id=None, now=NOW, today=TODAY)


def _signed(session, org, group, course, role, *, sign: bool):
    job = make_trainee(org, groups=(group,), start_date=date(2020, 1, 1))
    make_completion(job, course, on=date(2026, 6, 1), valid_until=date(2027, 6, 1))
    if sign:
        commitments.sign(session, job=job, role=role, typed_name=job.real_name, confirmed=True, now=NOW,
                         user=make_user())
    return job


@pytest.fixture
def world(app, session):
    """East Street: a key unit (drill 7 months ago: overdue), a key unit due soon; West Street: a general unit
    (drill 7 months ago: up to date); the district itself: a public gathering place never drilled, registered long
    ago (overdue). A shop registered after the day does not count yet."""
    district = make_locality("W0", level="district")
    district.name_en, district.name_zh = "Lake District", "湖区"
    east = make_locality("W01", level="street", parent=district)
    east.name_en, east.name_zh = "East Street", "东街道"
    west = make_locality("W02", level="street", parent=district)
    west.name_en, west.name_zh = "West Street", "西街道"
    east_grid = make_locality("W0101", level="grid", parent=make_locality("W011", level="community", parent=east))
    tower = _registered(make_org("Key Tower", kind="key_unit", sector_code="commerce", locality=east_grid))
    hotel = _registered(make_org("River Hotel", kind="key_unit", sector_code="education", locality=east))
    office = _registered(make_org("Quiet Office", kind="general", sector_code="education", locality=west))
    market = _registered(make_org("Night Market", kind="public_gathering", sector_code="commerce",
                                  locality=district))
    _registered(make_org("Late Shop", kind="general", locality=west), datetime(2026, 7, 5, tzinfo=timezone.utc))
    _drill(session, tower, SEVEN_MONTHS_AGO)
    _drill(session, office, SEVEN_MONTHS_AGO)
    _drill(session, hotel, date(2026, 1, 15))  # due 2026-07-15: within 30 days
    courses = {code: make_course(code) for code in ("responsible-person", "safety-manager", "small-business-owner")}
    _signed(session, tower, "responsible_person", courses["responsible-person"], "responsible_person", sign=True)
    _signed(session, tower, "safety_manager", courses["safety-manager"], "safety_manager", sign=False)
    make_trainee(office, groups=("responsible_person",), start_date=date(2020, 1, 1))  # training first
    _signed(session, market, "small_business_owner", courses["small-business-owner"], "complex_shop_owner", sign=True)
    session.flush()
    return {"tower": tower, "hotel": hotel, "office": office, "market": market, "district": district, "east": east,
            "west": west}


def _figures(session, organization_ids=None):
    return duty_figures(session, on=TODAY, rules=current_rules(session), organization_ids=organization_ids)


def _drills(line):
    return line.organizations, line.drill_counts["ok"], line.drill_counts["due_soon"], line.drill_counts["overdue"]


def _commitments(line):
    return (line.commitments.required, line.commitments.signed, line.to_sign,
            line.commitment_counts["training_first"])


def test_drill_compliance_and_commitments_per_kind(session, world):
    figures = _figures(session)
    kinds = {line.key: line for line in figures.kinds}
    assert list(kinds) == ["key_unit", "public_gathering", "general"]
    assert _drills(kinds["key_unit"]) == (2, 0, 1, 1) and kinds["key_unit"].drill_rate == 0.5
    assert _drills(kinds["public_gathering"]) == (1, 0, 0, 1) and kinds["public_gathering"].drill_rate == 0
    assert _drills(kinds["general"]) == (1, 1, 0, 0) and kinds["general"].drill_rate == 1  # the late shop: not yet
    assert _commitments(kinds["key_unit"]) == (2, 1, 1, 0) and kinds["key_unit"].commitments.rate == 0.5
    assert _commitments(kinds["public_gathering"]) == (1, 1, 0, 0)
    assert _commitments(kinds["general"]) == (1, 0, 0, 1) and kinds["general"].commitments.rate == 0
    assert _drills(figures.total) == (4, 1, 1, 2) and figures.total.drill_rate == 0.5
    assert _commitments(figures.total) == (4, 2, 1, 1) and figures.total.commitments.rate == 0.5


def test_per_street_the_district_itself_counts_for_organizations_registered_there(session, world):
    figures = _figures(session)
    streets = {line.key.name_en: line for line in figures.streets}
    assert list(streets) == ["Lake District", "East Street", "West Street"]  # by code
    assert _drills(streets["East Street"]) == (2, 0, 1, 1)  # the tower's grid is under East Street
    assert _drills(streets["West Street"]) == (1, 1, 0, 0)
    assert _drills(streets["Lake District"]) == (1, 0, 0, 1)
    assert _commitments(streets["East Street"]) == (2, 1, 1, 0)
    tree = load_tree(session)
    assert street_of(tree, world["tower"].locality_id).id == world["east"].id
    assert street_of(tree, world["district"].id).id == world["district"].id


def test_per_sector_and_per_role(session, world):
    figures = _figures(session)
    sectors = {line.key.code: line for line in figures.sectors}
    assert list(sectors) == ["commerce", "education"]
    assert _drills(sectors["commerce"]) == (2, 0, 0, 2) and _commitments(sectors["commerce"]) == (3, 2, 1, 0)
    assert _drills(sectors["education"]) == (2, 1, 1, 0) and _commitments(sectors["education"]) == (1, 0, 0, 1)
    roles = {line.role: (line.required, line.signed, line.to_sign, line.counts["training_first"], line.rate)
             for line in figures.roles}
    assert roles == {"responsible_person": (2, 1, 0, 1, 0.5), "safety_manager": (1, 0, 1, 0, 0.0),
                     "micro_station_chief": (0, 0, 0, 0, None), "complex_shop_owner": (1, 1, 0, 0, 1.0)}


def test_the_overdue_organizations_longest_overdue_first(session, world):
    figures = _figures(session)
    assert [(o.name, o.status.next_due, o.street.name_en, o.sector.code) for o in figures.overdue] == [
        ("Night Market", date(2024, 7, 2), "Lake District", "commerce"),
        ("Key Tower", date(2026, 5, 30), "East Street", "commerce")]
    with force_locale("en"):
        headers, rows = overdue_drill_table(figures, "en")
    assert headers == ["Organization", "Kind of organization", "Street / township", "Sector", "Last drill",
                       "Drill was due", "Days overdue"]
    assert rows[0][:2] == ["Night Market", "Public gathering place"] and rows[0][4] == "No drill recorded"
    assert rows[1][4:] == [SEVEN_MONTHS_AGO, date(2026, 5, 30), 31]


def test_the_table_names_every_group_in_words(session, world):
    with force_locale("en"):
        headers, rows = duty_table(_figures(session), "en")
    assert headers[:7] == ["Grouped by", "Group", "Organizations", "Drills up to date", "Drills due soon",
                           "Drills overdue", "Drill compliance (%)"]
    by_group = {(row[0], row[1]): row[2:] for row in rows}
    assert by_group[("Kind of organization", "Key fire-safety unit")] == [2, 0, 1, 1, 50.0, 2, 1, 1, 0, 50.0]
    assert by_group[("Street / township", "West Street")] == [1, 1, 0, 0, 100.0, 1, 0, 0, 1, 0.0]
    assert by_group[("", "Whole district")] == [4, 1, 1, 2, 50.0, 4, 2, 1, 1, 50.0]
    assert by_group[("Role", "Fire-safety manager")] == [None] * 5 + [1, 0, 1, 0, 0.0]


def test_a_department_counts_its_sector_only(session, world):
    viewer = make_user("dept_viewer", sector_code="education")
    figures = _figures(session, scope_organization_ids(session, organization_scope(viewer)))
    assert [line.key.code for line in figures.sectors] == ["education"]
    assert _drills(figures.total) == (2, 1, 1, 0) and figures.overdue == []
    assert [line.key.name_en for line in figures.streets] == ["East Street", "West Street"]
    assert {line.role: line.required for line in figures.roles}["complex_shop_owner"] == 0


def _report(app, session, locale, scope=None):
    with force_locale(locale):
        report = yearly_report(session, year=2026, today=TODAY, rules=current_rules(session), plan_start=2024,
                               scope=scope)
        pdf = render_report(report, ReportSettings(font_path=app.config["CERT_FONT_PATH"], office_name="Lake Office",
                                                   locale=locale))
    return report, "\n".join(lines(pdf))


def test_the_yearly_report_has_the_section(app, session, world):
    report, text = _report(app, session, "en")
    assert report.duties.on == TODAY and _drills(report.duties.total) == (4, 1, 1, 2)
    assert "Fire drills and duty commitments" in text
    flat = re.sub(r"\s+", " ", text)
    assert ("4 organizations were registered on the portal: 1 were up to date with their fire drills, 1 had one due "
            "within 30 days and 2 were overdue (drill compliance 50.0%)") in flat
    # drills: kind, organizations, up to date, due soon, overdue, drill compliance; then commitments: kind,
    # required, signed, to sign, training first, commitment coverage
    assert re.search(r"Key fire-safety unit\n2\n0\n1\n1\n50\.0%\n", text)
    assert re.search(r"Key fire-safety unit\n2\n1\n1\n0\n50\.0%\n", text)
    assert re.search(r"West Street\n1\n1\n0\n0\n100\.0%\n", text)
    assert re.search(r"West Street\n1\n0\n0\n1\n0\.0%\n", text)
    assert re.search(r"Lake District\n1\n0\n0\n1\n0\.0%\n", text)
    assert re.search(r"Lake District\n1\n1\n0\n0\n100\.0%\n", text)
    assert re.search(r"Fire-safety manager\n1\n0\n1\n0\n0\.0%\n", text)
    # the overdue: organization, kind, street, last drill, due, days overdue (cells may wrap)
    assert "Night Market Public gathering place Lake District No drill recorded 2024-07-02 728" in flat
    assert "Key Tower Key fire-safety unit East Street 2025-11-30 2026-05-30 31" in flat


def test_a_department_report_section_leaves_other_sectors_out(app, session, world):
    viewer = make_user("dept_viewer", sector_code="education")
    report, text = _report(app, session, "en", scope=organization_scope(viewer))
    assert [line.key.code for line in report.duties.sectors] == ["education"]
    assert "Night Market" not in text and "Key Tower" not in text
    assert "Organizations overdue with their fire drills\nNone." in text


def test_the_chinese_section_reads_without_codes(app, session, world):
    _report_data, text = _report(app, session, "zh_CN")
    for words in ("消防安全重点单位", "公众聚集场所", "一般单位", "东街道", "湖区", "消防安全责任人", "未记录演练"):
        assert words in text
    assert not re.search(r"\b(key_unit|public_gathering|due_soon|to_sign|training_first|responsible_person|"
                         r"safety_manager|complex_shop_owner|None)\b", text)
