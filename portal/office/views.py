"""The training office's and the departments' pages."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import distinct, func, or_, select

from portal.domain import accounts, audit, policy, prior
from portal.domain.rules import current_rules
from portal.domain.errors import ValidationError
from portal.extensions import db
from portal.models import (ORGANIZATION_KINDS, AuditEvent, IdentityConflict, Organization, Post, PriorTraining, Sector,
                           Trainee, User, utcnow)
from portal.company.forms import EmptyForm as ResolveForm
from portal.office.forms import RejectForm, ResetPasswordForm
from portal.web.database import reporting_session
from portal.web.forms import apply_domain_error
from portal.web import reset_codes
from portal.web.pagination import paginate

bp = Blueprint("office", __name__, url_prefix="/office", template_folder="templates")

VIEWERS = ("office_admin", "superuser", "dept_viewer")


@bp.route("/")
@policy.roles(*VIEWERS)
def home():
    scope = policy.organization_scope(current_user)
    org_count = db.session.scalar(select(func.count()).select_from(Organization).where(scope))
    people = db.session.scalar(  # persons, not roster rows: someone with two jobs is one person
        select(func.count(distinct(Trainee.person_id))).join(Organization).where(scope, Trainee.status == "active")
    )
    sectors = _visible_sectors()
    conflicts = (db.session.scalar(select(func.count()).select_from(IdentityConflict)
                                   .where(IdentityConflict.resolved_at.is_(None)))
                 if policy.sees_whole_district(current_user) else 0)
    posts_to_review = (db.session.scalar(select(func.count()).select_from(Post).where(Post.reviewed.is_(False)))
                       if policy.sees_whole_district(current_user) else 0)
    return render_template("office/home.html", org_count=org_count, people=people, sectors=sectors,
                           conflicts=conflicts, posts_to_review=posts_to_review)


@bp.route("/people/conflicts")
@policy.roles("office_admin", "superuser")
def conflicts():
    """What merging rosters found about one person (two names for one ID number, two accounts): to check."""
    statement = (select(IdentityConflict).where(IdentityConflict.resolved_at.is_(None))
                 .order_by(IdentityConflict.created_at, IdentityConflict.id))
    return render_template("office/conflicts.html", page=paginate(statement))


@bp.route("/people/conflicts/<int:conflict_id>/resolve", methods=["POST"])
@policy.roles("office_admin", "superuser")
def resolve_conflict(conflict_id: int):
    conflict = db.session.get(IdentityConflict, conflict_id)
    if conflict is None or not ResolveForm().validate_on_submit():
        abort(404)
    if conflict.resolved_at is None:
        conflict.resolved_at, conflict.resolved_by_id = utcnow(), current_user.id
        audit.record(db.session, actor_id=current_user.id, action="person.conflict_resolved", target_type="person",
                     target_id=conflict.person_id, details={"conflict": conflict.id, "kind": conflict.kind},
                     address=request.remote_addr or "")
        db.session.commit()
    flash(_("Marked as checked."), "success")
    return redirect(url_for("office.conflicts"))


def _visible_sectors() -> list[Sector]:
    statement = select(Sector).order_by(Sector.code)
    if not policy.sees_whole_district(current_user):
        statement = statement.where(Sector.id.in_(policy.viewed_sector_ids(current_user)))
    return list(db.session.scalars(statement))


@bp.route("/organizations")
@policy.roles(*VIEWERS)
def organizations():
    query = (request.args.get("q") or "").strip()
    kind = request.args.get("kind") or ""
    sector = request.args.get("sector") or ""
    statement = policy.visible_organizations(current_user)
    if query:
        statement = statement.where(or_(Organization.name.like(f"%{query}%"), Organization.credit_code == query.upper()))
    if kind in ORGANIZATION_KINDS:
        statement = statement.where(Organization.kind == kind)
    if sector.isdigit():
        statement = statement.where(Organization.sector_id == int(sector))
    from sqlalchemy.orm import selectinload

    statement = statement.options(selectinload(Organization.locality), selectinload(Organization.sector))
    page = paginate(statement.order_by(Organization.name))
    if request.args.get("format") in ("csv", "xlsx"):
        return _export_organizations(statement)
    return render_template("office/organizations.html", page=page, query=query, kind=kind, sector=sector,
                           kinds=ORGANIZATION_KINDS, sectors=_visible_sectors())


@bp.route("/organizations/<int:org_id>")
@policy.roles(*VIEWERS)
def organization(org_id: int):
    org = policy.organization_or_404(db.session, current_user, org_id)
    counts = dict(db.session.execute(
        select(Trainee.status, func.count()).where(Trainee.organization_id == org.id).group_by(Trainee.status)
    ).all())
    from portal.models import RoleGrant

    admins = db.session.scalars(select(User).join(RoleGrant).where(
        RoleGrant.role == "org_admin", RoleGrant.organization_id == org.id).order_by(User.id)).all()
    return render_template("office/organization.html", org=org, counts=counts, admins=admins,
                           manage=current_user.has_role("office_admin", "superuser"))


@bp.route("/users")
@policy.roles("office_admin", "superuser")
def users():
    query = (request.args.get("q") or "").strip()
    statement = select(User)
    if query:
        like = f"%{query}%"
        statement = statement.where(or_(User.username.like(like), User.mobile.like(like), User.display_name.like(like)))
    page = paginate(statement.order_by(User.id))
    return render_template("office/users.html", page=page, query=query,
                           may_reset=lambda user: policy.may_reset_password_of(db.session, current_user, user))


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@policy.roles("office_admin", "superuser")
def reset_password(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    if user.id == current_user.id:
        # One's own password changes on the page that asks for the current one: a session left open on a shared
        # computer must not be enough to take the account over.
        return redirect(url_for("auth.change_password"))
    if not policy.may_reset_password_of(db.session, current_user, user):
        abort(404)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(db.session, user, form.new_password.data, actor=current_user,
                                    address=request.remote_addr or "")
        except ValidationError as error:
            apply_domain_error(form, ValidationError(error.message, "new_password"))
        else:
            db.session.commit()
            flash(_("The password of %(name)s has been reset.", name=user.login_name), "success")
            return redirect(url_for("office.users"))
    return render_template("office/reset_password.html", form=form, user=user)


@bp.route("/users/<int:user_id>/reset-code", methods=["GET", "POST"])
@policy.roles("office_admin", "superuser")
def issue_reset_code(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    if not policy.may_reset_password_of(db.session, current_user, user):
        abort(404)
    return reset_codes.issue_page(user, name=user.display_name or user.login_name, back=url_for("office.users"))


@bp.route("/audit")
@policy.roles("office_admin", "superuser")
def audit_log():
    from datetime import date, timedelta

    from portal.domain.localtime import day_start

    args = request.args
    statement = select(AuditEvent)
    if args.get("action"):
        statement = statement.where(AuditEvent.action.like(f"{args['action'].strip()}%"))
    if args.get("target"):
        statement = statement.where(AuditEvent.target_type == args["target"].strip())
    if args.get("actor"):
        actor = args["actor"].strip()
        statement = statement.join(User, User.id == AuditEvent.actor_id).where(
            or_(User.username == actor, User.mobile == actor))
    for key, op in (("since", "ge"), ("until", "lt")):
        try:
            day = date.fromisoformat(args.get(key, ""))
        except ValueError:
            continue
        moment = day_start(day if op == "ge" else day + timedelta(days=1))  # the local day people typed
        statement = statement.where(AuditEvent.at >= moment if op == "ge" else AuditEvent.at < moment)
    statement = statement.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if args.get("format") in ("csv", "xlsx"):
        from portal.web.exports import export_response

        rows = [[e.at, e.actor.login_name if e.actor else "", e.action, e.target_type,
                 e.target_id or "", e.address, str(e.details or "")] for e in reporting_session().scalars(statement.limit(100000))]
        headers = [_("When"), _("Who"), _("Action"), _("Record"), _("Record id"), _("From"), _("Details")]
        return export_response(headers, rows, args["format"], "audit-log")
    page = paginate(statement)
    return render_template("office/audit.html", page=page, action_label=audit.action_label)


@bp.route("/questions")
@policy.roles("office_admin", "superuser")
def question_stats():
    from portal.domain.question_stats import question_statistics
    from portal.models import Course

    courses = list(db.session.scalars(select(Course).where(Course.retired.is_(False)).order_by(Course.code)))
    course = request.args.get("course", "")
    course_id = next((c.id for c in courses if c.code == course), None)
    stats = question_statistics(db.session, course_id)
    return render_template("office/questions.html", stats=stats, courses=courses, course=course)


def _export_organizations(statement):
    from portal.web.exports import export_response
    from portal.web.i18n import current_locale
    from portal.web.templating import kind_labels

    locale, kinds = current_locale(), kind_labels()
    rows = [[o.name, o.credit_code, kinds[o.kind], o.sector.name(locale), o.locality.name(locale), o.contact_name,
             o.contact_phone, o.last_drill_on] for o in reporting_session().scalars(statement.order_by(Organization.name))]
    headers = [_("Name"), _("Unified social credit code"), _("Kind"), _("Sector"), _("Locality"), _("Contact"),
               _("Contact phone"), _("Last fire drill")]
    return export_response(headers, rows, request.args["format"], "organizations")


@bp.route("/prior-training")
@policy.roles("office_admin", "superuser")
def prior_training():
    """Prior training the companies recorded, newest first, to review; rejecting one stops it counting."""
    status = request.args.get("status", "accepted")
    statement = select(PriorTraining).order_by(PriorTraining.recorded_at.desc(), PriorTraining.id.desc())
    if status in ("accepted", "rejected"):
        statement = statement.where(PriorTraining.status == status)
    names = dict(db.session.execute(select(Organization.id, Organization.name)).all())
    return render_template("office/prior_training.html", page=paginate(statement), status=status, names=names,
                           form=RejectForm())


@bp.route("/prior-training/<int:prior_id>/reject", methods=["POST"])
@policy.roles("office_admin", "superuser")
def reject_prior_training(prior_id: int):
    record = db.session.get(PriorTraining, prior_id)
    if record is None:
        abort(404)
    form = RejectForm()
    if not form.validate_on_submit():
        flash(_("Give the reason (2 to 300 characters): the company sees it."), "error")
        return redirect(url_for("office.prior_training"))
    try:
        prior.reject(db.session, record, actor_id=current_user.id, reason=form.reason.data, now=utcnow(),
                     rules=current_rules(db.session), address=request.remote_addr or "")
    except ValidationError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("Rejected: it no longer counts, and the company sees why."), "success")
    return redirect(url_for("office.prior_training"))
