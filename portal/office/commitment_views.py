"""The office's duty commitments (履职承诺): the texts per role (each edit a new version) and who has signed across
organizations; departments see the organizations of their sector."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from portal.domain.workforce import commitments
from portal.domain.platform import policy
from portal.domain.platform.localtime import local_today
from portal.domain.workforce.rules import current_rules
from portal.extensions import db
from portal.models import Organization, utcnow
from portal.office.setup_views import OFFICE, bp as setup_bp
from portal.office.views import VIEWERS, _visible_sectors, bp
from portal.web.forms import saving
from portal.web.parameters import record_id
from portal.web import access

REQUIRED = _l("This field is required.")


class CommitmentTextForm(FlaskForm):
    title_zh = StringField(_l("Title (Chinese)"), validators=[
        DataRequired(REQUIRED), Length(max=commitments.TITLE_LENGTH)])
    title_en = StringField(_l("Title (English)"), validators=[
        DataRequired(REQUIRED), Length(max=commitments.TITLE_LENGTH)])
    body_zh = TextAreaField(_l("Text (Chinese)"), validators=[
        DataRequired(REQUIRED), Length(max=commitments.BODY_LENGTH)])
    body_en = TextAreaField(_l("Text (English)"), validators=[
        DataRequired(REQUIRED), Length(max=commitments.BODY_LENGTH)])
    basis = TextAreaField(_l("Legal basis"), validators=[DataRequired(REQUIRED), Length(max=commitments.BASIS_LENGTH)])


@bp.route("/commitments")
@access.roles(*VIEWERS)
def commitments_overview():
    """Per organization: role holders, signed, to sign, training first (today)."""
    statement = policy.visible_organizations(current_user)
    sector = record_id(request.args.get("sector"))
    if sector:
        statement = statement.where(Organization.sector_id == sector)
    organizations = {org.id: org for org in db.session.scalars(statement.order_by(Organization.name))}
    coverage = commitments.commitment_coverage(db.session, organizations, on=local_today())
    rows = sorted(((organizations[org_id], counts) for org_id, counts in coverage.by_organization.items()),
                  key=lambda row: (-(row[1]["to_sign"] + row[1]["expired"]), row[0].name))
    return render_template("office/commitments.html", rows=rows, coverage=coverage, sectors=_visible_sectors(),
                           sector=sector, manage=policy.sees_whole_district(current_user))


@setup_bp.route("/commitments/texts")
@access.roles(*OFFICE)
def commitment_texts():
    rules = current_rules(db.session)
    texts = commitments.active_texts(db.session)
    roles = commitments.known_roles(db.session, rules)
    return render_template("office/commitment_texts.html", roles=roles, texts=texts, holders=rules.commitments,
                           role_label=commitments.role_label)


@setup_bp.route("/commitments/texts/<role>", methods=["GET", "POST"])
@access.roles(*OFFICE)
def commitment_text(role: str):
    """Edit a role's text: saving makes a new version; who signed an earlier one stays signed until their training
    renews."""
    rules = current_rules(db.session)
    if role not in commitments.known_roles(db.session, rules):
        abort(404)
    versions = commitments.text_versions(db.session, role)
    current = next((text for text in versions if text.active), None)
    form = CommitmentTextForm(obj=current)
    if form.validate_on_submit():
        data = commitments.TextData(**{name: form[name].data or "" for name in
                                       ("title_zh", "title_en", "body_zh", "body_en", "basis")})
        with saving(form) as saved:
            text = commitments.save_text(db.session, role, data, user=current_user, now=utcnow(),
                                         address=request.remote_addr or "")
        if saved:
            if current is not None and text.id == current.id:
                flash(_("Nothing changed: the text stays at version %(version)s.", version=text.version), "success")
            else:
                flash(_("Version %(version)s is in use from now on.", version=text.version), "success")
            return redirect(url_for("office_setup.commitment_texts"))
    return render_template("office/commitment_text.html", role=role, role_name=commitments.role_label(role),
                           form=form, versions=versions, holder=rules.commitments.get(role),
                           signatures=commitments.signatures_by_version(db.session, role))
