"""Coverage pages: the office's and departments' dashboard, drill-down, gaps, trend, targets,
classroom sessions, exports and the yearly report. Views parse, call portal.domain.coverage, render.
"""
from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.domain import policy
from portal.domain.coverage import charts, gaps, missing, offline, tables
from portal.domain.coverage import target_import as imports
from portal.domain.coverage.cache import SnapshotCache
from portal.domain.coverage.projection import TREND_WEEKS, trend_dates
from portal.domain.coverage.snapshot import Snapshot, sector_map, take_snapshot
from portal.domain.coverage.targets import TargetData, delete_target, list_targets, save_target
from portal.domain.errors import PortalError, ValidationError
from portal.domain.rules import current_rules
from portal.extensions import db
from portal.models import Course, OfflineSession, Organization, Sector, Target, utcnow
from portal.web.exports import MIMETYPES, export_response
from portal.web.forms import apply_domain_error
from portal.web.i18n import current_locale

bp = Blueprint("coverage", __name__, url_prefix="/office/coverage", template_folder="templates")

VIEWERS = ("office_admin", "superuser", "dept_viewer")
OFFICE = ("office_admin", "superuser")
SESSION_KEEPERS = ("office_admin", "superuser", "org_admin")
PER_PAGE = 25
REQUIRED = _l("This field is required.")


# ------------------------------------------------------------------------------------------ helpers


def _today() -> date:
    return utcnow().date()


def _scope():
    """None for the office (the whole district); the viewer's sector clause for departments."""
    return None if policy.sees_whole_district(current_user) else policy.organization_scope(current_user)


def _cache() -> SnapshotCache | None:
    if not current_app.config.get("COVERAGE_CACHE", not current_app.testing):
        return None
    return current_app.extensions.setdefault("coverage_cache", SnapshotCache())


def _spawn(job) -> None:
    """Run job(session) in a background thread with its own session (refreshing a cached snapshot)."""
    app = current_app._get_current_object()

    def run() -> None:
        with app.app_context():
            try:
                job(db.session)
            except Exception:  # a failed refresh leaves the previous figures in place
                app.logger.exception("coverage refresh failed")
            finally:
                db.session.rollback()
                db.session.remove()

    threading.Thread(target=run, name="coverage-refresh", daemon=True).start()


def _snapshot(dates: list[date] | None = None, organization: Organization | None = None) -> Snapshot:
    return take_snapshot(db.session, today=_today(), rules=current_rules(db.session), scope=_scope(), dates=dates,
                         organization_id=organization.id if organization else None, cache=_cache(),
                         max_age=float(current_app.config.get("COVERAGE_MAX_AGE", 300)), spawn=_spawn)


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
    sector = db.session.get(Sector, int(value)) if value.isdigit() else None
    if sector is None or not policy.can_see_sector(current_user, sector.id):
        abort(404)
    return sector


def _organization() -> Organization | None:
    value = request.args.get("organization") or ""
    if not value:
        return None
    if not value.isdigit():
        abort(404)
    return policy.organization_or_404(db.session, current_user, int(value))


def _narrowed(snapshot: Snapshot, sector: Sector | None, organization: Organization | None) -> Snapshot:
    if organization is not None:
        return snapshot.restrict({organization.id})
    if sector is not None:
        return snapshot.restrict({o for o, s in sector_map(db.session).items() if s == sector.id})
    return snapshot


def _export_format() -> str | None:
    fmt = request.args.get("format")
    return fmt if fmt in ("csv", "xlsx") else None


def _visible_sectors() -> list[Sector]:
    statement = select(Sector).order_by(Sector.code)
    if not policy.sees_whole_district(current_user):
        statement = statement.where(Sector.id.in_(policy.viewed_sector_ids(current_user) or {-1}))
    return list(db.session.scalars(statement))


def _localities(snapshot: Snapshot) -> dict:
    return snapshot.tree.places


@dataclass
class Paged:
    """A page of an already computed list, shaped like Flask-SQLAlchemy's Pagination for the pager macro."""

    items: list
    total: int
    page: int
    per_page: int = PER_PAGE

    @classmethod
    def of(cls, rows: list, per_page: int = PER_PAGE) -> "Paged":
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
@policy.roles(*VIEWERS)
def home():
    snapshot = _snapshot()
    locale = current_locale()
    lines = snapshot.headline()
    if fmt := _export_format():
        return export_response(*tables.headline_table(lines, locale), fmt, "coverage-headline")
    chart = charts.bar_chart("chart-groups", _("Coverage per key group against target"),
                             [charts.Bar(line.group.name(locale), line.now.rate, line.now.target_rate)
                              for line in lines])
    return render_template("coverage/home.html", snapshot=snapshot, lines=lines, chart=chart,
                           compliance=snapshot.compliance(), overall=snapshot.all_groups())


@bp.route("/localities")
@policy.roles(*VIEWERS)
def localities():
    snapshot = _snapshot()
    place, group = _place(snapshot), _group(snapshot)
    children = snapshot.children(place.id if place else None)
    locale = current_locale()
    if fmt := _export_format():
        groups = [group] if group else snapshot.groups
        return export_response(*tables.locality_table(children, groups, locale), fmt, "coverage-localities")
    here = {g.id: snapshot.figure(g.id, place.id if place else None) for g in snapshot.groups}
    return render_template("coverage/localities.html", snapshot=snapshot, place=place, group=group,
                           children=children, here=here, path=snapshot.tree.path(place.id) if place else [])


@bp.route("/sectors")
@policy.roles(*VIEWERS)
def sectors():
    snapshot = _snapshot()
    group = _group(snapshot)
    visible = _visible_sectors()
    per_sector = snapshot.sectors(sector_map(db.session, snapshot.organization_ids))
    rows = [(sector, per_sector.get(sector.id, {})) for sector in visible if sector.id in per_sector]
    if fmt := _export_format():
        groups = [group] if group else snapshot.groups
        return export_response(*tables.sector_table(rows, groups, current_locale()), fmt, "coverage-sectors")
    return render_template("coverage/sectors.html", snapshot=snapshot, rows=rows, group=group)


def _organization_rows(snapshot: Snapshot, place, group, sector) -> list:
    figures = _narrowed(snapshot, sector, None).organizations(place.id if place else None)
    rows = []
    for org_id, groups in figures.items():
        if group is not None and group.id not in groups:
            continue
        figure = groups[group.id] if group else tables_total(groups)
        rows.append((org_id, figure, groups))
    rows.sort(key=lambda row: (-row[1].missing, row[1].rate if row[1].rate is not None else 2, row[0]))
    return rows


def tables_total(groups):
    from portal.domain.coverage.arithmetic import total

    return total(groups.values())


@bp.route("/organizations")
@policy.roles(*VIEWERS)
def organizations():
    snapshot = _snapshot()
    place, group, sector = _place(snapshot), _group(snapshot), _sector()
    rows = _organization_rows(snapshot, place, group, sector)
    locale = current_locale()
    if fmt := _export_format():
        orgs = {o.id: o for o in db.session.scalars(select(Organization).where(
            Organization.id.in_([r[0] for r in rows] or [-1])))}
        sectors = {s.id: s.name(locale) for s in db.session.scalars(select(Sector))}
        places = _localities(snapshot)
        data = [(orgs[org_id], sectors.get(orgs[org_id].sector_id, ""),
                 places[orgs[org_id].locality_id].name(locale) if orgs[org_id].locality_id in places else "", groups)
                for org_id, _figure, groups in rows if org_id in orgs]
        return export_response(*tables.organization_table(data, [group] if group else snapshot.groups, locale), fmt,
                               "coverage-organizations")
    page = Paged.of(rows)
    orgs = {o.id: o for o in db.session.scalars(select(Organization).where(
        Organization.id.in_([r[0] for r in page.items] or [-1])))}
    return render_template("coverage/organizations.html", snapshot=snapshot, page=page, orgs=orgs, place=place,
                           group=group, sector=sector, sectors=_visible_sectors())


@bp.route("/organizations/<int:org_id>")
@policy.roles(*VIEWERS)
def organization(org_id: int):
    org = policy.organization_or_404(db.session, current_user, org_id)
    snapshot = _snapshot(organization=org)
    figures = snapshot.organizations().get(org.id, {})
    return render_template("coverage/organization.html", snapshot=snapshot, org=org, figures=figures,
                           compliance=snapshot.compliance())


@bp.route("/missing")
@policy.roles(*VIEWERS)
def missing_people():
    sector, org = _sector(), _organization()
    snapshot = _snapshot(organization=org)
    group, place = _group(snapshot, required=True), _place(snapshot)
    if group is None:
        abort(404)
    narrowed = _narrowed(snapshot, sector, org)
    locality_id = place.id if place else None
    locale = current_locale()
    if fmt := _export_format():
        people = missing.all_missing(db.session, narrowed, group.id, locality_id=locality_id)
        return export_response(*tables.missing_table(people, _localities(snapshot), locale), fmt, "coverage-missing")
    value = request.args.get("page", "1")
    page = missing.missing_page(db.session, narrowed, group.id, locality_id=locality_id, per_page=PER_PAGE,
                                page=int(value) if value.isdigit() and 0 < int(value) < 100000 else 1)
    return render_template("coverage/missing.html", snapshot=snapshot, page=page, group=group, place=place,
                           sector=sector, org=org, figure=narrowed.figure(group.id, locality_id),
                           lacks_text=tables.lacks_text)


@bp.route("/trend")
@policy.roles(*VIEWERS)
def trend():
    weeks = request.args.get("weeks", "12")
    weeks = int(weeks) if weeks.isdigit() and int(weeks) in TREND_WEEKS else 12
    snapshot = _snapshot(trend_dates(_today(), weeks))
    group, place = _group(snapshot), _place(snapshot)
    locale = current_locale()
    groups = [group] if group else snapshot.groups
    series = {g.id: snapshot.series(g.id, place.id if place else None) for g in groups}
    if fmt := _export_format():
        return export_response(*tables.trend_table(series, groups, locale), fmt, "coverage-trend")
    chart = charts.line_chart("chart-trend", _("Weekly coverage per key group"),
                              [charts.Series(g.name(locale), [(d, f.rate) for d, f in series[g.id]]) for g in groups])
    return render_template("coverage/trend.html", snapshot=snapshot, series=series, groups=groups, group=group,
                           place=place, chart=chart, weeks=weeks, week_choices=TREND_WEEKS)


@bp.route("/gaps")
@policy.roles(*VIEWERS)
def gap_list():
    snapshot = _snapshot()
    level = request.args.get("level") if request.args.get("level") in gaps.GAP_LEVELS else "community"
    sort = request.args.get("sort") if request.args.get("sort") in gaps.SORTS else "missing"
    locale = current_locale()
    org_gaps = gaps.organization_gaps(db.session, snapshot, sort=sort)
    place_gaps = gaps.locality_gaps(snapshot, level=level, sort=sort)
    sectors = {s.id: s.name(locale) for s in db.session.scalars(select(Sector))}
    if fmt := _export_format():
        if request.args.get("table") == "localities":
            return export_response(*tables.locality_gap_table(place_gaps, locale), fmt, "coverage-gaps-localities")
        return export_response(*tables.organization_gap_table(org_gaps, sectors, _localities(snapshot),
                                                              snapshot.groups, locale), fmt, "coverage-gaps")
    return render_template("coverage/gaps.html", snapshot=snapshot, org_gaps=org_gaps, place_gaps=place_gaps,
                           sectors=sectors, level=level, sort=sort, levels=gaps.GAP_LEVELS,
                           group_names={g.id: g.name(locale) for g in snapshot.groups})


@bp.route("/report.pdf")
@policy.roles(*VIEWERS)
def report():
    from portal.domain.coverage.report import yearly_report
    from portal.domain.coverage.report_pdf import ReportSettings, render_report

    today = _today()
    value = request.args.get("year", str(today.year))
    if not value.isdigit() or not 2000 <= int(value) <= today.year:
        abort(404)
    data = yearly_report(db.session, year=int(value), today=today, rules=current_rules(db.session), scope=_scope())
    settings = ReportSettings(font_path=current_app.config["CERT_FONT_PATH"], office_name=_office_name(),
                              locale=current_locale(), scope_label=_scope_label())
    response = Response(render_report(data, settings), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="coverage-report-{value}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _office_name() -> str:
    key = "CERT_OFFICE_NAME_EN" if current_locale() == "en" else "CERT_OFFICE_NAME_ZH"
    return current_app.config.get(key, "")


def _scope_label() -> str:
    if policy.sees_whole_district(current_user):
        return ""
    return ", ".join(s.name(current_locale()) for s in _visible_sectors())


# ------------------------------------------------------------------------------------------ targets


class TargetForm(FlaskForm):
    group_id = SelectField(_l("Key group"), coerce=int, choices=[])
    locality_code = StringField(_l("Locality code"), validators=[DataRequired(REQUIRED), Length(max=32)])
    declared_count = IntegerField(_l("Declared people without rosters"), default=0,
                                  validators=[Optional(), NumberRange(min=0, max=10_000_000)])
    deadline = DateField(_l("Deadline"), validators=[DataRequired(_l("Enter a date such as 2026-12-31."))])
    target_rate = IntegerField(_l("Target rate (%)"), default=100, validators=[DataRequired(REQUIRED),
                                                                                 NumberRange(min=1, max=100)])


class UploadForm(FlaskForm):
    file = FileField(_l("Targets file (CSV or XLSX)"), validators=[FileRequired(_l("Choose a file."))])


class ButtonForm(FlaskForm):
    """Only the CSRF token, for buttons."""


@bp.route("/targets", methods=["GET", "POST"])
@policy.roles(*OFFICE)
def targets():
    from portal.domain.coverage.places import load_tree
    from portal.models import KeyGroup

    locale = current_locale()
    form = TargetForm()
    groups = list(db.session.scalars(select(KeyGroup).order_by(KeyGroup.sort_order, KeyGroup.id)))
    form.group_id.choices = [(g.id, g.name(locale)) for g in groups]
    if request.method == "GET" and not form.deadline.data:
        form.deadline.data = date(_today().year, 12, 31)
    tree = load_tree(db.session)
    if form.validate_on_submit():
        place = tree.by_code(form.locality_code.data)
        try:
            if place is None:
                raise ValidationError(_l("There is no locality with this code."), "locality_code")
            save_target(db.session, TargetData(form.group_id.data, place.id, form.declared_count.data or 0,
                                               form.deadline.data, form.target_rate.data / 100),
                        actor_id=current_user.id, address=request.remote_addr or "")
        except ValidationError as error:
            db.session.rollback()
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("The target has been saved."), "success")
            return redirect(url_for("coverage.targets"))
    rows = list_targets(db.session)
    if fmt := _export_format():
        headers = [_("Key group"), _("Code"), _("Locality"), _("Locality code"), _("Declared"), _("Deadline"),
                   _("Target (%)")]
        data = [[g.name(locale), g.code, loc.name(locale), loc.code, t.declared_count, t.deadline,
                 tables.percent(t.target_rate)] for t, g, loc in rows]
        return export_response(headers, data, fmt, "coverage-targets")
    return render_template("coverage/targets.html", form=form, rows=rows, delete_form=ButtonForm())


@bp.route("/targets/<int:target_id>/delete", methods=["POST"])
@policy.roles(*OFFICE)
def delete_target_view(target_id: int):
    target = db.session.get(Target, target_id) or abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    delete_target(db.session, target, actor_id=current_user.id, address=request.remote_addr or "")
    db.session.commit()
    flash(_("The target has been deleted."), "success")
    return redirect(url_for("coverage.targets"))


@bp.route("/targets/template.<fmt>")
@policy.roles(*OFFICE)
def target_template(fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    response = Response(imports.template(current_locale(), fmt, today=_today()), mimetype=MIMETYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="targets-template.{fmt}"'
    return response


def _import_folder() -> Path:
    folder = Path(current_app.config["STORAGE_PATH"]) / "coverage-imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _stored_import(token: str) -> dict:
    if not token.replace("-", "").replace("_", "").isalnum() or len(token) > 64:
        abort(404)
    path = _import_folder() / f"{token}.json"
    if not path.exists():
        abort(404)
    stored = json.loads(path.read_text())
    if stored.get("user") != current_user.id:
        abort(404)
    return stored


@bp.route("/targets/import", methods=["GET", "POST"])
@policy.roles(*OFFICE)
def import_targets():
    from portal.domain import tabular

    form = UploadForm()
    if form.validate_on_submit():
        try:
            table = tabular.read_table(form.file.data.read(), form.file.data.filename or "upload")
            preview = imports.parse_targets(db.session, table, today=_today())
        except tabular.TableError as error:
            form.file.errors = [str(getattr(error, "message", error))]
        else:
            token = secrets.token_urlsafe(16)
            stored = {"user": current_user.id, "preview": imports.preview_to_json(preview)}
            (_import_folder() / f"{token}.json").write_text(json.dumps(stored, ensure_ascii=False))
            return redirect(url_for("coverage.import_preview", token=token))
    return render_template("coverage/target_import.html", form=form)


@bp.route("/targets/import/<token>")
@policy.roles(*OFFICE)
def import_preview(token: str):
    stored = _stored_import(token)
    return render_template("coverage/target_preview.html", token=token, form=ButtonForm(),
                           preview=imports.preview_from_json(stored["preview"]), done=stored.get("done"))


@bp.route("/targets/import/<token>/errors.<fmt>")
@policy.roles(*OFFICE)
def import_errors(token: str, fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    stored = _stored_import(token)
    response = Response(imports.error_file(imports.preview_from_json(stored["preview"]), fmt), mimetype=MIMETYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="targets-errors.{fmt}"'
    return response


@bp.route("/targets/import/<token>/confirm", methods=["POST"])
@policy.roles(*OFFICE)
def import_confirm(token: str):
    stored = _stored_import(token)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if stored.get("done"):
        return redirect(url_for("coverage.targets"))
    preview = imports.preview_from_json(stored["preview"])
    try:
        saved = imports.apply_targets(db.session, preview, actor_id=current_user.id, address=request.remote_addr or "")
    except PortalError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("coverage.import_preview", token=token))
    db.session.commit()
    stored["done"] = True
    (_import_folder() / f"{token}.json").write_text(json.dumps(stored, ensure_ascii=False))
    flash(_("%(n)s target(s) imported.", n=saved), "success")
    return redirect(url_for("coverage.targets"))


# ------------------------------------------------------------------------------------------ sessions


class SessionForm(FlaskForm):
    course_id = SelectField(_l("Course"), coerce=int, choices=[])
    organization_id = SelectField(_l("Organization"), coerce=int, choices=[])
    held_on = DateField(_l("Date"), validators=[DataRequired(_l("Enter a date such as 2026-03-01."))])
    trainer = StringField(_l("Trainer"), validators=[DataRequired(REQUIRED), Length(max=100)])
    place = StringField(_l("Place"), validators=[DataRequired(REQUIRED), Length(max=200)])


class AttendanceForm(FlaskForm):
    mobiles = TextAreaField(_l("Mobile numbers (one per line)"), validators=[Length(max=20000)])


def _kept_organization_ids() -> set[int] | None:
    """Organizations whose sessions the user keeps (None: every session, the office)."""
    return None if policy.sees_whole_district(current_user) else policy.managed_organization_ids(current_user)


def _session_or_404(session_id: int) -> OfflineSession:
    record = db.session.get(OfflineSession, session_id)
    kept = _kept_organization_ids()
    if record is None or (kept is not None and record.organization_id not in kept):
        abort(404)
    return record


@bp.route("/sessions")
@policy.roles(*SESSION_KEEPERS)
def sessions():
    from portal.web.pagination import paginate

    page = paginate(offline.sessions_statement(organization_ids=_kept_organization_ids()))
    names = dict(db.session.execute(select(Organization.id, Organization.name).where(
        Organization.id.in_({record.organization_id for record in page.items} - {None} or {-1}))).all())
    counts = offline.attendee_counts(db.session, [record.id for record in page.items])
    return render_template("coverage/sessions.html", page=page, names=names, counts=counts)


@bp.route("/sessions/new", methods=["GET", "POST"])
@policy.roles(*SESSION_KEEPERS)
def new_session():
    locale = current_locale()
    form = SessionForm()
    form.course_id.choices = [(c.id, c.title(locale)) for c in db.session.scalars(
        select(Course).where(Course.retired.is_(False)).order_by(Course.code))]
    kept = _kept_organization_ids()
    orgs = select(Organization).order_by(Organization.name)
    if kept is not None:
        orgs = orgs.where(Organization.id.in_(kept or {-1}))
    form.organization_id.choices = ([(0, _("None: a session of the office"))] if kept is None else []) + \
        [(o.id, o.name) for o in db.session.scalars(orgs.limit(2000))]
    if request.method == "GET" and not form.held_on.data:
        form.held_on.data = _today()
    if form.validate_on_submit():
        data = offline.SessionData(form.course_id.data, form.organization_id.data or None, form.held_on.data,
                                   form.trainer.data, form.place.data)
        try:
            record = offline.create_session(db.session, data, actor_id=current_user.id,
                                            address=request.remote_addr or "")
        except ValidationError as error:
            db.session.rollback()
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("The session has been recorded. Add its attendance below."), "success")
            return redirect(url_for("coverage.session_detail", session_id=record.id))
    return render_template("coverage/session_form.html", form=form)


def _sign_in_url(record: OfflineSession) -> str:
    base = current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/")
    return base + url_for("coverage.sign_in", code=record.sign_in_code)


@bp.route("/sessions/<int:session_id>", methods=["GET", "POST"])
@policy.roles(*SESSION_KEEPERS)
def session_detail(session_id: int):
    from portal.web.qr import qr_svg

    record = _session_or_404(session_id)
    form = AttendanceForm()
    if form.validate_on_submit():
        picked = [int(v) for v in request.form.getlist("trainee") if v.isdigit()]
        try:
            picked += offline.trainees_by_mobile(db.session, record, form.mobiles.data or "")
            added = offline.record_attendance(db.session, record, picked, method="roster", now=utcnow(),
                                              today=_today(), actor_id=current_user.id,
                                              address=request.remote_addr or "")
        except PortalError as error:
            db.session.rollback()
            apply_domain_error(form, error if isinstance(error, ValidationError) else ValidationError(error.message))
        else:
            db.session.commit()
            flash(_("%(n)s attendee(s) recorded.", n=added), "success")
            return redirect(url_for("coverage.session_detail", session_id=record.id))
    present = offline.attendance(db.session, record)
    if fmt := _export_format():
        headers = [_("Name"), _("Mobile"), _("Method"), _("Recorded at")]
        rows = [[t.real_name, t.masked_mobile, a.method, a.recorded_at.replace(tzinfo=None)] for a, t in present]
        return export_response(headers, rows, fmt, f"session-{record.id}-attendance")
    roster = []
    if record.organization_id is not None:
        from portal.models import Trainee

        here = {t.id for _a, t in present}
        roster = [t for t in db.session.scalars(select(Trainee).where(offline.eligible(record))
                                                .order_by(Trainee.real_name, Trainee.id).limit(500))
                  if t.id not in here]
    org = db.session.get(Organization, record.organization_id) if record.organization_id else None
    url = _sign_in_url(record)
    return render_template("coverage/session.html", record=record, org=org, form=form, present=present,
                           roster=roster, qr=qr_svg(url), sign_in_url=url)


@bp.route("/sessions/<code>/sign-in", methods=["GET", "POST"])
@policy.roles("trainee")
def sign_in(code: str):
    record = offline.find_by_code(db.session, code) or abort(404)
    form = ButtonForm()
    if form.validate_on_submit():
        try:
            added = offline.sign_in(db.session, record, current_user.trainee, now=utcnow(), today=_today())
        except PortalError as error:
            db.session.rollback()
            flash(str(error.message), "error")
        else:
            db.session.commit()
            flash(_("You are signed in: the course is recorded as completed.") if added
                  else _("You had already signed in to this session."), "success")
            return redirect(url_for("trainee.home"))
    org = db.session.get(Organization, record.organization_id) if record.organization_id else None
    return render_template("coverage/sign_in.html", record=record, org=org, form=form)
