"""Fire drills (joins the company pages): the list with the drill schedule, planning a drill, recording it as held,
who took part (roster picker or QR sign-in), follow-up actions and photos."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.company.drill_forms import ActionDoneForm, ActionForm, DrillForm, ParticipantsForm, PhotoForm
from portal.company.views import MANAGERS, _org, bp
from portal.domain.workforce import drill_labels, drill_photos, drills
from portal.domain.platform import policy
from portal.domain.learning import offline
from portal.domain.platform.errors import PortalError, ValidationError
from portal.domain.platform.localtime import local_today
from portal.domain.workforce.rules import current_rules
from portal.extensions import db
from portal.models import DRILL_KINDS, Drill, DrillAction, DrillPhoto, Organization, utcnow
from portal.web.exports import export_response
from portal.web.forms import apply_domain_error, saving
from portal.web.pagination import paginate
from portal.web.parameters import record_ids, whole_number
from portal.web import access

PICKER_LIMIT = 500
OWNER_CHOICES = 500  # people offered as an action's owner; others are written by name


def _address() -> str:
    return request.remote_addr or ""


def _drill(org: Organization, drill_id: int) -> Drill:
    drill = db.session.get(Drill, drill_id)
    if drill is None or drill.organization_id != org.id:
        abort(404)
    return drill


def _limits() -> drill_photos.PhotoLimits:
    config = current_app.config
    return drill_photos.PhotoLimits(max_bytes=config["DRILL_PHOTO_MAX_BYTES"],
                                    per_drill=config["DRILL_PHOTOS_PER_DRILL"])


def _filter() -> drills.DrillFilter:
    year = whole_number(request.args.get("year"), maximum=2199)
    kind, status = request.args.get("kind", ""), request.args.get("status", "")
    return drills.DrillFilter(year=year if year and year >= 1900 else None, kind=kind if kind in DRILL_KINDS else "",
                              status=status if status in ("planned", "held") else "")


@bp.route("/<int:org_id>/drills")
@access.roles(*MANAGERS)
def drill_list(org_id: int):
    org = _org(org_id)
    chosen = _filter()
    statement = drills.drills_statement(org.id, chosen)
    if request.args.get("format") in ("csv", "xlsx"):
        table = drills.drills_table(db.session, statement, kind_label=drill_labels.kind_label,
                                    status_label=drill_labels.status_label)
        return export_response(*table, request.args["format"], f"drills-{org.id}")
    page = paginate(statement)
    ids = [d.id for d in page.items]
    today = local_today()
    return render_template(
        "company/drills.html", org=org, page=page, chosen=chosen, today=today,
        status=drills.organization_drill_status(db.session, org, today=today, rules=current_rules(db.session)),
        counts=drills.participant_counts(db.session, ids), open_counts=drills.open_action_counts(db.session, ids),
        years=range(today.year + 1, today.year - 6, -1), labels=drill_labels)


@bp.route("/<int:org_id>/drills/new", methods=["GET", "POST"])
@access.roles(*MANAGERS)
def new_drill(org_id: int):
    """Plan a drill (?held=1: record one already held)."""
    org = _org(org_id)
    held = request.args.get("held") == "1"
    form = DrillForm()
    if request.method == "GET" and not form.day.data:
        form.day.data = local_today()
    if form.validate_on_submit():
        with saving(form) as saved:
            if held:
                drill = drills.record_drill(db.session, org, form.data_value(), actor_id=current_user.id, now=utcnow(),
                                            today=local_today(), address=_address())
            else:
                drill = drills.plan_drill(db.session, org, form.data_value(), actor_id=current_user.id,
                                          today=local_today(), address=_address())
        if saved:
            flash(_("The drill has been recorded. Add who took part below.") if held
                  else _("The drill has been planned. On the day, show its QR code to sign people in."), "success")
            return redirect(url_for("company.drill_detail", org_id=org.id, drill_id=drill.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("company/drill_form.html", org=org, form=form, held=held, drill=None), status


@bp.route("/<int:org_id>/drills/<int:drill_id>/record", methods=["GET", "POST"])
@access.roles(*MANAGERS)
def record_drill(org_id: int, drill_id: int):
    """Record a planned drill as held (what happened, findings), or correct one already recorded."""
    org = _org(org_id)
    drill = _drill(org, drill_id)
    form = DrillForm(obj=None if request.method == "POST" else drill)
    if request.method == "GET":
        form.day.data = drill.held_on or min(drill.planned_on or local_today(), local_today())
    if form.validate_on_submit():
        try:
            drills.record_drill(db.session, org, form.data_value(), actor_id=current_user.id, now=utcnow(),
                                today=local_today(), drill=drill, address=_address())
        except PortalError as error:
            db.session.rollback()
            apply_domain_error(form, error if isinstance(error, ValidationError) else ValidationError(error.message))
        else:
            db.session.commit()
            flash(_("The drill has been recorded as held."), "success")
            return redirect(url_for("company.drill_detail", org_id=org.id, drill_id=drill.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("company/drill_form.html", org=org, form=form, held=True, drill=drill), status


@bp.route("/<int:org_id>/drills/<int:drill_id>", methods=["GET", "POST"])
@access.roles(*MANAGERS)
def drill_detail(org_id: int, drill_id: int):
    """The drill page; POST records who took part (the picker's ticks)."""
    org = _org(org_id)
    drill = _drill(org, drill_id)
    form = ParticipantsForm()
    chosen = offline.PickerFilter.from_values(request.form if request.method == "POST" else request.args)
    picked = record_ids(request.form.getlist("trainee"))
    if request.method == "POST" and request.form.get("action") != "filter" and form.validate_on_submit():
        try:
            added = drills.add_participants(db.session, drill, picked, method="roster", now=utcnow(),
                                            today=local_today(), actor_id=current_user.id, address=_address())
        except PortalError as error:
            db.session.rollback()
            form.form_errors.append(str(error.message))
        else:
            db.session.commit()
            flash(_("%(n)s participant(s) recorded.", n=added), "success")
            return redirect(url_for("company.drill_detail", org_id=org.id, drill_id=drill.id))
    return _drill_page(org, drill, participants_form=form, chosen=chosen, picked=picked)


def _owner_choices(drill: Drill) -> list[tuple[int, str]]:
    people = offline.picker_people(db.session, drill, offline.PickerFilter(), limit=OWNER_CHOICES)
    return [(0, "—")] + [(t.id, f"{t.real_name} · {t.post}" if t.post else t.real_name) for t in people]


def _drill_page(org: Organization, drill: Drill, *, participants_form=None, chosen=None, picked=(),
                action_form=None, photo_form=None):
    """The drill: its facts, QR code, who took part and the picker (ticks kept as in the classroom picker),
    follow-up actions and photos; 422 when one of its forms has errors."""
    from portal.web.qr import qr_svg

    participants_form = participants_form or ParticipantsForm(formdata=None)
    chosen = chosen or offline.PickerFilter.from_values(request.args)
    present = drills.participants(db.session, drill)
    here = {person.id for _p, person in present}
    shown = offline.picker_people(db.session, drill, chosen, exclude_person_ids=here, limit=PICKER_LIMIT)
    visible = {t.id for t in shown}
    kept = offline.picker_people(db.session, drill, offline.PickerFilter(), exclude_person_ids=here, limit=None,
                                 only_ids=[i for i in picked if i not in visible])
    posts, groups = offline.picker_choices(db.session, drill)
    if action_form is None:
        action_form = ActionForm(formdata=None)
    action_form.owner_trainee_id.choices = _owner_choices(drill)
    url = current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/") + url_for("company.drill_sign_in",
                                                                              code=drill.sign_in_code)
    forms = (participants_form, action_form, photo_form)
    status = 422 if any(f is not None and (f.errors or f.form_errors) for f in forms) else 200
    return render_template(
        "company/drill.html", org=org, drill=drill, present=present, roster=shown, kept=kept, picked=set(picked),
        chosen=chosen, posts=posts, groups=groups, limit=PICKER_LIMIT, form=participants_form,
        action_form=action_form, photo_form=photo_form or PhotoForm(formdata=None), done_form=ActionDoneForm(formdata=None),
        actions=drills.drill_actions(db.session, drill), photos=drill_photos.photos(db.session, drill),
        limits=_limits(), today=local_today(), qr=qr_svg(url), sign_in_url=url, labels=drill_labels,
        sign_in_days=drills.SIGN_IN_DAYS_AFTER), status


@bp.route("/<int:org_id>/drills/<int:drill_id>/actions", methods=["POST"])
@access.roles(*MANAGERS)
def add_drill_action(org_id: int, drill_id: int):
    org = _org(org_id)
    drill = _drill(org, drill_id)
    form = ActionForm()
    form.owner_trainee_id.choices = _owner_choices(drill)
    if form.validate_on_submit():
        with saving(form) as saved:
            drills.add_action(db.session, drill, description=form.description.data, owner_name=form.owner_name.data,
                              owner_trainee_id=form.owner_trainee_id.data or None, due_on=form.due_on.data,
                              today=local_today(), actor_id=current_user.id, address=_address())
        if saved:
            flash(_("The follow-up action has been added."), "success")
            return redirect(url_for("company.drill_detail", org_id=org.id, drill_id=drill.id) + "#actions")
    return _drill_page(org, drill, action_form=form)


@bp.route("/<int:org_id>/drills/<int:drill_id>/actions/<int:action_id>/done", methods=["POST"])
@access.roles(*MANAGERS)
def drill_action_done(org_id: int, drill_id: int, action_id: int):
    org = _org(org_id)
    drill = _drill(org, drill_id)
    action = db.session.get(DrillAction, action_id)
    if action is None or action.drill_id != drill.id:
        abort(404)
    form = ActionDoneForm()
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors) or _("Try again."), "error")
    else:
        try:
            drills.mark_action_done(db.session, action, done_on=form.done_on.data or local_today(),
                                    today=local_today(), actor_id=current_user.id, address=_address())
        except ValidationError as error:
            db.session.rollback()
            flash(str(error.message), "error")
        else:
            db.session.commit()
            flash(_("The follow-up action is marked done."), "success")
    return redirect(url_for("company.drill_detail", org_id=org.id, drill_id=drill.id) + "#actions")


@bp.route("/<int:org_id>/drills/<int:drill_id>/photos", methods=["POST"])
@access.roles(*MANAGERS)
def add_drill_photo(org_id: int, drill_id: int):
    org = _org(org_id)
    drill = _drill(org, drill_id)
    form = PhotoForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            drill_photos.add_photo(db.session, drill, form.photo.data.stream, alt_text=form.alt_text.data,
                                   storage_path=current_app.config["STORAGE_PATH"], limits=_limits(),
                                   actor_id=current_user.id, address=_address())
        if saved:
            flash(_("The photo has been added."), "success")
            return redirect(url_for("company.drill_detail", org_id=org.id, drill_id=drill.id) + "#photos")
    return _drill_page(org, drill, photo_form=form)


@bp.route("/<int:org_id>/drills/<int:drill_id>/photos/<int:photo_id>.jpg")
@access.roles(*MANAGERS, "dept_viewer")
def drill_photo(org_id: int, drill_id: int, photo_id: int):
    """A stored photo (?size=thumb: its thumbnail), to whoever may see the organization's drills."""
    org = access.organization_or_404(db.session, current_user, org_id)
    if not policy.can_see_drills(current_user, org):
        abort(404)
    photo = db.session.get(DrillPhoto, photo_id)
    if photo is None or photo.drill_id != _drill(org, drill_id).id:
        abort(404)
    path = drill_photos.photo_file(current_app.config["STORAGE_PATH"], photo, thumb=request.args.get("size") == "thumb")
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype="image/jpeg", max_age=0, conditional=True)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/drills/<code>/sign-in", methods=["GET", "POST"])
@access.roles("trainee")
def drill_sign_in(code: str):
    """A person of the organization's roster scans the drill's QR code, logs in and confirms they took part."""
    drill = drills.find_by_code(db.session, code) or abort(404)
    form = ParticipantsForm()
    person_id = current_user.person.id if current_user.person else None
    if form.validate_on_submit():
        try:
            if person_id is None:
                raise ValidationError(_("This drill is for another organization's staff."))
            added = drills.sign_in(db.session, drill, person_id, now=utcnow(), today=local_today())
        except PortalError as error:
            db.session.rollback()
            flash(str(error.message), "error")
        else:
            db.session.commit()
            flash(_("You are signed in as taking part in the drill.") if added
                  else _("You had already signed in to this drill."), "success")
            return redirect(url_for("trainee.home"))
    org = db.session.get(Organization, drill.organization_id)
    return render_template("company/drill_sign_in.html", drill=drill, org=org, form=form, labels=drill_labels)
