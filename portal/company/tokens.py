"""The company's HR API tokens: list, create (shown once) and revoke."""
from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.company.forms import TokenForm
from portal.web.forms import EmptyForm, saving
from portal.domain.platform import api_tokens
from portal.domain.platform.errors import ValidationError
from portal.extensions import db
from portal.models import Organization, utcnow
from portal.web import access

bp = Blueprint("company_tokens", __name__, url_prefix="/company", template_folder="templates")
MANAGERS = ("org_admin", "office_admin", "superuser")


def _org(org_id: int) -> Organization:
    return access.organization_or_404(db.session, current_user, org_id, manage=True)


@bp.route("/<int:org_id>/tokens", methods=["GET", "POST"])
@access.roles(*MANAGERS)
def tokens(org_id: int):
    org = _org(org_id)
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        with saving(form) as saved:
            token, new_token = api_tokens.create(db.session, org, name=form.name.data, actor_id=current_user.id,
                                                 address=request.remote_addr or "", now=utcnow())
        if saved:
            form = TokenForm(formdata=None)
    # The new token is rendered here, never flashed: the session cookie is signed, not secret.
    response = make_response(render_template(
        "company/tokens.html", org=org, form=form, new_token=new_token,
        tokens=api_tokens.of_organization(db.session, org)))
    if new_token:
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<int:org_id>/tokens/<int:token_id>/revoke", methods=["POST"])
@access.roles(*MANAGERS)
def revoke(org_id: int, token_id: int):
    org = _org(org_id)
    token = api_tokens.token_of_organization(db.session, org, token_id)
    if token is None:
        abort(404)
    if EmptyForm().validate_on_submit():
        try:
            api_tokens.revoke(db.session, token, actor_id=current_user.id, address=request.remote_addr or "",
                              now=utcnow())
        except ValidationError as error:
            db.session.rollback()
            flash(str(error.message), "error")
        else:
            db.session.commit()
            flash(_("The token “%(name)s” has been revoked; requests with it are refused from now on.",
                    name=token.name), "success")
    return redirect(url_for("company_tokens.tokens", org_id=org.id))
