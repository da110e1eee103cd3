"""No export runs a formula (issue #19, item 2): every route that downloads a CSV, an XLSX or a ZIP is found in
the URL map and downloaded here, with names and other free text seeded as formula payloads, and no cell of
what it sends (the ZIP's manifest.csv included) may start like a formula unless neutralised with an apostrophe.

A route is an export when its rule ends in .csv, .xlsx, .zip or .<fmt>, when its view reads `format`, or when
its code uses one of the portal's table writers; each must be in EXPORTS, or the discovery test fails.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import openpyxl
import pytest

import portal
from portal.domain.platform import audit
from portal.domain.workforce import drills
from portal.domain.learning import offline
from portal.domain.coverage.targets import TargetData, save_target
from portal.domain.platform.localtime import local_today
from portal.domain.platform.tabular import FORMULA_STARTS
from portal.models import KeyGroup, Post, utcnow
from tests.factories import make_course, make_locality, make_org, make_trainee, make_user
from tests.views.routes_certificates import complete, use_test_signing_key
from portal.domain.content import versions
from tests.views.view_sources import view_source

PAYLOADS = ("=1+1", '+HYPERLINK("http://ev.il","Open")', "-2+3", "@SUM(A1)", "\tx", "\rx")
WRITERS = {"export_response", "write_table", "write_csv", "write_xlsx", "csv_chunks", "stream_zip", "MIMETYPES",
           "MEDIA_TYPES"}
BOTH = ("csv", "xlsx")
# endpoint -> the URLs that download it ({names} from the `seeded` fixture)
EXPORTS: dict[str, list[str]] = {
    "company.people": [f"/company/{{org}}/people?format={fmt}" for fmt in BOTH],
    "company.commitments_list": [f"/company/{{org}}/commitments?format={fmt}" for fmt in BOTH],
    "company_import.template": [f"/company/{{org}}/import/template.{fmt}" for fmt in BOTH],
    "company_import.error_file": [f"/company/{{org}}/import/{{roster_import}}/errors.{fmt}" for fmt in BOTH],
    "office.organizations": [f"/office/organizations?format={fmt}" for fmt in BOTH],
    "office.audit_log": [f"/office/audit?format={fmt}" for fmt in BOTH],
    "office_setup.post_catalogue": [f"/office/posts?format={fmt}" for fmt in BOTH],
    "coverage.home": [f"/office/coverage/?format={fmt}" for fmt in BOTH],
    "coverage.localities": [f"/office/coverage/localities?format={fmt}" for fmt in BOTH],
    "coverage.sectors": [f"/office/coverage/sectors?format={fmt}" for fmt in BOTH],
    "coverage.organizations": [f"/office/coverage/organizations?format={fmt}" for fmt in BOTH],
    "coverage.organization": [f"/office/coverage/organizations/{{org}}?format={fmt}" for fmt in BOTH],
    "coverage.missing_people": [f"/office/coverage/missing?group={{group}}&format={fmt}" for fmt in BOTH],
    "coverage.trend": [f"/office/coverage/trend?format={fmt}" for fmt in BOTH],
    "coverage.duties": [f"/office/coverage/duties?format={fmt}{table}" for fmt in BOTH
                        for table in ("", "&table=overdue")],
    "coverage.gap_list": [f"/office/coverage/gaps?format={fmt}{table}" for fmt in BOTH
                          for table in ("", "&table=localities&level=street")],
    "coverage.report_sectors": [f"/office/coverage/report/sectors.{fmt}" for fmt in BOTH],
    "coverage.report_offline": [f"/office/coverage/report/offline.{fmt}" for fmt in BOTH],
    "coverage.sessions": [f"/office/coverage/sessions?format={fmt}" for fmt in BOTH],
    "coverage.session_detail": [f"/office/coverage/sessions/{{offline_session}}?format={fmt}" for fmt in BOTH],
    "coverage.targets": [f"/office/coverage/targets?format={fmt}" for fmt in BOTH],
    "coverage.target_template": [f"/office/coverage/targets/template.{fmt}" for fmt in BOTH],
    "coverage.import_errors": [f"/office/coverage/targets/import/{{target_import}}/errors.{fmt}" for fmt in BOTH],
    "certificates.company_zip": ["/company/{org}/certificates.zip"],
    "company.drill_list": [f"/company/{{org}}/drills?format={fmt}" for fmt in BOTH],
    "office.question_stats": [f"/office/questions?format={fmt}" for fmt in BOTH],
}
NO_FREE_TEXT = {"company_import.template", "coverage.target_template"}  # only the portal's own words
PLAIN_NEGATIVE_NUMBER = re.compile(r"-\d+(\.\d+)?")


def export_endpoints(app) -> set[str]:
    """Every endpoint that sends a table: by its rule's suffix, its `format` parameter or the writers it uses."""
    found = set()
    for rule in app.url_map.iter_rules():
        source = view_source(app, rule.endpoint)
        if (rule.rule.endswith((".csv", ".xlsx", ".zip")) or "<fmt>" in rule.rule or "format" in source.queries
                or source.names & WRITERS):
            found.add(rule.endpoint)
    return found


def test_every_export_route_is_downloaded_here(app):
    found = export_endpoints(app)
    assert found - set(EXPORTS) == set(), "a new export: add it to EXPORTS with the URLs that download it"
    assert set(EXPORTS) - found == set()


def test_only_tabular_writes_spreadsheets():
    """Every CSV and XLSX leaves through portal/domain/platform/tabular.py (write_csv, csv_chunks, write_xlsx), which
    neutralises every cell: no other module writes one itself."""
    writers = re.compile(r"csv\.writer|csv\.DictWriter|DictWriter\(|import xlsxwriter|xlsxwriter\.|"
                         r"openpyxl\.Workbook\(|\bWorkbook\(|\.to_csv\(|\.to_excel\(")
    root = Path(portal.__file__).parent
    offenders = [str(path.relative_to(root)) for path in root.rglob("*.py")
                 if path.name != "tabular.py" and writers.search(path.read_text(encoding="utf-8"))]
    assert offenders == []


# ------------------------------------------------------------------------------ a world of payloads


def _upload(client, url: str, rows: list[list[str]]) -> str:
    """Upload these rows as a CSV (as they are: no neutralising) to an import page; the token of its preview."""
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    response = client.post(url, data={"file": (io.BytesIO(text.getvalue().encode("utf-8")), "upload.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response.headers["Location"].rstrip("/").split("/")[-1]


@pytest.fixture
def seeded(client, login, session):
    """An organization, its locality, a key group, people, posts, a session, targets, certificates and audit
    entries whose names and free text are formula payloads; an office user logged in."""
    use_test_signing_key()
    today = local_today()
    one, two, three, four = PAYLOADS[:4]  # the tab and CR payloads are names and posts of people below
    district = make_locality("F0", level="district")
    street = make_locality("F01", level="street", parent=district)
    grid = make_locality("F0101", level="grid", parent=street)
    for place, name in ((district, one), (street, two), (grid, four)):
        place.name_zh = place.name_en = name
    group = KeyGroup(code="payload_group", name_zh=four, name_en=four, sort_order=99)
    session.add(group)
    org = make_org(two, locality=grid)
    org.contact_name, org.contact_phone, org.address = one, three, four
    make_org(one, locality=street).created_at = datetime(2020, 1, 2, tzinfo=timezone.utc)  # never drilled: overdue
    course = make_course("payload-course")
    course.title_zh = course.title_en = three
    people = [make_trainee(org, name=payload, post=payload, groups=("all_staff", "payload_group", "safety_manager"),
                           mobile=f"1390000{n:04d}", start_date=today - timedelta(days=400))
              for n, payload in enumerate(PAYLOADS)]
    for person in people[:2]:
        complete(session, person, course, completed_on=today - timedelta(days=30))
    session.add(Post(name=one, synonyms=[two, four], basis=three, courses=[], reviewed=False,
                     added_by_organization=org))
    record = offline.create_session(session, offline.SessionData(course.id, org.id, today - timedelta(days=1),
                                                                  four, two), actor_id=None, today=today)
    offline.record_attendance(session, record, [p.id for p in people[2:]], method="roster", now=utcnow(),
                              today=today)
    drill = drills.record_drill(session, org, drills.DrillData("tabletop", today, one, two, summary=three),
                                actor_id=None, now=utcnow(), today=today)
    drills.add_action(session, drill, description=four, owner_name=one, owner_trainee_id=None, due_on=today,
                      today=today, actor_id=None)
    save_target(session, TargetData(group.id, street.id, 7, date(today.year, 12, 31), 1.0), actor_id=None)
    question = versions.new_question(session, "payload-question", "office")
    versions.add_version(session, question, {
        "id": "payload-question", "type": "single", "difficulty": 1, "tags": [two], "source": three,
        "stem": {"zh_CN": one, "en": one}, "options": [{"id": "a", "text": {"zh_CN": four, "en": four}},
                                                       {"id": "b", "text": {"zh_CN": two, "en": two}}],
        "answer": ["a"], "explanation": {"zh_CN": three, "en": three}}, origin="office")
    user = make_user("superuser", username=one)
    user.display_name = two
    audit.record(session, actor_id=user.id, action="test.payload", target_type=four, address=three,
                 details={"note": one})
    session.commit()
    login(user)
    roster = [["姓名", "手机号", "身份证号", "岗位", "重点人群", "入职日期"],
              *([p, f"1380000{n:04d}", "", p, p, p] for n, p in enumerate(PAYLOADS))]
    targets = [["Key group", "Locality code", "Declared count", "Deadline", "Target rate"], *([p] * 5 for p in PAYLOADS)]
    return {"org": org.id, "group": group.code, "offline_session": record.id,
            "roster_import": _upload(client, f"/company/{org.id}/import", roster),
            "target_import": _upload(client, "/office/coverage/targets/import", targets)}


# ------------------------------------------------------------------------------ reading what was sent


def _cells(response) -> list[object]:
    """Every cell of the download: CSV rows, XLSX cells (formula cells as such), a ZIP's CSV members."""
    data = response.get_data()
    if data.startswith(b"PK") and response.mimetype == "application/zip":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            assert "manifest.csv" in names
            return [cell for name in names if name.endswith(".csv") for cell in _csv_cells(archive.read(name))]
    if data.startswith(b"PK"):
        workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
        return [("formula", cell.value) if cell.data_type == "f" else cell.value
                for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    return _csv_cells(data)


def _csv_cells(data: bytes) -> list[str]:
    assert data.startswith(b"\xef\xbb\xbf"), "CSV for Excel starts with a BOM"
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")) for cell in row]


def runs_as_formula(cell: object) -> bool:
    """What a spreadsheet would run: a formula cell, or text starting (as typed, or once blanks are trimmed and
    full-width forms folded) with = + - @ tab or CR, but a plain negative number. An apostrophe first is text."""
    if isinstance(cell, tuple):
        return True
    if not isinstance(cell, str) or cell.startswith("'"):
        return False
    folded = unicodedata.normalize("NFKC", cell).lstrip(" \t\r\n\u3000\x0b\x0c")
    return any(text.startswith(FORMULA_STARTS) and not PLAIN_NEGATIVE_NUMBER.fullmatch(text)
               for text in (cell, folded))


def _neutralised_payload(cell: object) -> bool:
    return isinstance(cell, str) and cell.startswith("'") and runs_as_formula(cell[1:])


def test_no_export_cell_runs_as_a_formula(client, seeded):
    failures = []
    for endpoint, templates in sorted(EXPORTS.items()):
        for url in (template.format(**seeded) for template in templates):
            response = client.get(url)
            cells = _cells(response) if response.status_code == 200 else []
            response.close()
            if response.status_code != 200:
                failures.append(f"{url}: {response.status_code}")
            elif live := [cell for cell in cells if runs_as_formula(cell)]:
                failures.append(f"{url}: {live[:5]}")
            elif endpoint not in NO_FREE_TEXT and not any(_neutralised_payload(cell) for cell in cells):
                failures.append(f"{url}: no payload arrived (neutralised) to test with")
    assert not failures, "\n".join(failures)
