"""The office's setup pages: key groups, organizations and their administrators (the training rules: rules_views)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.domain.workforce import organizations
from portal.domain.platform.errors import ValidationError
from portal.extensions import db
from portal.models import ORGANIZATION_KINDS, KeyGroup, Locality, Sector
from portal.office.setup_forms import GrantForm, KeyGroupForm, OrganizationForm
from portal.web.forms import EmptyForm, saving
from portal.web.i18n import current_locale
from portal.web import access

bp = Blueprint("office_setup", __name__, url_prefix="/office", template_folder="templates")
OFFICE = ("office_admin", "superuser")


def _address() -> str:
    return request.remote_addr or ""


@bp.route("/key-groups", methods=["GET", "POST"])
@access.roles(*OFFICE)
def key_groups():
    form = KeyGroupForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            organizations.save_key_group(db.session, group=None, code=form.code.data, name_zh=form.name_zh.data,
                                         name_en=form.name_en.data, active=form.active.data,
                                         actor_id=current_user.id, address=_address())
        if saved:
            flash(_("The key group has been added."), "success")
            return redirect(url_for("office_setup.key_groups"))
    groups = db.session.scalars(select(KeyGroup).order_by(KeyGroup.sort_order)).all()
    return render_template("office/key_groups.html", form=form, groups=groups)


@bp.route("/key-groups/<int:group_id>", methods=["GET", "POST"])
@access.roles(*OFFICE)
def key_group(group_id: int):
    group = db.session.get(KeyGroup, group_id) or abort(404)
    form = KeyGroupForm(obj=group if request.method == "GET" else None)
    form.code.data = group.code
    if form.validate_on_submit():
        organizations.save_key_group(db.session, group=group, code=group.code, name_zh=form.name_zh.data,
                                     name_en=form.name_en.data, active=form.active.data,
                                     actor_id=current_user.id, address=_address())
        db.session.commit()
        flash(_("The key group has been saved."), "success")
        return redirect(url_for("office_setup.key_groups"))
    return render_template("office/key_group.html", form=form, group=group)


def _org_choices(form: OrganizationForm) -> None:
    from portal.web.templating import kind_labels

    locale = current_locale()
    form.kind.choices = [(k, kind_labels()[k]) for k in ORGANIZATION_KINDS]
    form.sector_id.choices = [(s.id, s.name(locale)) for s in db.session.scalars(select(Sector).order_by(Sector.code))]
    form.locality_id.choices = [(loc.id, f"{loc.code} {loc.name(locale)}") for loc in
                                db.session.scalars(select(Locality).order_by(Locality.code))]


def _org_data(form: OrganizationForm) -> organizations.OrganizationData:
    return organizations.OrganizationData(
        name=form.name.data.strip(), credit_code=form.credit_code.data, kind=form.kind.data,
        sector_id=form.sector_id.data, locality_id=form.locality_id.data, address=form.address.data or "",
        contact_name=form.contact_name.data or "", contact_phone=form.contact_phone.data or "",
        last_drill_on=form.last_drill_on.data)


@bp.route("/organizations/new", methods=["GET", "POST"])
@bp.route("/organizations/<int:org_id>/edit", methods=["GET", "POST"])
@access.roles(*OFFICE)
def organization_form(org_id: int | None = None):
    org = access.organization_or_404(db.session, current_user, org_id) if org_id else None
    form = OrganizationForm(obj=org if request.method == "GET" else None)
    _org_choices(form)
    if form.validate_on_submit():
        with saving(form) as saved:
            org = organizations.save_organization(db.session, _org_data(form), org=org, actor_id=current_user.id,
                                                  address=_address())
        if saved:
            flash(_("%(name)s has been saved.", name=org.name), "success")
            return redirect(url_for("office.organization", org_id=org.id))
    return render_template("office/organization_form.html", form=form, org=org)


@bp.route("/organizations/<int:org_id>/admins", methods=["POST"])
@access.roles(*OFFICE)
def grant_admin(org_id: int):
    org = access.organization_or_404(db.session, current_user, org_id)
    form = GrantForm()
    if form.validate_on_submit():
        try:
            user = organizations.grant_org_admin(db.session, org, form.login.data, actor_id=current_user.id,
                                                 address=_address())
        except ValidationError as error:
            db.session.rollback()
            flash(str(error.message), "error")
        else:
            db.session.commit()
            flash(_("%(name)s now administers %(org)s.", name=user.login_name, org=org.name), "success")
    else:
        flash(_("Enter the user name or mobile number of an account."), "error")
    return redirect(url_for("office.organization", org_id=org.id))


@bp.route("/organizations/<int:org_id>/admins/<int:user_id>/revoke", methods=["POST"])
@access.roles(*OFFICE)
def revoke_admin(org_id: int, user_id: int):
    org = access.organization_or_404(db.session, current_user, org_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        organizations.revoke_org_admin(db.session, org, user_id, actor_id=current_user.id, address=_address())
    except ValidationError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("The administrator has been removed."), "success")
    return redirect(url_for("office.organization", org_id=org.id))


