"""Flask-Login wiring."""
from __future__ import annotations

from flask import g
from flask_babel import lazy_gettext as _l
from flask_babel import refresh
from flask_login import LoginManager


def forget_cached_user() -> None:
    """Drop the per-context caches of the user (Flask-Login) and locale (Flask-Babel) per request.

    In production every request has its own application context, so this changes nothing; in tests
    several requests can share one context and must not see the previous request's user or language.
    """
    g.pop("_login_user", None)
    refresh()


def configure_login(login_manager: LoginManager) -> None:
    from portal.extensions import db
    from portal.models import User

    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str):
        if not user_id.isdigit():
            return None
        user = db.session.get(User, int(user_id))
        return user if user is not None and user.active else None
