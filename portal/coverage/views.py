"""Coverage pages: the office's and departments' dashboard, drill-down, gaps, trend, exports and the
yearly report. Views parse, call portal.domain.coverage, render. Targets and classroom sessions join
the same blueprint from target_views.py and session_views.py.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date

from flask import Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.coverage import blueprint, session_views, target_views  # noqa: F401  (their routes join bp)
from portal.coverage.blueprint import bp
from portal.domain import policy
from portal.coverage.forms import ButtonForm
from portal.domain.coverage import charts, final, gaps, missing, tables
from portal.domain.coverage.cache import SnapshotCache
from portal.domain.coverage.projection import TREND_WEEKS, trend_dates
from portal.domain.coverage.snapshot import Snapshot, organization_attributes, sector_map, take_snapshot
from portal.domain.rules import current_rules
from portal.extensions import db
from portal.models import Organization, Sector, utcnow
from portal.web import jobs
from portal.web.database import reporting_session
from portal.web.exports import export_response
from portal.web.i18n import current_locale

__all__ = ["bp"]


# ------------------------------------------------------------------------------------------ helpers


def _cache() -> SnapshotCache | None:
    return blueprint.snapshot_cache(current_app)


def _spawn(job) -> None:
    """Run job(session) in a background thread with its own session (refreshing a cached snapshot)."""
    app = current_app._get_current_object()

    def run() -> None:
        with app.app_context():
            try:
                job(reporting_session())
            except Exception:  # a failed refresh leaves the previous figures in place
                app.logger.exception("coverage refresh failed")
            finally:
                db.session.rollback()
                db.session.remove()

    threading.Thread(target=run, name="coverage-refresh", daemon=True).start()


def _snapshot(dates: list[date] | None = None, organization: Organization | None = None) -> Snapshot:
    session = reporting_session()
    return take_snapshot(session, today=blueprint.today(), rules=current_rules(session), scope=blueprint.scope(), dates=dates,
                         organization_id=organization.id if organization else None, cache=_cache(),
                         max_age=_max_age(), spawn=_spawn)


def _max_age() -> float:
    return float(current_app.config.get("COVERAGE_MAX_AGE", blueprint.MAX_AGE))


def _group(snapshot: Snapshot, *, required: bool = False):
    code = request.args.get("group") or ""
    if not code:
        if required and snapshot.groups:
            return snapshot.groups[0]
        return None
    return snapshot.requirements.group(code) or abort(404)


def _place(snapshot: Snapshot):
    value = request.args.get("locality") or ""
    if not value:
        return None
    if not value.isdigit() or int(value) not in snapshot.tree.places:
        abort(404)
    return snapshot.tree.places[int(value)]


def _sector() -> Sector | None:
    value = request.args.get("sector") or ""
    if not value:
        return None
    sector = reporting_session().get(Sector, int(value)) if value.isdigit() else None
    if sector is None or not policy.can_see_sector(current_user, sector.id):
        abort(404)
    return sector


def _organization() -> Organization | None:
    value = request.args.get("organization") or ""
    if not value:
        return None
    if not value.isdigit():
        abort(404)
    return policy.organization_or_404(reporting_session(), current_user, int(value))


def _narrowed(snapshot: Snapshot, sector: Sector | None, organization: Organization | None) -> Snapshot:
    if organization is not None:
        return snapshot.restrict({organization.id})
    if sector is not None:
        return snapshot.restrict({o for o, s in sector_map(reporting_session()).items() if s == sector.id})
    return snapshot


def _visible_sectors() -> list[Sector]:
    statement = select(Sector).order_by(Sector.code)
    if not policy.sees_whole_district(current_user):
        statement = statement.where(Sector.id.in_(policy.viewed_sector_ids(current_user) or {-1}))
    return list(reporting_session().scalars(statement))


def _sector_names(locale: str) -> dict[int, str]:
    return {s.id: s.name(locale) for s in reporting_session().scalars(select(Sector))}


def _localities(snapshot: Snapshot) -> dict:
    return snapshot.tree.places


@dataclass
class Paged:
    """A page of an already computed list, shaped like Flask-SQLAlchemy's Pagination for the pager macro."""

    items: list
    total: int
    page: int
    per_page: int = blueprint.PER_PAGE

    @classmethod
    def of(cls, rows: list, per_page: int = blueprint.PER_PAGE) -> "Paged":
        value = request.args.get("page", "1")
        page = int(value) if value.isdigit() and 0 < int(value) < 100000 else 1
        pages = max(1, -(-len(rows) // per_page))
        page = min(page, pages)
        return cls(rows[(page - 1) * per_page: page * per_page], len(rows), page, per_page)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    has_prev = property(lambda self: self.page > 1)
    has_next = property(lambda self: self.page < self.pages)
    prev_num = property(lambda self: self.page - 1)
    next_num = property(lambda self: self.page + 1)


# ------------------------------------------------------------------------------------------ dashboard


@bp.route("/")
@policy.roles(*blueprint.VIEWERS)
def home():
    snapshot = _snapshot()
    locale = current_locale()
    lines = snapshot.headline()
    if fmt := blueprint.export_format():
        return export_response(*tables.headline_table(lines, locale), fmt, "coverage-headline")
    chart = charts.bar_chart("chart-groups", _("Coverage per key group against target"),
                             [charts.Bar(line.group.name(locale), line.now.rate, line.now.target_rate)
                              for line in lines])
    return render_template("coverage/home.html", snapshot=snapshot, lines=lines, chart=chart,
                           compliance=snapshot.compliance(), overall=snapshot.all_groups(),
                           finals=final.finals_by_year(db.session, locale))


@bp.route("/localities")
@policy.roles(*blueprint.VIEWERS)
def localities():
    snapshot = _snapshot()
    place, group = _place(snapshot), _group(snapshot)
    children = snapshot.children(place.id if place else None)
    locale = current_locale()
    if fmt := blueprint.export_format():
        groups = [group] if group else snapshot.groups
        return export_response(*tables.locality_table(children, groups, locale), fmt, "coverage-localities")
    here = {g.id: snapshot.figure(g.id, place.id if place else None) for g in snapshot.groups}
    return render_template("coverage/localities.html", snapshot=snapshot, place=place, group=group,
                           children=children, here=here, path=snapshot.tree.path(place.id) if place else [])


@bp.route("/sectors")
@policy.roles(*blueprint.VIEWERS)
def sectors():
    snapshot = _snapshot()
    group = _group(snapshot)
    visible = _visible_sectors()
    per_sector = snapshot.sectors(sector_map(reporting_session(), snapshot.organization_ids))
    rows = [(sector, per_sector.get(sector.id, {})) for sector in visible if sector.id in per_sector]
    if fmt := blueprint.export_format():
        groups = [group] if group else snapshot.groups
        return export_response(*tables.sector_table(rows, groups, current_locale()), fmt, "coverage-sectors")
    return render_template("coverage/sectors.html", snapshot=snapshot, rows=rows, group=group)


@bp.route("/organizations")
@policy.roles(*blueprint.VIEWERS)
def organizations():
    snapshot = _snapshot()
    place, group, sector = _place(snapshot), _group(snapshot), _sector()
    rows = _narrowed(snapshot, sector, None).ranked_organizations(place.id if place else None,
                                                                  group.id if group else None)
    locale = current_locale()
    if fmt := blueprint.export_format():
        label = group.name(locale) if group else _("All key groups")
        return export_response(*tables.organization_table(
            [(org_id, label, figure) for org_id, figure in rows], organization_attributes(reporting_session()),
            _sector_names(locale), snapshot.tree.places, locale), fmt, "coverage-organizations")
    page = Paged.of(rows)
    orgs = {o.id: o for o in reporting_session().scalars(select(Organization).where(
        Organization.id.in_([r[0] for r in page.items] or [-1])))}
    return render_template("coverage/organizations.html", snapshot=snapshot, page=page, orgs=orgs, place=place,
                           group=group, sector=sector, sectors=_visible_sectors())


@bp.route("/organizations/<int:org_id>")
@policy.roles(*blueprint.VIEWERS)
def organization(org_id: int):
    org = policy.organization_or_404(reporting_session(), current_user, org_id)
    snapshot = _snapshot(organization=org)
    figures = snapshot.organizations().get(org.id, {})
    if fmt := blueprint.export_format():
        locale = current_locale()
        rows = [(org.id, g.name(locale), figures[g.id]) for g in snapshot.groups if g.id in figures]
        attributes = {org.id: (org.name, org.credit_code, org.sector_id, org.locality_id)}
        return export_response(*tables.organization_table(rows, attributes, _sector_names(locale),
                                                          snapshot.tree.places, locale),
                               fmt, f"coverage-organization-{org.id}")
    return render_template("coverage/organization.html", snapshot=snapshot, org=org, figures=figures,
                           compliance=snapshot.compliance())


@bp.route("/missing")
@policy.roles(*blueprint.VIEWERS)
def missing_people():
    sector, org = _sector(), _organization()
    snapshot = _snapshot(organization=org)
    group, place = _group(snapshot, required=True), _place(snapshot)
    if group is None:
        abort(404)
    narrowed = _narrowed(snapshot, sector, org)
    locality_id = place.id if place else None
    locale = current_locale()
    if fmt := blueprint.export_format():
        people = missing.all_missing(reporting_session(), narrowed, group.id, locality_id=locality_id)
        return export_response(*tables.missing_table(people, _localities(snapshot), locale), fmt, "coverage-missing")
    value = request.args.get("page", "1")
    page = missing.missing_page(reporting_session(), narrowed, group.id, locality_id=locality_id, per_page=blueprint.PER_PAGE,
                                page=int(value) if value.isdigit() and 0 < int(value) < 100000 else 1)
    return render_template("coverage/missing.html", snapshot=snapshot, page=page, group=group, place=place,
                           sector=sector, org=org, figure=narrowed.figure(group.id, locality_id),
                           lacks_text=tables.lacks_text)


@bp.route("/trend")
@policy.roles(*blueprint.VIEWERS)
def trend():
    weeks = request.args.get("weeks", "12")
    weeks = int(weeks) if weeks.isdigit() and int(weeks) in TREND_WEEKS else 12
    snapshot = _snapshot(trend_dates(blueprint.today(), weeks))
    group, place = _group(snapshot), _place(snapshot)
    locale = current_locale()
    groups = [group] if group else snapshot.groups
    series = {g.id: snapshot.series(g.id, place.id if place else None) for g in groups}
    if fmt := blueprint.export_format():
        return export_response(*tables.trend_table(series, groups, locale), fmt, "coverage-trend")
    chart = charts.line_chart("chart-trend", _("Weekly coverage per key group"),
                              [charts.Series(g.name(locale), [(d, f.rate) for d, f in series[g.id]]) for g in groups])
    return render_template("coverage/trend.html", snapshot=snapshot, series=series, groups=groups, group=group,
                           place=place, chart=chart, weeks=weeks, week_choices=TREND_WEEKS)


@bp.route("/gaps")
@policy.roles(*blueprint.VIEWERS)
def gap_list():
    snapshot = _snapshot()
    level = request.args.get("level") if request.args.get("level") in gaps.GAP_LEVELS else "community"
    sort = request.args.get("sort") if request.args.get("sort") in gaps.SORTS else "missing"
    locale = current_locale()
    org_gaps = gaps.organization_gaps(reporting_session(), snapshot, sort=sort)
    place_gaps = gaps.locality_gaps(snapshot, level=level, sort=sort)
    sectors = _sector_names(locale)
    if fmt := blueprint.export_format():
        if request.args.get("table") == "localities":
            return export_response(*tables.locality_gap_table(place_gaps, locale), fmt, "coverage-gaps-localities")
        return export_response(*tables.organization_gap_table(org_gaps, sectors, _localities(snapshot),
                                                              snapshot.groups, locale), fmt, "coverage-gaps")
    return render_template("coverage/gaps.html", snapshot=snapshot, org_gaps=org_gaps, place_gaps=place_gaps,
                           sectors=sectors, level=level, sort=sort, levels=gaps.GAP_LEVELS,
                           group_names={g.id: g.name(locale) for g in snapshot.groups})


REPORT_WAIT_SECONDS = 5  # how long a request waits for the report before showing its progress instead


@bp.route("/report.pdf")
@policy.roles(*blueprint.VIEWERS)
def report():
    """The yearly report, made by a background job: sent at once when it is ready within REPORT_WAIT_SECONDS
    (figures that `flask coverage warm` keeps are), else a page shows the job's progress and then a link.
    A past year's figures at district scale take minutes, longer than a request may."""
    today = blueprint.today()
    value = request.args.get("year", str(today.year))
    if not value.isdigit() or not 2000 <= int(value) <= today.year:
        abort(404)
    kept = final.find(db.session, int(value), current_locale()) if policy.sees_whole_district(current_user) else None
    if kept is not None:  # as sent to the district government, whatever the rosters say since
        return _pdf_response(kept.pdf, int(value), digest=kept.digest)
    job_id = _start_report(int(value), today)
    waited = jobs.wait(job_id, float(current_app.config.get("REPORT_WAIT_SECONDS", REPORT_WAIT_SECONDS)))
    if waited.get("status") == "done":
        return _report_file(waited)
    return redirect(url_for("coverage.report_status", job_id=job_id))


def _start_report(year: int, today: date, *, make_final: bool = False) -> str:
    """Start the job that makes the report with what this request knows (user's scope, language); with
    `make_final`, the job also keeps the PDF as the year's final report."""
    from portal.domain.coverage.report import REPORT_STEPS, yearly_report
    from portal.domain.coverage.report_pdf import ReportSettings, render_report

    session = reporting_session()
    rules, scope, cache, max_age = current_rules(session), blueprint.scope(), _cache(), _max_age()
    settings = ReportSettings(font_path=current_app.config["CERT_FONT_PATH"], office_name=_office_name(),
                              locale=current_locale(), scope_label=_scope_label())
    steps = REPORT_STEPS + 1  # and the PDF
    user_id = current_user.id

    def work(progress) -> dict:
        progress(0, steps)
        with force_locale(settings.locale):  # no request here: the language is the one who asked
            data = yearly_report(reporting_session(), year=year, today=today, rules=rules, scope=scope, cache=cache,
                                 max_age=max_age, spawn=_spawn, progress=lambda step: progress(step, steps))
            pdf = render_report(data, settings)
            name = jobs.save_file(pdf, "pdf")
            if make_final:
                final.keep(db.session, year=year, locale=settings.locale, pdf=pdf, actor_id=user_id, now=utcnow())
                db.session.commit()
        progress(steps, steps)
        return {"file": name, "year": year}

    # A second click while the first is still loading joins its job (the user's scope comes with the user).
    return jobs.start({"user": current_user.id, "report": year}, work,
                      same_work={"report": year, "user": current_user.id, "locale": settings.locale, "today": today,
                                 "final": make_final})


def _report_state(job_id: str) -> dict:
    state = jobs.read_state(job_id)
    if state is None or state.get("owner", {}).get("user") != current_user.id or "report" not in state["owner"]:
        abort(404)
    return state


def _report_file(state: dict) -> Response:
    body = jobs.read_file(state["result"]["file"]) if state.get("status") == "done" else None
    if body is None:
        abort(404)
    return _pdf_response(body, state["result"]["year"])


def _pdf_response(body: bytes, year: int, *, digest: str | None = None) -> Response:
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="coverage-report-{year}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    if digest:
        response.headers["X-Report-SHA256"] = digest
    return response


@bp.route("/report/<int:year>/final", methods=["POST"])
@policy.roles("office_admin", "superuser")
def make_final(year: int):
    """The office marks a past year's report final: made once more now, then kept as it is."""
    today = blueprint.today()
    if not 2000 <= year < today.year or not ButtonForm().validate_on_submit():
        abort(404)
    if final.find(db.session, year, current_locale()) is not None:
        flash(_("The %(year)s report is already final.", year=year), "info")
        return redirect(url_for("coverage.home"))
    job_id = _start_report(year, today, make_final=True)
    return redirect(url_for("coverage.report_status", job_id=job_id))


@bp.route("/report/<job_id>")
@policy.roles(*blueprint.VIEWERS)
def report_status(job_id: str):
    state = _report_state(job_id)
    if request.accept_mimetypes.best == "application/json":
        return jsonify(jobs.progress_of(state))
    year = state["owner"]["report"]
    return render_template("coverage/report_status.html", state=state, job_id=job_id, year=year,
                           kept=final.find(db.session, year, current_locale()))


@bp.route("/report/<job_id>.pdf")
@policy.roles(*blueprint.VIEWERS)
def report_download(job_id: str):
    return _report_file(_report_state(job_id))


def _office_name() -> str:
    key = "CERT_OFFICE_NAME_EN" if current_locale() == "en" else "CERT_OFFICE_NAME_ZH"
    return current_app.config.get(key, "")


def _scope_label() -> str:
    if policy.sees_whole_district(current_user):
        return ""
    return ", ".join(s.name(current_locale()) for s in _visible_sectors())
