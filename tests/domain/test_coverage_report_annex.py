"""The yearly report's coverage by sector (the sectors page's figures) and its annex tracing every offline
completion to its classroom session (issue #20): the report's data, the PDF's text and the exported tables."""
import re
from datetime import date, datetime, timezone

from flask_babel import force_locale

from portal.domain.workforce import prior
from portal.domain.coverage.offline_trace import NO_SESSION, PRIOR
from portal.domain.coverage.report import yearly_report
from portal.domain.coverage.report_pdf import ReportSettings, render_report
from portal.domain.coverage.snapshot import coverage_by_sector
from portal.domain.coverage.tables import offline_trace_table
from portal.domain.platform.policy import organization_scope
from portal.domain.workforce.rules import current_rules
from portal.models import Course
from tests.domain.test_coverage_report import TODAY, district, lines, render  # noqa: F401  (fixture)
from tests.factories import make_completion, make_user


def _untraced(session, district):
    """A prior training recorded by hand for Mall Three and an offline completion no session stands behind."""
    c = district["c"]
    grid_course = session.query(Course).filter_by(code="grid-worker").one()
    prior.record(session, c.person, prior.PriorData("grid-worker", date(2026, 3, 2), "City Fire Training School",
                                                    4, "Certificate JX-2026-0042"),
                 organization_id=district["mall"].id, actor_id=None,
                 now=datetime(2026, 3, 5, 2, tzinfo=timezone.utc), rules=current_rules(session))
    stray = make_completion(c, grid_course, on=date(2026, 1, 15))
    stray.mode = "offline"
    session.flush()


def test_the_report_counts_sectors_as_the_sectors_page(app, session, district):
    report, pdf = render(app, session)
    assert [(s.code, {g: (f.population, f.covered) for g, f in figures.items()}) for s, figures in report.sectors] == \
        [(s.code, {g: (f.population, f.covered) for g, f in figures.items()})
         for s, figures in coverage_by_sector(session, report.snapshot)]
    all_staff = next(g.id for g in report.snapshot.groups if g.code == "all_staff")
    by_code = {s.code: figures[all_staff] for s, figures in report.sectors}
    assert (by_code["commerce"].population, by_code["commerce"].covered) == (3, 1)
    assert (by_code["education"].population, by_code["education"].covered) == (2, 2)
    joined = "\n".join(lines(pdf))
    assert "Coverage by sector (responsible departments)" in joined
    # sector, population, covered, coverage, still to train: every group together (person-group pairs)
    commerce, education = (s.name("en") for s, _f in report.sectors)
    assert re.search(rf"{re.escape(commerce)}\n3\n1\n33\.3%\n2\n", joined)
    assert re.search(rf"{re.escape(education)}\n2\n2\n100\.0%\n0\n", joined)


def test_a_department_report_has_its_own_sector_only(app, session, district):
    viewer = make_user("dept_viewer", sector_code="education")
    report, _pdf = render(app, session, scope=organization_scope(viewer), label="Education Bureau")
    assert [s.code for s, _f in report.sectors] == ["education"]


def test_every_offline_completion_traces_to_its_session_or_says_what_stands_behind_it(app, session, district):
    _untraced(session, district)
    report, pdf = render(app, session)
    trace = report.offline
    assert [(s.held_on, s.trainer, s.place, s.organizer, s.completions) for s in trace.sessions] == [
        (date(2026, 5, 20), "T", "P", "Hill School", 1)]
    assert [(u.kind, u.completed_on, u.provider, u.evidence, u.hours, u.organization) for u in trace.untraced] == [
        (NO_SESSION, date(2026, 1, 15), "", "", None, None),
        (PRIOR, date(2026, 3, 2), "City Fire Training School", "Certificate JX-2026-0042", 4.0, "Harbour Mall")]
    year = next(a for a in report.years if a.year == 2026)
    assert trace.offline_completions == year.offline_completions == 2  # the annex adds up to "of which offline"
    joined = "\n".join(lines(pdf))
    assert "Annex: offline completions and their classroom sessions" in joined
    assert re.search(r"2026-05-20\n[^\n]+\nHill School\nT\nP\n1\n", joined)
    flat = re.sub(r"\s+", "", joined)  # table cells wrap
    for text in ("Completions no classroom session stands behind", "Offline, no session recorded",
                 "Prior training recorded by hand", "City Fire Training School", "Certificate JX-2026-0042"):
        assert re.sub(r"\s+", "", text) in flat
    with force_locale("en"):
        headers, rows = offline_trace_table(trace, "en")
    assert headers[:3] == ["Source", "Date", "Course"]
    assert [(r[0], r[1], r[3], r[4], r[5], r[8]) for r in rows] == [
        ("Classroom session", date(2026, 5, 20), "Hill School", "T", "P", 1),
        ("Offline, no session recorded", date(2026, 1, 15), "", "", "", 1),
        ("Prior training recorded by hand", date(2026, 3, 2), "Harbour Mall", "", "", 1)]


def test_a_department_annex_leaves_other_sectors_out(app, session, district):
    _untraced(session, district)
    viewer = make_user("dept_viewer", sector_code="education")
    report, pdf = render(app, session, scope=organization_scope(viewer), label="Education Bureau")
    assert [s.organizer for s in report.offline.sessions] == ["Hill School"] and report.offline.untraced == []
    assert "City Fire Training School" not in "\n".join(lines(pdf))


def test_the_chinese_annex_reads_without_codes(app, session, district):
    _untraced(session, district)
    with force_locale("zh_CN"):
        report = yearly_report(session, year=2026, today=TODAY, rules=current_rules(session), plan_start=2024)
        pdf = render_report(report, ReportSettings(font_path=app.config["CERT_FONT_PATH"], office_name="河东办公室",
                                                   locale="zh_CN"))
    joined = "\n".join(lines(pdf))
    assert not re.search(r"\b(no_session|prior|online|commerce|education|None)\b", joined)  # no internal codes
    assert "河东办公室" in joined
