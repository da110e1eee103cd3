"""Coverage reports: a year's report and the plan period's (PDF, made by a background job), and the office
marking a past year's report final (kept in every language, downloaded unchanged from then on)."""
from __future__ import annotations

from datetime import date

from flask import Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from portal.coverage import blueprint
from portal.coverage.blueprint import bp
from portal.coverage.forms import ButtonForm
from portal.domain.platform import policy
from portal.domain.coverage import final
from portal.domain.coverage.report import ReportPeriod, default_plan_start
from portal.domain.workforce.rules import current_rules
from portal.extensions import db
from portal.models import utcnow
from portal.web import jobs
from portal.web.database import reporting_session
from portal.web.exports import export_response
from portal.web.i18n import current_locale
from portal.web.parameters import whole_number
from portal.web import access

REPORT_WAIT_SECONDS = 5  # how long a request waits for the report before showing its progress instead


def year_period(year: int) -> ReportPeriod:
    return ReportPeriod.year(year, default_plan_start(reporting_session(), year))


def current_plan(today: date) -> ReportPeriod:
    """The plan period running this year (three years to the latest target deadline)."""
    return ReportPeriod.plan(default_plan_start(reporting_session(), today.year))


def _period_asked(today: date) -> ReportPeriod:
    """?year=Y: that year's report (this year's by default); ?plan=Y: the plan period that starts in Y."""
    plan = request.args.get("plan")
    value = plan if plan is not None else request.args.get("year", str(today.year))
    year = whole_number(value)
    if year is None or not 2000 <= year <= today.year:
        abort(404)
    return ReportPeriod.plan(year) if plan is not None else year_period(year)


def _kept(period: ReportPeriod) -> final.FinalReport | None:
    """The year's final report (the office sees the whole district: a department's report is never final)."""
    if period.whole_plan or not policy.sees_whole_district(current_user):
        return None
    return final.find(db.session, period.last, current_locale())


@bp.route("/report.pdf")
@access.roles(*blueprint.VIEWERS)
def report():
    """A year's (?year=) or the plan period's (?plan=) report, made by a background job: sent at once when it is
    ready within REPORT_WAIT_SECONDS (figures that `flask coverage warm` keeps are), else a page shows the job's
    progress and then a link. A past year's figures at district scale take minutes, longer than a request may."""
    today = blueprint.today()
    period = _period_asked(today)
    kept = _kept(period)
    if kept is not None:  # as sent to the district government, whatever the rosters say since
        return _pdf_response(kept.pdf, period, digest=kept.digest)
    job_id = _start_report(period, today)
    waited = jobs.wait(job_id, float(current_app.config.get("REPORT_WAIT_SECONDS", REPORT_WAIT_SECONDS)))
    if waited.get("status") == "done":
        return _report_file(waited)
    return redirect(url_for("coverage.report_status", job_id=job_id))


def _start_report(period: ReportPeriod, today: date, *, make_final: bool = False) -> str:
    """Start the job that makes the report with what this request knows (user's scope, language); with
    `make_final`, the job also keeps the year's report, in every language, as final."""
    from portal.domain.coverage import report as reports
    from portal.domain.coverage.report_pdf import office_settings, render_report

    session = reporting_session()
    rules, scope, cache, max_age = current_rules(session), blueprint.scope(), blueprint.cache(), blueprint.max_age()
    config, locale, user_id = current_app.config, current_locale(), current_user.id
    settings = office_settings(config, locale, _scope_label())
    languages = [office_settings(config, code) for code in config["LANGUAGES"]] if make_final else []
    steps = reports.REPORT_STEPS + 1  # and the PDF

    def work(progress) -> dict:
        progress(0, steps)
        with force_locale(locale):  # no request here: the language is the one who asked
            data = reports.coverage_report(reporting_session(), period=period, today=today, rules=rules, scope=scope,
                                           cache=cache, max_age=max_age, spawn=blueprint.spawn,
                                           progress=lambda step: progress(step, steps))
            if make_final:
                kept = final.make_final(db.session, data, languages, actor_id=user_id, now=utcnow())
                pdf = next(r.pdf for r in kept if r.locale == locale)
                db.session.commit()
            else:
                pdf = render_report(data, settings)
            name = jobs.save_file(pdf, "pdf")
        progress(steps, steps)
        return {"file": name, "name": _file_name(period)}

    # A second click while the first is still loading joins its job (the user's scope comes with the user).
    owner = {"user": user_id, "report": period.last, "first": period.first, "plan_start": period.plan_start}
    return jobs.start(owner, work, same_work={**owner, "locale": locale, "today": today, "final": make_final})


def _file_name(period: ReportPeriod) -> str:
    return f"coverage-report-{period.first}-{period.last}" if period.whole_plan else f"coverage-report-{period.last}"


def _report_state(job_id: str) -> dict:
    state = jobs.read_state(job_id)
    if state is None or state.get("owner", {}).get("user") != current_user.id or "report" not in state["owner"]:
        abort(404)
    return state


def _state_period(state: dict) -> ReportPeriod:
    owner = state["owner"]
    return ReportPeriod(owner["first"], owner["report"], owner["plan_start"])


def _report_file(state: dict) -> Response:
    body = jobs.read_file(state["result"]["file"]) if state.get("status") == "done" else None
    if body is None:
        abort(404)
    return _pdf_response(body, _state_period(state))


def _pdf_response(body: bytes, period: ReportPeriod, *, digest: str | None = None) -> Response:
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{_file_name(period)}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    if digest:
        response.headers["X-Report-SHA256"] = digest
    return response


@bp.route("/report/<int:year>/final", methods=["POST"])
@access.roles("office_admin", "superuser")
def make_final(year: int):
    """The office marks a past year's report final: made once more now, then kept as it is in every language."""
    today = blueprint.today()
    if not 2000 <= year < today.year or not ButtonForm().validate_on_submit():
        abort(404)
    if final.find(db.session, year, current_locale()) is not None:
        flash(_("The %(year)s report is already final.", year=year), "info")
        return redirect(url_for("coverage.home"))
    job_id = _start_report(year_period(year), today, make_final=True)
    return redirect(url_for("coverage.report_status", job_id=job_id))


@bp.route("/report/<job_id>")
@access.roles(*blueprint.VIEWERS)
def report_status(job_id: str):
    state = _report_state(job_id)
    if request.accept_mimetypes.best == "application/json":
        return jsonify(jobs.progress_of(state))
    period = _state_period(state)
    return render_template("coverage/report_status.html", state=state, job_id=job_id, period=period,
                           kept=_kept(period))


@bp.route("/report/<job_id>.pdf")
@access.roles(*blueprint.VIEWERS)
def report_download(job_id: str):
    return _report_file(_report_state(job_id))


@bp.route("/report/sectors.<fmt>")
@access.roles(*blueprint.VIEWERS)
def report_sectors(fmt: str):
    """The report's coverage by sector as a table (?year= or ?plan=, as the PDF): the sectors page's figures on
    the report's date."""
    from portal.domain.coverage import tables

    if fmt not in ("csv", "xlsx"):
        abort(404)
    from portal.domain.coverage.snapshot import coverage_by_sector, take_snapshot

    today = blueprint.today()
    period = _period_asked(today)
    session = reporting_session()
    snapshot = take_snapshot(session, today=period.as_of(today), rules=current_rules(session), scope=blueprint.scope(),
                             cache=blueprint.cache(), max_age=blueprint.max_age(), spawn=blueprint.spawn)
    return export_response(*tables.sector_table(coverage_by_sector(session, snapshot), snapshot.groups,
                                                current_locale()), fmt, f"{_file_name(period)}-sectors")


@bp.route("/report/offline.<fmt>")
@access.roles(*blueprint.VIEWERS)
def report_offline(fmt: str):
    """The report's annex as a table: every offline completion of the period with its classroom session, and the
    completions no session stands behind with their source."""
    from portal.domain.coverage import tables

    if fmt not in ("csv", "xlsx"):
        abort(404)
    from portal.domain.coverage.report import period_offline_trace
    from portal.domain.coverage.snapshot import scope_organization_ids

    today = blueprint.today()
    period = _period_asked(today)
    session = reporting_session()
    trace = period_offline_trace(session, period, period.as_of(today),
                                 organization_ids=scope_organization_ids(session, blueprint.scope()))
    return export_response(*tables.offline_trace_table(trace, current_locale()), fmt, f"{_file_name(period)}-offline")


def _scope_label() -> str:
    if policy.sees_whole_district(current_user):
        return ""
    return ", ".join(s.name(current_locale()) for s in blueprint.visible_sectors())
