"""Log in, log out, register with an invitation code, change password."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from portal.auth.forms import ChangePasswordForm, LoginForm, RegisterForm
from portal.web.forms import EmptyForm, apply_domain_error
from portal.domain.workforce import accounts
from portal.domain.platform import audit, login_sessions, policy
from portal.models import privacy
from portal.domain.platform.errors import ValidationError
from portal.domain.platform.passwords import PasswordCheckBusy
from portal.domain.workforce.rules import current_rules
from portal.extensions import db, limiter
from portal.models import utcnow
from portal.web import failed_attempts
from portal.web.errors import answer_retry_after
from portal.web.navigation import safe_next
from portal.web.session import current_token, lifetimes, sign_in, sign_out
from portal.web import access

bp = Blueprint("auth", __name__, url_prefix="/auth", template_folder="templates")


@bp.route("/login", methods=["GET", "POST"])
@access.public
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for(policy.home_endpoint(current_user)))
    form = LoginForm()
    tries = None
    if form.validate_on_submit():
        # While the account waits after wrong tries no password is checked, the right one included, and nothing is
        # counted: a guesser gets a few tries an hour, the owner gets in when the wait ends (the page says when).
        try:
            with failed_attempts.LOGIN.attempt(form.login.data, now=utcnow()) as attempt:
                if attempt.waiting:
                    return render_template("auth/login.html", form=form, tries=attempt.standing), 429
                user = accounts.authenticate(db.session, form.login.data, form.password.data, now=attempt.now)
                attempt.count(right=user is not None)
        except PasswordCheckBusy as busy:  # nothing was checked or counted: the same form, to send again shortly
            db.session.rollback()
            form.form_errors.append(str(busy.description))
            response = current_app.make_response((render_template("auth/login.html", form=form), 503))
            answer_retry_after(response, busy.retry_after)
            return response
        if user is not None:
            sign_in(user, remember=bool(form.remember.data))
            db.session.commit()
            return redirect(safe_next(request.args.get("next"), url_for(policy.home_endpoint(user))))
        tries = attempt.standing
        form.form_errors.append(_("The mobile number, user name or password is not correct."))
    return render_template("auth/login.html", form=form, tries=tries)


@bp.route("/logout", methods=["POST"])
@access.public
def logout():
    sign_out()
    db.session.commit()
    flash(_("You have logged out."), "info")
    return redirect(url_for("public.index"))


def _claim_key() -> str:
    return "claim:" + (request.form.get("mobile") or "").strip()


def _claim_refused(_response) -> bool:
    return bool(g.get("claim_refused"))


@bp.route("/register", methods=["GET", "POST"])
@access.public
@limiter.limit("20 per hour", methods=["POST"])
@limiter.limit(lambda: current_app.config["CLAIM_LIMIT_PER_MOBILE"], key_func=_claim_key,
               methods=["POST"], deduct_when=_claim_refused)
def register():
    form = RegisterForm(invite_code=request.args.get("code", ""))
    if form.validate_on_submit():
        try:
            registered = accounts.register_trainee(
                db.session, _registration(form), public_code=current_app.config["PUBLIC_INVITE_CODE"], now=utcnow(),
                rules=current_rules(db.session), allow_concurrent=current_app.config["ALLOW_CONCURRENT_EMPLOYMENT"])
        except accounts.ClaimRefused as error:
            db.session.rollback()
            _refuse_claim(form, error)
        except accounts.RegistrationRefused as error:
            db.session.rollback()
            for problem in error.problems:
                apply_domain_error(form, problem)
        except ValidationError as error:
            db.session.rollback()
            apply_domain_error(form, error)
        else:
            sign_in(registered.user)
            db.session.commit()
            flash(_welcome(registered), "info" if registered.waiting else "success")
            return redirect(url_for("trainee.home"))
    elif form.is_submitted():  # what the form refused, and with it every other problem the domain sees
        for problem in accounts.registration_problems(db.session, _registration(form), skip=set(form.errors),
                                                      public_code=current_app.config["PUBLIC_INVITE_CODE"]):
            apply_domain_error(form, problem)
    return render_template("auth/register.html", form=form)


def _registration(form: RegisterForm) -> accounts.Registration:
    return accounts.Registration(real_name=form.real_name.data or "", mobile=form.mobile.data or "",
                                 password=form.password.data or "", invite_code=form.invite_code.data or "",
                                 id_number=form.id_number.data or "")


def _refuse_claim(form: RegisterForm, error: accounts.ClaimRefused) -> None:
    g.claim_refused = True
    audit.record(db.session, actor_id=None, action="claim.refused_at_registration", target_type="mobile",
                 target_id=privacy.mask_mobile(form.mobile.data.strip()), address=request.remote_addr or "")
    db.session.commit()
    apply_domain_error(form, error)


def _welcome(registered: accounts.Registered) -> str:
    if registered.waiting:
        return _("Your account is ready. Your employer has you on their roster without an ID number, so they "
                 "confirm that this is you; until then you can already study, and what you complete stays yours.")
    return _("Welcome! Your account is ready. Your training is below, the most urgent first: start with the first "
             "course.")


@bp.route("/password", methods=["GET", "POST"])
@access.signed_in
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(db.session, current_user, form.current_password.data, form.new_password.data,
                                     keep_token=current_token())
        except ValidationError as error:
            apply_domain_error(form, error if error.field else ValidationError(error.message, "new_password"))
        else:
            db.session.commit()
            flash(_("Your password has been changed."), "success")
            return redirect(url_for(policy.home_endpoint(current_user)))
    return render_template("auth/password.html", form=form)


@bp.route("/sessions", methods=["GET", "POST"])
@access.signed_in
def sessions():
    """Where this account is logged in, and a way to log out everywhere else (a lost phone, a shared computer)."""
    form = EmptyForm()
    if form.validate_on_submit():
        ended = login_sessions.end_all(db.session, current_user.id, now=utcnow(), reason="logout",
                                       keep_token=current_token())
        db.session.commit()
        flash(ngettext("You have been logged out on %(num)s other device.",
                       "You have been logged out on %(num)s other devices.", ended), "success")
        return redirect(url_for("auth.sessions"))
    rows = login_sessions.live_sessions(db.session, current_user.id, now=utcnow(), lifetimes=lifetimes())
    this = login_sessions.token_hash(current_token() or "")
    return render_template("auth/sessions.html", rows=rows, this=this, form=form, lifetimes=lifetimes())
