"""A company administrator gives someone on the roster a one-time password-reset code (joins the company pages)."""
from __future__ import annotations

from flask import abort, url_for
from flask_login import current_user

from portal.company.views import MANAGERS, bp
from portal.domain.platform import policy
from portal.extensions import db
from portal.web import reset_codes
from portal.web import access


@bp.route("/<int:org_id>/people/<int:trainee_id>/reset-code", methods=["GET", "POST"])
@access.roles(*MANAGERS)
def issue_reset_code(org_id: int, trainee_id: int):
    org = access.organization_or_404(db.session, current_user, org_id, manage=True)
    trainee = access.trainee_or_404(db.session, current_user, trainee_id, manage=True)
    account = trainee.person.user
    if trainee.organization_id != org.id or account is None:
        abort(404)
    if not policy.may_reset_password_of(db.session, current_user, account):
        abort(404)
    return reset_codes.issue_page(account, name=trainee.real_name,
                                  back=url_for("company.person", org_id=org.id, trainee_id=trainee.id))
