"""Classroom sessions: the office or a company records a session and its attendance (roster pick,
mobile numbers, or the trainees' QR sign-in); attendance creates offline completions."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.coverage import blueprint
from portal.coverage.blueprint import bp
from portal.coverage.forms import AttendanceForm, ButtonForm, SessionForm
from portal.domain.platform import policy
from portal.domain.learning import offline
from portal.domain.platform.errors import PortalError, ValidationError
from portal.extensions import db
from portal.models import Course, OfflineSession, Organization, utcnow
from portal.web.database import reporting_session
from portal.web.exports import export_response
from portal.web.forms import apply_domain_error, saving
from portal.web.i18n import current_locale
from portal.web.parameters import record_ids
from portal.web import access

PICKER_LIMIT = 500  # people the attendance picker lists at once; the filter finds the others


def _kept_organization_ids() -> set[int] | None:
    """Organizations whose sessions the user keeps (None: every session, the office)."""
    return None if policy.sees_whole_district(current_user) else policy.managed_organization_ids(current_user)


def _session_or_404(session_id: int) -> OfflineSession:
    record = db.session.get(OfflineSession, session_id)
    kept = _kept_organization_ids()
    if record is None or (kept is not None and record.organization_id not in kept):
        abort(404)
    return record


def _date_window() -> offline.DateWindow:
    config = current_app.config
    return offline.DateWindow(days_back=config["CLASSROOM_SESSION_DAYS_BACK"],
                              days_ahead=config["CLASSROOM_SESSION_DAYS_AHEAD"])


@bp.route("/sessions")
@access.roles(*blueprint.SESSION_KEEPERS)
def sessions():
    from portal.web.pagination import paginate

    statement = offline.sessions_statement(organization_ids=_kept_organization_ids())
    if fmt := blueprint.export_format():
        return export_response(*offline.sessions_table(reporting_session(), statement, current_locale()), fmt,
                               "classroom-sessions")
    page = paginate(statement)
    names = dict(db.session.execute(select(Organization.id, Organization.name).where(
        Organization.id.in_({record.organization_id for record in page.items} - {None} or {-1}))).all())
    counts = offline.attendee_counts(db.session, [record.id for record in page.items])
    return render_template("coverage/sessions.html", page=page, names=names, counts=counts)


@bp.route("/sessions/new", methods=["GET", "POST"])
@access.roles(*blueprint.SESSION_KEEPERS)
def new_session():
    locale = current_locale()
    form = SessionForm()
    form.course_id.choices = [(c.id, c.title(locale)) for c in db.session.scalars(
        select(Course).where(Course.retired.is_(False)).order_by(Course.code))]
    kept = _kept_organization_ids()
    orgs = select(Organization).order_by(Organization.name)
    if kept is not None:
        orgs = orgs.where(Organization.id.in_(kept or {-1}))
    form.organization_id.choices = ([(0, _("No organization: the office's own session"))] if kept is None else []) + \
        [(o.id, o.name) for o in db.session.scalars(orgs.limit(2000))]
    if request.method == "GET" and not form.held_on.data:
        form.held_on.data = blueprint.today()
    if form.validate_on_submit():
        data = offline.SessionData(form.course_id.data, form.organization_id.data or None, form.held_on.data,
                                   form.trainer.data, form.place.data, form.hours.data)
        with saving(form) as saved:
            record = offline.create_session(db.session, data, actor_id=current_user.id, today=blueprint.today(),
                                            window=_date_window(), address=blueprint.address())
        if saved:
            flash(_("The session has been recorded. Add its attendance below."), "success")
            return redirect(url_for("coverage.session_detail", session_id=record.id))
    return render_template("coverage/session_form.html", form=form)


def _sign_in_url(record: OfflineSession) -> str:
    base = current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/")
    return base + url_for("coverage.sign_in", code=record.sign_in_code)


@bp.route("/sessions/<int:session_id>", methods=["GET", "POST"])
@access.roles(*blueprint.SESSION_KEEPERS)
def session_detail(session_id: int):
    record = _session_or_404(session_id)
    form = AttendanceForm()
    # The picker's filter comes with the form when posted (the ticks go along), else from the query string.
    chosen = offline.PickerFilter.from_values(request.form if request.method == "POST" else request.args)
    picked = record_ids(request.form.getlist("trainee"))
    typed = {trainee_id: request.form.get(f"hours-{trainee_id}", "")[:10] for trainee_id in picked}
    failed_field = None
    if request.form.get("action") != "filter" and form.validate_on_submit():
        try:
            wanted = picked + offline.trainees_by_mobile(db.session, record, form.mobiles.data or "")
            added = offline.record_attendance(db.session, record, wanted, method="roster", now=utcnow(),
                                              today=blueprint.today(), window=_date_window(),
                                              actor_id=current_user.id, address=blueprint.address(), hours=typed)
        except PortalError as error:
            db.session.rollback()
            failed_field = getattr(error, "field", None)
            apply_domain_error(form, error if isinstance(error, ValidationError) else ValidationError(error.message))
        else:
            db.session.commit()
            flash(_("%(n)s attendee(s) recorded.", n=added), "success")
            return redirect(url_for("coverage.session_detail", session_id=record.id))
    present = offline.attendance(db.session, record)
    if fmt := blueprint.export_format():
        headers = [_("Name"), _("Mobile"), _("Method"), _("Class hours"), _("Recorded at")]
        rows = [[t.real_name, t.masked_mobile, a.method, a.hours, a.recorded_at] for a, t in present]
        return export_response(headers, rows, fmt, f"session-{record.id}-attendance")
    return _session_page(record, form, present, chosen, picked, typed, failed_field)


def _session_page(record: OfflineSession, form, present, chosen, picked: list[int], typed: dict, failed_field):
    """The session page: its facts, QR code, attendance and the picker (people the filter keeps; people ticked
    but not shown ride along as hidden fields, so changing the filter or an error never loses a tick)."""
    from portal.web.qr import qr_svg

    shown, kept, posts, groups, departments = [], [], [], [], []
    if record.organization_id is not None:
        here = {person.id for _a, person in present}
        shown = offline.picker_people(db.session, record, chosen, exclude_person_ids=here, limit=PICKER_LIMIT)
        posts, groups = offline.picker_choices(db.session, record)
        departments = offline.picker_departments(db.session, record)
        visible = {t.id for t in shown}
        kept = [t for t in offline.picker_people(db.session, record, offline.PickerFilter(), exclude_person_ids=here,
                                                 limit=None, only_ids=[i for i in picked if i not in visible])]
    org = db.session.get(Organization, record.organization_id) if record.organization_id else None
    url = _sign_in_url(record)
    status = 200 if not (form.errors or form.form_errors) else 422
    return render_template("coverage/session.html", record=record, org=org, form=form, present=present,
                           roster=shown, kept=kept, picked=set(picked), typed=typed, chosen=chosen, posts=posts,
                           departments=departments, groups=groups, failed_field=failed_field, limit=PICKER_LIMIT,
                           hours=offline.session_hours(record), qr=qr_svg(url), sign_in_url=url), status


@bp.route("/sessions/<code>/sign-in", methods=["GET", "POST"])
@access.roles("trainee")
def sign_in(code: str):
    record = offline.find_by_code(db.session, code) or abort(404)
    form = ButtonForm()
    if form.validate_on_submit():
        try:
            added = offline.sign_in(db.session, record, current_user.trainee, now=utcnow(), today=blueprint.today())
        except PortalError as error:
            db.session.rollback()
            flash(str(error.message), "error")
        else:
            db.session.commit()
            flash(_("You are signed in: the course is recorded as completed.") if added
                  else _("You had already signed in to this session."), "success")
            return redirect(url_for("trainee.home"))
    org = db.session.get(Organization, record.organization_id) if record.organization_id else None
    return render_template("coverage/sign_in.html", record=record, org=org, form=form,
                           hours=offline.session_hours(record))
