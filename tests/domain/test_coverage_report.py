"""The yearly report: its figures, the PDF's extracted text, and the `flask report yearly` command."""
import io
import re
import threading
import time
from datetime import date, datetime, timezone

import pypdf
import pytest
from flask_babel import force_locale
from sqlalchemy import select

from portal.domain.learning import offline
from portal.domain.coverage.report import yearly_report
from portal.domain.coverage.report_pdf import ReportSettings, render_report
from portal.domain.coverage.targets import TargetData, save_target
from portal.domain.platform.policy import organization_scope
from portal.domain.workforce.rules import current_rules
from portal.models import Certificate, KeyGroup
from tests.factories import make_completion, make_course, make_locality, make_org, make_trainee, make_user

TODAY = date(2026, 6, 30)
SINCE = date(2020, 1, 1)  # when these rosters' people started: coverage counts people employed on each date


@pytest.fixture
def district(app, session):
    from tests.views.routes_certificates import use_test_signing_key

    use_test_signing_key()
    d = make_locality("R0", level="district")
    d.name_en = "River District"
    east = make_locality("R01", level="street", parent=d)
    east.name_en = "East Street"
    west = make_locality("R02", level="street", parent=d)
    west.name_en = "West Street"
    mall = make_org("Harbour Mall", kind="general", sector_code="commerce", locality=east)
    mall.contact_name, mall.contact_phone = "Manager Wu", "010-5550101"
    school = make_org("Hill School", kind="general", sector_code="education", locality=west)
    school.contact_name, school.contact_phone = "Principal Ma", "010-5550202"
    basics, grid_course = make_course("all-staff-basics"), make_course("grid-worker")
    a, b, c = (make_trainee(mall, name=n, start_date=SINCE) for n in ("Mall One", "Mall Two", "Mall Three"))
    d1, d2 = (make_trainee(school, name=n, start_date=SINCE) for n in ("School One", "School Two"))
    make_completion(a, basics, on=date(2024, 5, 1), valid_until=date(2025, 5, 1))  # 2024, expired
    make_completion(a, basics, on=date(2026, 2, 1), valid_until=date(2027, 2, 1))  # renewed in 2026
    make_completion(b, basics, on=date(2025, 3, 1), valid_until=date(2026, 3, 1))  # 2025, expired in 2026
    make_completion(d1, basics, on=date(2026, 4, 10), valid_until=date(2027, 4, 10))
    record = offline.create_session(session, offline.SessionData(basics.id, school.id, date(2026, 5, 20), "T", "P"),
                                    actor_id=None, today=date(2026, 5, 20))
    offline.record_attendance(session, record, [d2.id], method="roster",
                              now=datetime(2026, 5, 20, tzinfo=timezone.utc), today=TODAY)
    grid = session.scalar(select(KeyGroup.id).where(KeyGroup.code == "grid_worker"))
    save_target(session, TargetData(grid, east.id, 4, date(2026, 12, 31), 1.0), actor_id=None)
    volunteer = make_trainee(None, name="Volunteer", groups=("grid_worker",), start_date=SINCE)
    volunteer.locality_id = east.id
    make_completion(volunteer, grid_course, on=date(2026, 6, 1), valid_until=date(2027, 6, 1))
    session.add(Certificate(serial="SFQ-2025-000001-A", token="tok-2025", completion_id=1, person_id=b.person_id,
                            course_id=basics.id, organization_id=mall.id, holder_name="Mall Two",
                            completed_on=date(2025, 3, 1), issued_at=datetime(2025, 3, 1, tzinfo=timezone.utc)))
    session.flush()
    return {"mall": mall, "school": school, "c": c}


def lines(pdf: bytes) -> list[str]:
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    return [line.strip() for line in text.splitlines() if line.strip()]


def render(app, session, *, scope=None, label: str = "") -> tuple:
    with force_locale("en"):
        report = yearly_report(session, year=2026, today=TODAY, rules=current_rules(session), plan_start=2024,
                               scope=scope)
        pdf = render_report(report, ReportSettings(font_path=app.config["CERT_FONT_PATH"], office_name="River Office",
                                                   locale="en", scope_label=label))
    return report, pdf


def test_report_figures(app, session, district):
    report, _pdf = render(app, session)
    # all_staff: 5 people; covered a (renewed), d1, d2 (offline); b expired, c never.
    all_staff = next(line for line in report.headline if line.group.code == "all_staff")
    assert (all_staff.now.population, all_staff.now.covered) == (5, 3)
    grid = next(line for line in report.headline if line.group.code == "grid_worker")
    assert (grid.now.population, grid.now.covered) == (4, 1)
    by_year = {a.year: a for a in report.years}
    assert (by_year[2024].completions, by_year[2025].completions, by_year[2026].completions) == (1, 1, 4)
    assert by_year[2026].offline_completions == 1 and by_year[2026].sessions == 1
    assert by_year[2025].certificates == 1
    assert by_year[2025].coverage.covered == 1  # only b (valid until 2026-03-01) on 2025-12-31
    assert report.cumulative.completions == 6 and report.cumulative.people_trained == 5
    assert report.organization_gaps[0].name == "Harbour Mall"  # 2 of 3 still to train


def test_report_pdf_text(app, session, district):
    _report, pdf = render(app, session)
    text = lines(pdf)
    joined = "\n".join(text)
    assert "Fire-safety training coverage report 2026" in text
    assert "Figures as of 2026-06-30" in text
    assert "River Office" in text
    # Coverage per key group: name, population, covered, rate, target, deadline, projection.
    assert re.search(r"All staff\n5\n3\n60\.0%\n100\.0%\n2026-12-31\n", joined)
    assert re.search(r"Grid workers\n4\n1\n25\.0%\n100\.0%\n2026-12-31\n", joined)
    # Per street (streets are the columns): East has the mall (1 of 3) and the declared grid workers.
    assert re.search(r"East Street\nWest Street\n", joined)
    assert re.search(r"All staff\n33\.3%\n100\.0%", joined)
    # Gaps, with contacts.
    assert re.search(r"Harbour Mall\nManager Wu\n010-5550101\n33\.3%\n2", joined)
    # The plan's years and the cumulative row.
    # year, completions, offline, people trained, certificates, sessions, coverage at year end
    assert re.search(r"2024\n1\n0\n1\n0\n0\n11\.1%\n", joined)
    assert re.search(r"2025\n1\n0\n1\n1\n0\n11\.1%\n", joined)
    assert re.search(r"2026\n4\n1\n4\n1\n1\n44\.4%\n", joined)  # the offline attendee's certificate
    assert re.search(r"2024–2026 cumulative\n6\n1\n5\n2\n1\n44\.4%", joined)
    # Every headline says what it counts; a group nobody is in says so.
    assert re.search(r"Target population \(person-group pairs\)\n9\n", joined)
    assert re.search(r"Covered \(person-group pairs\)\n4\n", joined)
    assert re.search(r"Still to train \(person-group pairs\)\n5\n", joined)
    assert re.search(r"Fire-safety responsible persons\n0\n0\n—\n100\.0%\n2026-12-31\nNo one in this group", joined)
    assert "Target reached" not in joined
    assert "Each row counts the people of one key group (someone in two groups is counted in both)." in joined
    assert "Certificates issued in 2026\n1" in joined


def test_the_plan_period_report_has_the_same_sections_over_the_plan(app, session, district):
    from portal.domain.coverage.report import ReportPeriod, coverage_report

    with force_locale("en"):
        report = coverage_report(session, period=ReportPeriod.plan(2024), today=TODAY, rules=current_rules(session))
        pdf = render_report(report, ReportSettings(font_path=app.config["CERT_FONT_PATH"], office_name="River Office",
                                                   locale="en"))
    joined = "\n".join(lines(pdf))
    assert "Fire-safety training coverage report for the plan period\n2024–2026" in joined
    assert "Figures as of 2026-06-30" in joined and "River Office · 2024–2026" in joined
    assert "Trend: coverage at each quarter end" in joined
    assert [d.isoformat() for d in sorted(dict(report.trend[report.snapshot.groups[0].id]))] == [
        "2024-03-31", "2024-06-30", "2024-09-30", "2024-12-31", "2025-03-31", "2025-06-30", "2025-09-30",
        "2025-12-31", "2026-03-31", "2026-06-30"]
    assert "Certificates issued in 2024–2026\n2" in joined  # since the plan began
    # the plan's rows and cumulative totals, as in the year's report
    assert re.search(r"The plan's years\n", joined)
    assert re.search(r"2024\n1\n0\n1\n0\n0\n11\.1%\n", joined)
    assert re.search(r"2025\n1\n0\n1\n1\n0\n11\.1%\n", joined)
    assert re.search(r"2026\n4\n1\n4\n1\n1\n44\.4%\n", joined)
    assert re.search(r"2024–2026 cumulative\n6\n1\n5\n2\n1\n44\.4%", joined)


def test_department_report_is_scoped(app, session, district):
    viewer = make_user("dept_viewer", sector_code="education")
    report, pdf = render(app, session, scope=organization_scope(viewer), label="Education Bureau")
    text = "\n".join(lines(pdf))
    assert "Harbour Mall" not in text and "Manager Wu" not in text
    assert "Scope: Education Bureau (rosters only)" in text
    all_staff = next(line for line in report.headline if line.group.code == "all_staff")
    assert (all_staff.now.population, all_staff.now.covered) == (2, 2)
    grid = next(line for line in report.headline if line.group.code == "grid_worker")
    assert grid.now.population == 0  # declared counts are not a sector's
    assert report.cumulative.completions == 2


def test_the_command_writes_the_same_report_as_the_page(app, session, district, tmp_path, client, login):
    session.commit()
    out = tmp_path / "report.pdf"
    result = app.test_cli_runner().invoke(args=["report", "yearly", "--year", "2026", "--out", str(out),
                                                "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "report 2026" in result.output
    office = make_user("office_admin")
    session.commit()
    login(office)
    client.set_cookie("lang", "en")
    response = client.get("/office/coverage/report.pdf?year=2026")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    page_text = [line for line in lines(response.data) if "Office" not in line]
    file_text = [line for line in lines(out.read_bytes()) if "Office" not in line]
    assert page_text == file_text
    assert "Fire-safety training coverage report 2026" in file_text


def test_the_command_writes_the_plan_periods_report(app, session, district, tmp_path):
    session.commit()
    out = tmp_path / "plan.pdf"
    result = app.test_cli_runner().invoke(args=["report", "plan", "--start", "2024", "--out", str(out),
                                                "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "report 2024–2026" in result.output
    joined = "\n".join(lines(out.read_bytes()))
    assert "Fire-safety training coverage report for the plan period\n2024–2026" in joined
    assert "The plan's years" in joined and "2024–2026 cumulative" in joined


def test_a_slow_report_shows_its_progress_then_a_download_for_its_owner_only(app, session, district, client, login,
                                                                              monkeypatch):
    from portal.domain.coverage import report as report_module

    app.config["REPORT_WAIT_SECONDS"] = 0  # as when a past year is computed from scratch
    release, real = threading.Event(), report_module.coverage_report

    def slow(*args, **kwargs):
        assert release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(report_module, "coverage_report", slow)
    office, colleague = make_user("office_admin"), make_user("office_admin")
    session.commit()
    login(office)
    client.set_cookie("lang", "en")
    response = client.get("/office/coverage/report.pdf?year=2026")
    status_url = response.headers["Location"]
    assert response.status_code == 302 and status_url.startswith("/office/coverage/report/")
    page = client.get(status_url).get_data(as_text=True)
    assert "You can leave this page" in page and '<progress id="job-bar"' in page and "/static/js/progress." in page
    assert client.get(status_url, headers={"Accept": "application/json"}).json["status"] == "running"
    release.set()
    for _ in range(300):
        state = client.get(status_url, headers={"Accept": "application/json"}).json
        if state["status"] != "running":
            break
        time.sleep(0.1)
    assert state == {"status": "done", "done": 4, "total": 4}
    page = client.get(status_url).get_data(as_text=True)
    assert "The report is ready." in page and f'href="{status_url}.pdf"' in page
    download = client.get(f"{status_url}.pdf")
    assert download.mimetype == "application/pdf"
    assert "coverage-report-2026.pdf" in download.headers["Content-Disposition"]
    assert "Fire-safety training coverage report 2026" in lines(download.data)
    client.post("/auth/logout")
    login(colleague)  # another viewer's job is not theirs to see
    assert client.get(status_url).status_code == 404 and client.get(f"{status_url}.pdf").status_code == 404


def test_a_report_that_fails_says_why_and_offers_to_try_again(app, session, district, client, login, monkeypatch):
    from portal.domain.coverage import report as report_module
    from portal.domain.platform.errors import PortalError

    def broken(*_args, **_kwargs):
        raise PortalError("The certificate font is missing.")

    monkeypatch.setattr(report_module, "coverage_report", broken)
    app.config["JOBS_SYNCHRONOUS"], app.config["REPORT_WAIT_SECONDS"] = True, 0
    login(make_user("office_admin"))
    client.set_cookie("lang", "en")
    response = client.get("/office/coverage/report.pdf?year=2025")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The report could not be prepared: The certificate font is missing." in page
    assert 'href="/office/coverage/report.pdf?year=2025"' in page


def test_asking_again_while_the_report_is_being_made_joins_the_same_job(app, session, district, client, login,
                                                                         monkeypatch):
    from portal.domain.coverage import report as report_module

    app.config["REPORT_WAIT_SECONDS"] = 0
    release, real, made = threading.Event(), report_module.coverage_report, []

    def slow(*args, **kwargs):
        made.append(kwargs["period"].last)
        assert release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(report_module, "coverage_report", slow)
    login(make_user("office_admin"))
    first = client.get("/office/coverage/report.pdf?year=2026").headers["Location"]
    second = client.get("/office/coverage/report.pdf?year=2026").headers["Location"]
    other_year = client.get("/office/coverage/report.pdf?year=2025").headers["Location"]
    release.set()
    assert first == second != other_year
    for _ in range(300):
        if client.get(first, headers={"Accept": "application/json"}).json["status"] != "running" and \
                client.get(other_year, headers={"Accept": "application/json"}).json["status"] != "running":
            break
        time.sleep(0.1)
    assert sorted(made) == [2025, 2026]  # the second click made nothing more
    assert client.get(f"{first}.pdf").data.startswith(b"%PDF")


def test_the_chinese_report_has_no_english_left(app, session, district):
    with force_locale("zh_CN"):
        report = yearly_report(session, year=2026, today=TODAY, rules=current_rules(session), plan_start=2024)
        pdf = render_report(report, ReportSettings(font_path=app.config["CERT_FONT_PATH"], office_name="河东办公室",
                                                   locale="zh_CN"))
    joined = "\n".join(lines(pdf))
    overdue = re.search(r"逾期[^\n]*\n([^\n]+)", joined)
    assert overdue and re.fullmatch(r"\d+ 项（\d+ 人）", overdue.group(1)), overdue
    assert "people" not in joined and "Overdue" not in joined
