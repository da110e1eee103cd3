"""Coverage as of a date counts the people employed that day (portal/domain/workforce/employment.py): people put on a
roster today leave last year's report as it was, a leaver counts until they left, a person is counted once."""
from datetime import date, datetime, timedelta, timezone

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from portal.domain.coverage.missing import all_missing
from portal.domain.coverage.population import coverage_cells
from portal.domain.coverage.projection import month_ends
from portal.domain.coverage.report import yearly_report
from portal.domain.coverage.report_pdf import ReportSettings, render_report
from portal.domain.coverage.requirements import load_requirements
from portal.domain.coverage.snapshot import take_snapshot
from portal.domain.workforce.employment import held_on, held_on_sql
from portal.domain.platform.policy import organization_scope
from portal.domain.workforce.rules import current_rules
from portal.models import KeyGroup, Trainee, utcnow
from tests.domain.test_coverage_report import lines
from tests.factories import make_completion, make_course, make_locality, make_org, make_trainee, make_user

TODAY = utcnow().date()  # rows put on the roster now are dated today, as in production
YEAR = TODAY.year - 1
SINCE = date(2020, 1, 1)
FOREVER = date(2099, 12, 31)


@pytest.fixture
def district(session):
    root = make_locality("A0", level="district")
    east = make_locality("A01", level="street", parent=root)
    west = make_locality("A02", level="street", parent=root)
    mall = make_org("Harbour Mall", sector_code="commerce", locality=east)
    school = make_org("Hill School", sector_code="education", locality=west)
    basics = make_course("all-staff-basics")
    staff = [make_trainee(mall, start_date=SINCE) for _ in range(3)] + [make_trainee(school, start_date=SINCE)]
    make_completion(staff[0], basics, on=date(YEAR, 3, 1), valid_until=FOREVER)
    make_completion(staff[3], basics, on=date(YEAR - 1, 5, 1), valid_until=FOREVER)
    session.flush()
    return {"mall": mall, "school": school, "basics": basics, "staff": staff}


def group(session, code="all_staff"):
    return session.scalar(select(KeyGroup.id).where(KeyGroup.code == code))


def report_of(session, year=YEAR, **options):
    return yearly_report(session, year=year, today=TODAY, rules=current_rules(session), plan_start=year - 2,
                         **options)


def figures(report) -> dict:
    """Every figure a report shows, as plain values."""
    def pair(f):
        return (f.population, f.covered)

    return {
        "headline": [(line.group.code, pair(line.now), pair(line.before)) for line in report.headline],
        "overall": pair(report.overall),
        "streets": [(place.code, sorted((g, pair(f)) for g, f in by_group.items()))
                    for place, by_group in report.streets],
        "trend": {g: [(d, pair(f)) for d, f in series] for g, series in report.trend.items()},
        "years": [(a.year, a.completions, a.people_trained, pair(a.coverage)) for a in report.years],
        "cumulative": (report.cumulative.completions, report.cumulative.people_trained),
        "gaps": [(gap.name, pair(gap.figure)) for gap in report.organization_gaps],
        "compliance": report.compliance.as_tuple(),
    }


def pdf_text(app, report) -> list[str]:
    with force_locale("en"):
        pdf = render_report(report, ReportSettings(font_path=app.config["CERT_FONT_PATH"], office_name="Office",
                                                   locale="en"))
    return lines(pdf)


def test_people_put_on_a_roster_today_leave_last_years_report_unchanged(app, session, district):
    report = report_of(session)
    before, before_pdf = figures(report), pdf_text(app, report)
    mall, school, basics = district["mall"], district["school"], district["basics"]
    for _ in range(4):  # an import of staff starting today, trained at once
        make_completion(make_trainee(mall, start_date=TODAY), basics, on=TODAY, valid_until=FOREVER)
    make_trainee(school)  # no start date: on the roster from today
    volunteer = make_trainee(None, groups=("grid_worker",))
    volunteer.locality_id = mall.locality_id
    mover = district["staff"][3]  # trained in the year before last, moves to the mall today
    mover.status, mover.left_on = "left", TODAY
    make_trainee(mall, person=mover.person, start_date=TODAY)
    session.flush()
    report = report_of(session)
    assert figures(report) == before and pdf_text(app, report) == before_pdf
    assert f"Figures as of {YEAR}-12-31" in before_pdf
    today = take_snapshot(session, today=TODAY, rules=current_rules(session)).figure(group(session))
    assert (today.population, today.covered) == (4 + 4 + 1, 1 + 4 + 1)  # today's figures count them all


def test_someone_who_left_in_the_year_counts_at_the_month_ends_before_they_left(session, district):
    leaver = make_trainee(district["mall"], start_date=SINCE)
    make_completion(leaver, district["basics"], on=date(YEAR, 1, 10), valid_until=FOREVER)
    leaver.status, leaver.left_on = "left", date(YEAR, 7, 15)
    session.flush()
    trend = dict(report_of(session).trend[group(session)])
    assert [trend[day].population for day in month_ends(YEAR, TODAY)] == [5] * 6 + [4] * 6
    assert trend[date(YEAR, 6, 30)].population == 5 and trend[date(YEAR, 6, 30)].covered == 3
    assert trend[date(YEAR, 7, 31)].population == 4 and trend[date(YEAR, 7, 31)].covered == 2
    assert trend[date(YEAR, 12, 31)].population == 4


def test_a_year_before_someone_started_does_not_count_them(session, district):
    newcomer = make_trainee(district["school"], start_date=date(YEAR, 10, 1))
    make_completion(newcomer, district["basics"], on=date(YEAR - 1, 2, 1), valid_until=FOREVER)  # trained elsewhere
    session.flush()
    trend = dict(report_of(session).trend[group(session)])
    assert (trend[date(YEAR, 9, 30)].population, trend[date(YEAR, 9, 30)].covered) == (4, 2)
    assert (trend[date(YEAR, 10, 31)].population, trend[date(YEAR, 10, 31)].covered) == (5, 3)


def counted(session, day: date) -> dict:
    """Organization -> people of the all-staff group counted there on `day`."""
    requirements = load_requirements(session, current_rules(session))
    cells = coverage_cells(session, requirements, dates=[day], group_ids=[group(session)])
    result = {}
    for cell in cells:
        result[cell.organization_id] = result.get(cell.organization_id, 0) + cell.population[0]
    return {org: n for org, n in result.items() if n}


def test_a_move_with_overlapping_dates_counts_the_person_once(session, district):
    mall, school = district["mall"], district["school"]
    person = district["staff"][3]  # at the school since 2020
    person.status, person.left_on = "left", date(YEAR, 6, 1)
    make_trainee(mall, person=person.person, start_date=date(YEAR, 5, 1))  # started before the school let go
    session.flush()
    assert counted(session, date(YEAR, 4, 30)) == {mall.id: 3, school.id: 1}
    assert counted(session, date(YEAR, 5, 15)) == {mall.id: 3, school.id: 1}  # once, at the job held first
    assert counted(session, date(YEAR, 6, 1)) == {mall.id: 4}


def test_a_second_job_places_the_person_only_once_the_first_has_ended(session, district):
    mall, school = district["mall"], district["school"]
    main = district["staff"][1]
    extra = make_trainee(school, person=main.person, start_date=date(YEAR - 1, 1, 1), second_job=True)
    session.flush()
    assert counted(session, date(YEAR, 3, 31)) == {mall.id: 3, school.id: 1}
    main.status, main.left_on = "left", date(YEAR, 9, 1)
    extra.second_job = False  # promoted when the first job ended (people.promote_second_job)
    session.flush()
    assert counted(session, date(YEAR, 8, 31)) == {mall.id: 3, school.id: 1}  # still at the mall
    assert counted(session, date(YEAR, 9, 1)) == {mall.id: 2, school.id: 2}
    assert counted(session, TODAY) == {mall.id: 2, school.id: 2}


def test_the_missing_list_names_a_person_once_at_the_job_that_places_them(session, district):
    main = district["staff"][1]  # untrained, at the mall since 2020
    extra = make_trainee(district["school"], person=main.person, start_date=date(YEAR, 1, 1), second_job=True)
    mover = district["staff"][2]  # moves to the school next month, the mall lets go at its end
    mover.status, mover.left_on = "left", TODAY + timedelta(days=60)
    make_trainee(district["school"], person=mover.person, start_date=TODAY - timedelta(days=30))
    session.flush()
    snapshot = take_snapshot(session, today=TODAY, rules=current_rules(session))
    missing = sorted(p.trainee_id for p in all_missing(session, snapshot, group(session)))
    assert missing == sorted([main.id, mover.id]) and len(missing) == snapshot.figure(group(session)).missing
    assert extra.id not in missing


def test_someone_starting_next_week_is_neither_counted_nor_missing_today(session, district):
    starter = make_trainee(district["mall"], name="Starts Monday", start_date=TODAY + timedelta(days=7))
    session.flush()
    snapshot = take_snapshot(session, today=TODAY, rules=current_rules(session))
    assert snapshot.figure(group(session)).population == 4
    missing = [p.trainee_id for p in all_missing(session, snapshot, group(session))]
    assert len(missing) == snapshot.figure(group(session)).missing == 2 and starter.id not in missing
    later = take_snapshot(session, today=TODAY + timedelta(days=7), rules=current_rules(session))
    assert later.figure(group(session)).population == 5


def test_a_departments_activity_counts_completions_where_the_person_worked_then(session, district):
    viewer = make_user("dept_viewer", sector_code="commerce")
    before = report_of(session, scope=organization_scope(viewer))
    assert [a.completions for a in before.years] == [0, 0, 1]  # the mall's trained employee, in YEAR
    mover = district["staff"][3]  # trained at the school in YEAR - 1, joins the mall today
    mover.status, mover.left_on = "left", TODAY
    make_trainee(district["mall"], person=mover.person, start_date=TODAY)
    session.flush()
    after = report_of(session, scope=organization_scope(viewer))
    assert figures(after) == figures(before)


@pytest.mark.parametrize("start, created, status, left_on", [
    (None, datetime(2025, 3, 1, 22, 30), "active", None),  # on the roster from its UTC day
    (date(2025, 3, 1), datetime(2026, 1, 1), "active", None),  # imported later with its real start
    (date(2025, 3, 1), datetime(2025, 1, 1), "left", date(2025, 6, 1)),
    (date(2025, 3, 1), datetime(2025, 1, 1), "left", None),  # left without a date: over
    (date(2025, 3, 1), datetime(2025, 1, 1), "pending", None),  # waiting for the person: not yet
])
def test_held_on_is_the_same_rule_in_python_and_in_sql(session, district, start, created, status, left_on):
    job = make_trainee(district["mall"], start_date=start)
    job.created_at, job.status, job.left_on = created.replace(tzinfo=timezone.utc), status, left_on
    session.flush()
    for day in (date(2025, 2, 28), date(2025, 3, 1), date(2025, 5, 31), date(2025, 6, 1), date(2026, 1, 1)):
        in_sql = session.scalar(select(held_on_sql(day)).where(Trainee.id == job.id))
        assert bool(in_sql) == held_on(job, day), (day, start, status, left_on)
