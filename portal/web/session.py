"""Flask-Login wiring."""
from __future__ import annotations

import hmac

from flask import current_app, g, request
from flask_babel import lazy_gettext as _l
from flask_babel import refresh
from flask_login import LoginManager, login_user


def forget_cached_user() -> None:
    """Drop the per-context caches of the user (Flask-Login) and locale (Flask-Babel) per request.

    In production every request has its own application context, so this changes nothing; in tests
    several requests can share one context and must not see the previous request's user or language.
    """
    g.pop("_login_user", None)
    refresh()


def configure_login(login_manager: LoginManager) -> None:
    from sqlalchemy import bindparam, select
    from sqlalchemy.orm import joinedload, lazyload

    from portal.extensions import db
    from portal.models import Person, Trainee, User

    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    # Every page asks for the roles (grants, the person's jobs): one statement for grants and person, instead of one per
    # relationship as they are first touched. The key groups are read when a page shows them (the course
    # list asks trainee_group itself). Built once.
    user_with_roles = select(User).where(User.id == bindparam("user_id")).options(
        joinedload(User.grants), joinedload(User.person).joinedload(Person.employments).options(
            lazyload(Trainee.groups), lazyload(Trainee.person)))  # the person is the one just loaded

    @login_manager.user_loader
    def load_user(session_id: str):
        # "<id>.<password stamp>" (User.get_id): a session from before the password last changed ends here.
        number, _dot, stamp = session_id.partition(".")
        if not number.isdigit() or not stamp:
            return None
        user = db.session.execute(user_with_roles, {"user_id": int(number)}).unique().scalar_one_or_none()
        if user is None or not user.active or not hmac.compare_digest(user.password_stamp, stamp):
            return None
        return user


def stay_signed_in(user) -> None:
    """After users change their own password: this browser keeps its session (with the new stamp), every other
    session of theirs has ended."""
    remember_cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    login_user(user, remember=remember_cookie in request.cookies)
