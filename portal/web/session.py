"""Flask-Login wiring."""
from __future__ import annotations

from flask import current_app, flash, g, request, session
from flask_babel import lazy_gettext as _l
from flask_babel import refresh
from flask_login import LoginManager, login_user, logout_user

from portal.domain import login_sessions
from portal.models.base import utcnow


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
    from portal.models import LoginSession, Person, Trainee, User

    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    # Every page asks for the roles (grants, the person's jobs): one statement for grants and person, instead of one per
    # relationship as they are first touched. The key groups are read when a page shows them (the course
    # list asks trainee_group itself). Built once.
    user_with_roles = select(User, LoginSession).join(LoginSession, LoginSession.user_id == User.id).where(
        LoginSession.token_hash == bindparam("token_hash")).options(
        joinedload(User.grants), joinedload(User.person).joinedload(Person.employments).options(
            lazyload(Trainee.groups), lazyload(Trainee.person)))  # the person is the one just loaded

    @login_manager.user_loader
    def load_user(token: str):
        # The session token (User.get_id); a token of an ended, idle or expired session signs nobody in.
        if not token or "." in token:  # "<id>.<stamp>" came before sessions were kept on the server
            return _forget_session(None)
        row = db.session.execute(user_with_roles, {"token_hash": login_sessions.token_hash(token)}).unique().first()
        if row is None:
            return _forget_session(None)
        user, kept = row
        now = utcnow()
        reason = login_sessions.expiry(kept, now, lifetimes())
        if reason is None and not user.active:
            reason = "deactivated"
        if reason is not None:
            return _forget_session(reason)
        if login_sessions.needs_touch(kept, now) and not _has_pending_changes():
            with db.engine.begin() as connection:
                login_sessions.touch(connection, kept.id, now)
        user.session_token = token
        return user


def lifetimes() -> login_sessions.Lifetimes:
    return login_sessions.Lifetimes.from_config(current_app.config)


def _has_pending_changes() -> bool:
    from portal.extensions import db

    return bool(db.session.new or db.session.dirty or db.session.deleted)


ENDED_MESSAGES = {
    "idle": _l("You were logged out after a while without using the portal. Please log in again."),
    "expired": _l("Your login has lasted its longest allowed time. Please log in again."),
    "password": _l("Your password was changed, so this device was logged out. Please log in with the new password."),
    "reset": _l("Your password was reset, so this device was logged out. Please log in with the new password."),
    "office": _l("The training office ended your login on this device. Please log in again."),
}


def _forget_session(reason: str | None) -> None:
    """A dead session: drop it from the cookie (and the remember-me cookie) and say why, once."""
    session.pop("_user_id", None)
    session["_remember"] = "clear"
    if reason in ENDED_MESSAGES:
        flash(ENDED_MESSAGES[reason], "info")
    return None


def sign_in(user, *, remember: bool = False) -> None:
    """Start a server-side session for the user and give this browser its token (the caller commits)."""
    from portal.extensions import db

    _row, token = login_sessions.start(
        db.session, user.id, remembered=remember, now=utcnow(), user_agent=request.user_agent.string or "",
        address=request.remote_addr or "")
    user.session_token = token
    login_user(user, remember=remember)


def current_token() -> str | None:
    """The token of this browser's session, when it is signed in."""
    return session.get("_user_id") or None


def sign_out() -> None:
    """End this browser's session on the server and forget it here (the caller commits)."""
    from portal.extensions import db

    token = current_token()
    if token:
        login_sessions.end(db.session, token, now=utcnow(), reason="logout")
    logout_user()
