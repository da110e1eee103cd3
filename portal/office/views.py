"""The training office's and the departments' pages."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import distinct, func, or_, select

from portal.domain.workforce import accounts, audit_labels, prior
from portal.domain.platform import audit, login_sessions, policy
from portal.domain.workforce.rules import current_rules
from portal.domain.platform.errors import ValidationError
from portal.extensions import db
from portal.models import (ORGANIZATION_KINDS, AuditEvent, IdentityConflict, Organization, Post, PriorTraining, Sector,
                           Trainee, User, utcnow)
from portal.web.forms import EmptyForm as ResolveForm
from portal.office.forms import RejectForm, ResetPasswordForm
from portal.web.database import reporting_session
from portal.web.i18n import current_locale
from portal.web.forms import apply_domain_error
from portal.web import reset_codes
from portal.web.navigation import safe_next
from portal.web.pagination import paginate
from portal.web.parameters import record_id, typed_date
from portal.web.session import lifetimes
from portal.web import access

bp = Blueprint("office", __name__, url_prefix="/office", template_folder="templates")

VIEWERS = ("office_admin", "superuser", "dept_viewer")


@bp.route("/")
@access.roles(*VIEWERS)
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
@access.roles("office_admin", "superuser")
def conflicts():
    """What merging rosters found about one person (two names for one ID number, two accounts): to check."""
    statement = (select(IdentityConflict).where(IdentityConflict.resolved_at.is_(None))
                 .order_by(IdentityConflict.created_at, IdentityConflict.id))
    return render_template("office/conflicts.html", page=paginate(statement))


@bp.route("/people/conflicts/<int:conflict_id>/resolve", methods=["POST"])
@access.roles("office_admin", "superuser")
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
@access.roles(*VIEWERS)
def organizations():
    query = (request.args.get("q") or "").strip()
    kind = request.args.get("kind") or ""
    sector = request.args.get("sector") or ""
    statement = policy.visible_organizations(current_user)
    if query:
        statement = statement.where(or_(Organization.name.like(f"%{query}%"), Organization.credit_code == query.upper()))
    if kind in ORGANIZATION_KINDS:
        statement = statement.where(Organization.kind == kind)
    if sector_id := record_id(sector):
        statement = statement.where(Organization.sector_id == sector_id)
    from sqlalchemy.orm import selectinload

    statement = statement.options(selectinload(Organization.locality), selectinload(Organization.sector))
    page = paginate(statement.order_by(Organization.name))
    if request.args.get("format") in ("csv", "xlsx"):
        return _export_organizations(statement)
    return render_template("office/organizations.html", page=page, query=query, kind=kind, sector=sector,
                           kinds=ORGANIZATION_KINDS, sectors=_visible_sectors())


@bp.route("/organizations/<int:org_id>")
@access.roles(*VIEWERS)
def organization(org_id: int):
    org = access.organization_or_404(db.session, current_user, org_id)
    counts = dict(db.session.execute(
        select(Trainee.status, func.count()).where(Trainee.organization_id == org.id).group_by(Trainee.status)
    ).all())
    from portal.models import RoleGrant

    admins = db.session.scalars(select(User).join(RoleGrant).where(
        RoleGrant.role == "org_admin", RoleGrant.organization_id == org.id).order_by(User.id)).all()
    return render_template("office/organization.html", org=org, counts=counts, admins=admins,
                           manage=current_user.has_role("office_admin", "superuser"))


@bp.route("/users")
@access.roles("office_admin", "superuser")
def users():
    query = (request.args.get("q") or "").strip()
    statement = select(User)
    if query:
        like = f"%{query}%"
        statement = statement.where(or_(User.username.like(like), User.mobile.like(like), User.display_name.like(like)))
    page = paginate(statement.order_by(User.id))
    logged_in = login_sessions.live_counts(db.session, [user.id for user in page.items], now=utcnow(),
                                           lifetimes=lifetimes())
    return render_template("office/users.html", role_labels=accounts.role_labels, page=page, query=query, logged_in=logged_in, form=ResolveForm(),
                           may_reset=lambda user: policy.may_reset_password_of(db.session, current_user, user))


@bp.route("/users/<int:user_id>/sessions/end", methods=["POST"])
@access.roles("office_admin", "superuser")
def end_sessions(user_id: int):
    """Log an account out everywhere (a lost phone, a shared computer, someone leaving): it can log in again."""
    user = db.session.get(User, user_id) or abort(404)
    if not policy.may_reset_password_of(db.session, current_user, user):
        abort(404)  # as for its password: the office does not log out another office administrator
    if not ResolveForm().validate_on_submit():
        abort(400)
    ended = login_sessions.end_all(db.session, user.id, now=utcnow(), reason="office")
    audit.record(db.session, actor_id=current_user.id, action="user.sessions_ended", target_type="user",
                 target_id=user.id, details={"sessions": ended}, address=request.remote_addr or "")
    db.session.commit()
    flash(ngettext("%(name)s has been logged out on %(num)s device.", "%(name)s has been logged out on %(num)s devices.",
                   ended, name=user.display_name or user.login_name), "success")
    return redirect(safe_next(request.form.get("next"), url_for("office.users")))


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@access.roles("office_admin", "superuser")
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
@access.roles("office_admin", "superuser")
def issue_reset_code(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    if not policy.may_reset_password_of(db.session, current_user, user):
        abort(404)
    return reset_codes.issue_page(user, name=user.display_name or user.login_name, back=url_for("office.users"))


@bp.route("/audit")
@access.roles("office_admin", "superuser")
def audit_log():
    from datetime import timedelta

    from portal.domain.platform.localtime import day_start

    args = request.args
    statement = select(AuditEvent)
    action = (args.get("action") or "").strip()
    if action in audit_labels.ACTIONS:
        statement = statement.where(AuditEvent.action == action)
    elif action:  # a prefix ("roster.") from an older link
        statement = statement.where(AuditEvent.action.like(f"{action}%"))
    if args.get("target"):
        statement = statement.where(AuditEvent.target_type == args["target"].strip())
    if args.get("actor"):
        actor = args["actor"].strip()
        statement = statement.join(User, User.id == AuditEvent.actor_id).where(
            or_(User.username == actor, User.mobile == actor))
    since, until = typed_date(args.get("since")), typed_date(args.get("until"))  # local days, both included
    if since:
        statement = statement.where(AuditEvent.at >= day_start(since))
    if until:
        statement = statement.where(AuditEvent.at < day_start(until + timedelta(days=1)))
    statement = statement.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if args.get("format") in ("csv", "xlsx"):
        from portal.web.exports import export_response

        events = reporting_session().scalars(statement.limit(100000)).all()
        names = audit_labels.record_names(reporting_session(), events, current_locale())
        rows = [[e.at, e.actor.login_name if e.actor else "", audit_labels.action_label(e.action),
                 audit_labels.target_label(e.target_type), e.target_id or "", e.address,
                 audit_labels.details_text(e.details, names)] for e in events]
        headers = [_("When"), _("Who"), _("Action"), _("Record"), _("Record no."), _("From"), _("Details")]
        return export_response(headers, rows, args["format"], "audit-log")
    page = paginate(statement)
    names = audit_labels.record_names(db.session, page.items, current_locale())
    return render_template("office/audit.html", page=page, names=names)


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
@access.roles("office_admin", "superuser")
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
@access.roles("office_admin", "superuser")
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
