"""Coverage pages: the office's and departments' dashboard, drill-down, gaps, trend, drills and commitments, and
exports. Views parse, call portal.domain.coverage, render. The reports, targets and classroom sessions join the
same blueprint from report_views.py, target_views.py and session_views.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.coverage import blueprint, report_views, session_views, target_views  # noqa: F401  (routes join bp)
from portal.coverage.blueprint import bp
from portal.domain.platform import policy
from portal.domain.coverage import charts, final, gaps, missing, tables
from portal.domain.coverage.projection import TREND_WEEKS, trend_dates
from portal.domain.workforce.commitments import role_label
from portal.domain.coverage.duties import duty_figures
from portal.domain.coverage.snapshot import (
    Snapshot, coverage_by_sector, organization_attributes, scope_organization_ids, sector_map, take_snapshot
)
from portal.domain.workforce.organizations import kind_label
from portal.domain.workforce.rules import current_rules
from portal.extensions import db
from portal.models import Organization, Sector
from portal.web.database import reporting_session
from portal.web.exports import export_response
from portal.web.i18n import current_locale
from portal.web.pagination import page_asked
from portal.web.parameters import record_id, whole_number
from portal.web import access

__all__ = ["bp"]


# ------------------------------------------------------------------------------------------ helpers


def _snapshot(dates: list[date] | None = None, organization: Organization | None = None) -> Snapshot:
    session = reporting_session()
    return take_snapshot(session, today=blueprint.today(), rules=current_rules(session), scope=blueprint.scope(), dates=dates,
                         organization_id=organization.id if organization else None, cache=blueprint.cache(),
                         max_age=blueprint.max_age(), spawn=blueprint.spawn)


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
    place_id = record_id(value)
    if place_id not in snapshot.tree.places:
        abort(404)
    return snapshot.tree.places[place_id]


def _sector() -> Sector | None:
    value = request.args.get("sector") or ""
    if not value:
        return None
    sector_id = record_id(value)
    sector = reporting_session().get(Sector, sector_id) if sector_id else None
    if sector is None or not policy.can_see_sector(current_user, sector.id):
        abort(404)
    return sector


def _organization() -> Organization | None:
    value = request.args.get("organization") or ""
    if not value:
        return None
    org_id = record_id(value)
    if org_id is None:
        abort(404)
    return access.organization_or_404(reporting_session(), current_user, org_id)


def _narrowed(snapshot: Snapshot, sector: Sector | None, organization: Organization | None) -> Snapshot:
    if organization is not None:
        return snapshot.restrict({organization.id})
    if sector is not None:
        return snapshot.restrict({o for o, s in sector_map(reporting_session()).items() if s == sector.id})
    return snapshot


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
        page = page_asked()
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
@access.roles(*blueprint.VIEWERS)
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
                           finals=final.finals_by_year(db.session, locale),
                           plan=report_views.current_plan(snapshot.today))


@bp.route("/localities")
@access.roles(*blueprint.VIEWERS)
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
@access.roles(*blueprint.VIEWERS)
def sectors():
    snapshot = _snapshot()
    group = _group(snapshot)
    visible = {sector.id for sector in blueprint.visible_sectors()}
    rows = [(sector, figures) for sector, figures in coverage_by_sector(reporting_session(), snapshot)
            if sector.id in visible]
    if fmt := blueprint.export_format():
        groups = [group] if group else snapshot.groups
        return export_response(*tables.sector_table(rows, groups, current_locale()), fmt, "coverage-sectors")
    return render_template("coverage/sectors.html", snapshot=snapshot, rows=rows, group=group)


@bp.route("/organizations")
@access.roles(*blueprint.VIEWERS)
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
                           group=group, sector=sector, sectors=blueprint.visible_sectors())


@bp.route("/organizations/<int:org_id>")
@access.roles(*blueprint.VIEWERS)
def organization(org_id: int):
    org = access.organization_or_404(reporting_session(), current_user, org_id)
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
@access.roles(*blueprint.VIEWERS)
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
    page = missing.missing_page(reporting_session(), narrowed, group.id, locality_id=locality_id, per_page=blueprint.PER_PAGE,
                                page=page_asked())
    return render_template("coverage/missing.html", snapshot=snapshot, page=page, group=group, place=place,
                           sector=sector, org=org, figure=narrowed.figure(group.id, locality_id),
                           lacks_text=tables.lacks_text)


@bp.route("/trend")
@access.roles(*blueprint.VIEWERS)
def trend():
    weeks = whole_number(request.args.get("weeks"))
    weeks = weeks if weeks in TREND_WEEKS else 12
    snapshot = _snapshot(trend_dates(blueprint.today(), weeks))
    group, place = _group(snapshot), _place(snapshot)
    locale = current_locale()
    groups = [group] if group else snapshot.groups
    series = {g.id: snapshot.series(g.id, place.id if place else None) for g in groups}
    if fmt := blueprint.export_format():
        return export_response(*tables.trend_table(series, groups, locale), fmt, "coverage-trend")
    goals = {g.id: snapshot.figure(g.id, place.id if place else None).goal for g in groups}
    chart = charts.line_chart("chart-trend", _("Weekly coverage per key group"),
                              [charts.Series(g.name(locale), [(d, f.rate) for d, f in series[g.id]],
                                             target=goals[g.id].rate if goals[g.id] else None,
                                             deadline=goals[g.id].deadline if goals[g.id] else None) for g in groups],
                              labels={"target": _("Target %(rate)s", rate="%(rate)s"),
                                      "deadline": _("Deadline %(date)s", date="%(date)s")})
    return render_template("coverage/trend.html", snapshot=snapshot, series=series, groups=groups, group=group,
                           place=place, chart=chart, weeks=weeks, week_choices=TREND_WEEKS)


@bp.route("/gaps")
@access.roles(*blueprint.VIEWERS)
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


@bp.route("/duties")
@access.roles(*blueprint.VIEWERS)
def duties():
    """Fire drills and duty commitments per organization kind, street and sector, and the organizations overdue with
    their drills (a department: its sector's organizations)."""
    session = reporting_session()
    figures = duty_figures(session, on=blueprint.today(), rules=current_rules(session),
                           organization_ids=scope_organization_ids(session, blueprint.scope()))
    locale = current_locale()
    if fmt := blueprint.export_format():
        if request.args.get("table") == "overdue":
            return export_response(*tables.overdue_drill_table(figures, locale), fmt, "coverage-drills-overdue")
        return export_response(*tables.duty_table(figures, locale, _duties_total_label()), fmt,
                               "coverage-drills-commitments")
    return render_template("coverage/duties.html", figures=figures, page=Paged.of(figures.overdue),
                           total_label=_duties_total_label(), role_label=role_label, kind_label=kind_label,
                           scoped=not policy.sees_whole_district(current_user))


def _duties_total_label() -> str:
    if policy.sees_whole_district(current_user):
        return _("Whole district")
    return ", ".join(s.name(current_locale()) for s in blueprint.visible_sectors())
