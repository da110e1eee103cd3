"""The page where a company administrator or the office issues a one-time password-reset code."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app, make_response, render_template, request
from flask_login import current_user

from portal.domain.workforce import password_resets
from portal.models import privacy
from portal.extensions import db
from portal.models import User, utcnow


def issue_page(account: User, *, name: str, back: str):
    """GET: what a reset code does, and a button. POST (the app checks its CSRF token): a new code, shown this
    once and never cached. The caller has checked policy.may_reset_password_of."""
    hours = current_app.config["PASSWORD_RESET_CODE_HOURS"]
    context = {"name": name, "back": back, "hours": hours,
               "login": account.username or privacy.mask_mobile(account.mobile) or account.login_name}
    if request.method != "POST":
        return render_template("accounts/reset_code.html", issued=None, **context)
    issued = password_resets.issue_code(db.session, account, actor=current_user, now=utcnow(),
                                        valid_for=timedelta(hours=hours), address=request.remote_addr or "")
    db.session.commit()
    response = make_response(render_template("accounts/reset_code.html", issued=issued, **context))
    response.headers["Cache-Control"] = "no-store"
    return response
