"""Forgot password: a new one with a reset code from the employer or the office, or through a link e-mailed to the
account's address (joins the auth blueprint)."""
from __future__ import annotations

from flask import current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import logout_user

from portal.auth.forms import ForgotPasswordForm, NewPasswordForm, ResetLinkForm
from portal.auth.views import bp
from portal.domain.workforce import password_resets
from portal.domain.platform.errors import ValidationError
from portal.extensions import db, limiter
from portal.models import User, utcnow
from portal.web import failed_attempts
from portal.web.background_mail import send_in_background
from portal.web.forms import apply_domain_error
from portal.web import access

RESET_LINK = failed_attempts.AccountQuota("reset-link", "RESET_LINK_LIMIT_PER_ACCOUNT")


def _address_limit() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ADDRESS"]


@bp.route("/forgot", methods=["GET", "POST"])
@access.public
@limiter.limit(_address_limit, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    tries = None
    if form.validate_on_submit():
        # Wrong codes bring waits like wrong passwords (a weak new password is no try at a code: not counted).
        try:
            with failed_attempts.RESET_CODE.attempt(form.login.data, now=utcnow()) as attempt:
                if attempt.waiting:
                    return _forgot_page(form, attempt.standing), 429
                try:
                    user = password_resets.reset_with_code(db.session, form.login.data, form.code.data,
                                                           form.new_password.data, now=attempt.now, address=_address())
                except password_resets.ResetRefused:
                    attempt.count(right=False)
                    raise
                attempt.count(right=True)
        except password_resets.ResetRefused as error:
            db.session.rollback()
            tries = attempt.standing
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
    """Commit the new password; every session has ended (this one too), the waits after wrong tries are over."""
    db.session.commit()
    failed_attempts.LOGIN.clear(failed_attempts.user_key(user))
    failed_attempts.RESET_CODE.clear(failed_attempts.user_key(user))
    logout_user()  # this browser's session ended with the others (accounts.set_password)
    flash(_("Your password has been changed and you have been logged out everywhere. Log in with the new "
            "password."), "success")
    return redirect(url_for("auth.login"))


def _address() -> str:
    return request.remote_addr or ""


@bp.route("/forgot/email", methods=["GET", "POST"])
@access.public
@limiter.limit(_address_limit, methods=["POST"])
def email_reset_link():
    form = ResetLinkForm()
    configured = current_app.config["MAIL_CONFIGURED"]
    if configured and form.validate_on_submit():
        _send_link(form.login.data)
        flash(_("If an account with this mobile number or user name has an e-mail address, a link is on its way "
                "to it. Nothing arrived? Look in the spam folder, or ask for a reset code."), "info")
        return redirect(url_for("auth.email_reset_link"))
    return render_template("auth/email_link.html", form=form, configured=configured,
                           minutes=current_app.config["PASSWORD_RESET_LINK_MINUTES"])


def _send_link(login: str) -> None:
    """Mail a reset link when the account has an address, at most a few per account and hour; the page says the
    same whatever happened here."""
    key = failed_attempts.account_key(login)
    if RESET_LINK.check(key).used_up:
        return
    RESET_LINK.record(key)
    user = password_resets.link_recipient(db.session, login)
    if user is None:
        return
    config = current_app.config
    token = password_resets.link_token(user, secret_key=config["SECRET_KEY"])
    link = config["PUBLIC_BASE_URL"].rstrip("/") + url_for("auth.reset_with_link", token=token)
    message = password_resets.link_message(db.session, user, link, valid_minutes=config["PASSWORD_RESET_LINK_MINUTES"],
                                           now=utcnow(), address=_address())
    db.session.commit()
    send_in_background(message)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@access.public
@limiter.limit(_address_limit, methods=["POST"])
def reset_with_link(token: str):
    keys = {"secret_key": current_app.config["SECRET_KEY"],
            "max_age": current_app.config["PASSWORD_RESET_LINK_MINUTES"] * 60}
    valid = password_resets.user_for_link(db.session, token, **keys) is not None
    form = NewPasswordForm()
    if valid and form.validate_on_submit():
        try:
            user = password_resets.reset_with_link(db.session, token, form.new_password.data, address=_address(),
                                                   **keys)
        except ValidationError as error:
            db.session.rollback()
            apply_domain_error(form, error)
        else:
            return _password_changed(user)
    response = make_response(render_template("auth/reset_link.html", form=form, valid=valid))
    # The token is in the address: keep it out of caches and of the Referer header of anything this page loads.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
