"""Forgot password: a new one with a reset code from the employer or the office (joins the auth blueprint)."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import logout_user

from portal.auth.forms import ForgotPasswordForm
from portal.auth.views import bp
from portal.domain import password_resets, policy
from portal.domain.errors import ValidationError
from portal.extensions import db, limiter
from portal.models import User, utcnow
from portal.web import failed_attempts
from portal.web.forms import apply_domain_error


def _address_limit() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ADDRESS"]


@bp.route("/forgot", methods=["GET", "POST"])
@policy.public
@limiter.limit(_address_limit, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    tries = None
    if form.validate_on_submit():
        tries = failed_attempts.RESET_CODE.check(form.login.data)
        if tries.locked:
            return _forgot_page(form, tries), 429
        try:
            user = password_resets.reset_with_code(db.session, form.login.data, form.code.data,
                                                   form.new_password.data, now=utcnow(), address=_address())
        except password_resets.ResetRefused as error:
            db.session.rollback()
            tries = failed_attempts.RESET_CODE.record(form.login.data)
            apply_domain_error(form, error)
        except ValidationError as error:
            db.session.rollback()
            apply_domain_error(form, error)
        else:
            return _password_changed(user)
    return _forgot_page(form, tries)


def _forgot_page(form: ForgotPasswordForm, tries):
    return render_template("auth/forgot.html", form=form, tries=tries,
                           mail_configured=current_app.config["MAIL_CONFIGURED"])


def _password_changed(user: User):
    """Commit the new password; every session has ended (this one too), the login lock is lifted."""
    db.session.commit()
    failed_attempts.LOGIN.clear(user.username, user.mobile)
    logout_user()
    flash(_("Your password has been changed and you have been logged out everywhere. Log in with the new "
            "password."), "success")
    return redirect(url_for("auth.login"))


def _address() -> str:
    return request.remote_addr or ""
