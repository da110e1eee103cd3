"""`flask report ...`: the yearly and the plan period's coverage reports, the same files the office downloads."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from portal.web.database import reporting_session

report_cli = AppGroup("report", help="Coverage reports.")
coverage_cli = AppGroup("coverage", help="Coverage figures.")


@coverage_cli.command("warm")
def coverage_warm() -> None:
    """Compute the district's coverage figures ahead of the viewers (dashboard, drill-down, trend).

    Run every few minutes (deploy/portal-coverage.timer): pages then answer from figures at most that
    old, shared by every worker and node, and never wait for the computation."""
    import time

    from portal.coverage.blueprint import snapshot_cache
    from portal.domain.coverage.projection import trend_dates
    from portal.domain.coverage.report import yearly_report
    from portal.domain.coverage.snapshot import take_snapshot
    from portal.domain.platform.localtime import local_today, to_local
    from portal.domain.workforce.rules import current_rules

    cache = snapshot_cache(current_app)
    if cache is None:
        raise click.ClickException("COVERAGE_CACHE is off in this configuration: there is nothing to warm")
    session = reporting_session()
    today, rules = local_today(), current_rules(session)
    for label, dates in (("dashboard and drill-down", None), ("trend, 12 weeks", trend_dates(today, 12))):
        started = time.monotonic()
        snapshot = take_snapshot(session, today=today, rules=rules, dates=dates, cache=cache, max_age=0)
        snapshot.prepare()
        click.echo(f"coverage {label}: figures of {to_local(snapshot.computed_at):%H:%M:%S %z} "
                   f"({time.monotonic() - started:.1f} s)")
    started = time.monotonic()
    yearly_report(session, year=today.year, today=today, rules=rules, cache=cache).snapshot.prepare()
    click.echo(f"coverage yearly report {today.year}: {time.monotonic() - started:.1f} s")
    shared = cache.share_all()
    click.echo(f"{shared} entries shared with the other workers and nodes")
    session.rollback()


@report_cli.command("yearly")
@click.option("--year", type=int, required=True, help="The year reported (figures as of December 31, or today).")
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True),
              help="Where to write the PDF (default: coverage-report-YEAR.pdf).")
@click.option("--lang", type=click.Choice(["zh_CN", "en"]), default="zh_CN", show_default=True)
@click.option("--plan-start", type=int, default=None, help="First year of the plan (default: three years ending "
                                                          "with the latest target deadline).")
def report_yearly(year: int, out: str | None, lang: str, plan_start: int | None) -> None:
    """Write the yearly coverage report (PDF) of the whole district."""
    from portal.domain.coverage.report import ReportPeriod, default_plan_start

    start = plan_start or default_plan_start(reporting_session(), year)
    _write_report(ReportPeriod.year(year, start), out or f"coverage-report-{year}.pdf", lang)


@report_cli.command("plan")
@click.option("--start", type=int, default=None, help="First year of the plan (default: three years ending with "
                                                     "the latest target deadline).")
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True),
              help="Where to write the PDF (default: coverage-report-FIRST-LAST.pdf).")
@click.option("--lang", type=click.Choice(["zh_CN", "en"]), default="zh_CN", show_default=True)
def report_plan(start: int | None, out: str | None, lang: str) -> None:
    """Write the plan period's coverage report (PDF) of the whole district: a row per plan year, cumulative
    totals, figures as of the plan's end (or today)."""
    from portal.domain.coverage.report import ReportPeriod, default_plan_start
    from portal.domain.platform.localtime import local_today

    period = ReportPeriod.plan(start or default_plan_start(reporting_session(), local_today().year))
    _write_report(period, out or f"coverage-report-{period.first}-{period.last}.pdf", lang)


def _write_report(period, out: str, lang: str) -> None:
    from flask_babel import force_locale

    from portal.domain.coverage.report import coverage_report
    from portal.domain.coverage.report_pdf import office_settings, render_report
    from portal.domain.platform.errors import PortalError
    from portal.domain.workforce.rules import current_rules
    from portal.domain.platform.localtime import local_today

    today = local_today()
    if not 2000 <= period.first <= today.year:
        raise click.BadParameter(f"a year from 2000 to {today.year}")
    path = Path(out)
    with force_locale(lang):
        session = reporting_session()
        report = coverage_report(session, period=period, today=today, rules=current_rules(session))
        try:
            data = render_report(report, office_settings(current_app.config, lang))
        except PortalError as error:
            raise click.ClickException(str(error.message)) from None
    reporting_session().rollback()
    path.write_bytes(data)
    click.echo(f"report {period.label}: {path} ({len(data):,} bytes; coverage {report.overall.covered:,} of "
               f"{report.overall.population:,} person-group places)")
