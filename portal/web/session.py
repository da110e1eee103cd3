"""Flask-Login wiring."""
from __future__ import annotations

from flask import current_app, flash, g, request, session
from flask_babel import lazy_gettext as _l
from flask_babel import refresh
from flask_login import LoginManager, login_user, logout_user

from portal.domain.platform import login_sessions
from portal.models.base import utcnow


def forget_cached_user() -> None:
    """Drop the per-context caches of the user (Flask-Login) and locale (Flask-Babel) per request.

    In production every request has its own application context, so this changes nothing; in tests
    several requests can share one context and must not see the previous request's user or language.
    """
    g.pop("_login_user", None)
    refresh()


class _UserCache:
    """The signed-in user's account, roles and jobs, kept per process between requests (an LRU of USER_CACHE_SIZE).

    Every request still reads the session's row and the account's rows, user, grants, person and jobs, in one
    statement as plain values (cheap); only when those values differ from what the process kept (a new role, a job
    ended, a changed name) are the objects built again. So the cached objects always equal what the database holds
    now: a role or job change, a deactivated account, an ended session (logout everywhere, a new password) take
    effect on the next request, on every worker. Each request gets its own copy in its session (merge without
    loading): nothing is shared between requests but the read-only originals here.
    """

    def __init__(self, size: int):
        import threading
        from collections import OrderedDict

        self.size = size
        self._kept: OrderedDict[int, tuple[tuple, object]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, user_id: int, values: tuple):
        with self._lock:
            kept = self._kept.get(user_id)
            if kept is None or kept[0] != values:
                return None
            self._kept.move_to_end(user_id)
            return kept[1]

    def put(self, user_id: int, values: tuple, user) -> None:
        with self._lock:
            self._kept[user_id] = (values, user)
            self._kept.move_to_end(user_id)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


USER_CACHE_SIZE = 4096
users = _UserCache(USER_CACHE_SIZE)


class _KeptSession:
    """What a request needs of its login_session row (login_sessions.expiry, needs_touch, touch)."""

    __slots__ = ("id", "created_at", "last_seen_at", "remembered", "ended_at", "ended_because")

    def __init__(self, values):
        for name, value in zip(self.__slots__, values):
            setattr(self, name, value)


def _signed_in_statement():
    """One statement for a token: the session's row, then the account's rows (user, grants, person, jobs: one row
    per grant and job) as plain columns, and where each model's columns sit in the row."""
    from sqlalchemy import bindparam, inspect, select

    from portal.models import LoginSession, Person, RoleGrant, Trainee, User

    session_columns = [getattr(LoginSession, name) for name in _KeptSession.__slots__]
    parts, columns = [], list(session_columns)
    for model in (User, RoleGrant, Person, Trainee):
        attributes = [(attribute.key, attribute.columns[0]) for attribute in inspect(model).column_attrs]
        parts.append((model, [key for key, _column in attributes], len(columns)))
        columns += [column for _key, column in attributes]
    statement = (select(*columns).select_from(LoginSession).join(User, User.id == LoginSession.user_id)
                 .outerjoin(RoleGrant, RoleGrant.user_id == User.id).outerjoin(Person, Person.user_id == User.id)
                 .outerjoin(Trainee, Trainee.person_id == Person.id)
                 .where(LoginSession.token_hash == bindparam("token_hash")))
    return statement, len(session_columns), parts


def _build_user(rows, parts):
    """Detached objects for the account's rows, as a query would have loaded them: the user with its grants, its
    person and the person's jobs (their key groups, employers and the like load when asked for)."""
    from sqlalchemy.orm import make_transient_to_detached

    objects: dict[type, dict[int, object]] = {}
    for row in rows:
        for model, keys, start in parts:
            values = row[start:start + len(keys)]
            if values[keys.index("id")] is not None and values[keys.index("id")] not in objects.setdefault(model, {}):
                objects[model][values[keys.index("id")]] = model(**dict(zip(keys, values)))
    (user_model, _k, _s), (grant_model, _k2, _s2), (person_model, _k3, _s3), (job_model, _k4, _s4) = parts
    user = next(iter(objects[user_model].values()))
    user.grants = sorted(objects.get(grant_model, {}).values(), key=lambda grant: grant.id)
    person = next(iter(objects.get(person_model, {}).values()), None)
    user.person = person
    if person is not None:
        person.employments = sorted(objects.get(job_model, {}).values(), key=lambda job: job.id)
    for kind in objects.values():
        for instance in kind.values():
            make_transient_to_detached(instance)
    return user


def configure_login(login_manager: LoginManager) -> None:
    from sqlalchemy import inspect

    from portal.extensions import db
    from portal.models import User

    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    # Every page asks for the roles (grants, the person's jobs): one statement for the session, grants, person and
    # jobs as plain values; the objects come from the process's cache while those values stay the same. The key
    # groups are read when a page shows them (the course list asks trainee_group itself). Built once.
    statement, session_width, parts = _signed_in_statement()

    def user_key(user_id: int):
        return inspect(User).identity_key_from_primary_key((user_id,))

    @login_manager.user_loader
    def load_user(token: str):
        # The session token (User.get_id); a token of an ended, idle or expired session signs nobody in.
        if not token or "." in token:  # "<id>.<stamp>" came before sessions were kept on the server
            return _forget_session(None)
        rows = db.session.execute(statement, {"token_hash": login_sessions.token_hash(token)}).all()
        if not rows:
            return _forget_session(None)
        kept = _KeptSession(rows[0][:session_width])
        account = tuple(sorted({tuple(row[session_width:]) for row in rows}, key=repr))
        user_id = rows[0][parts[0][2] + parts[0][1].index("id")]
        cached = users.get(user_id, account)
        if cached is None:
            cached = _build_user(rows, parts)
            users.put(user_id, account, cached)
        now = utcnow()
        reason = login_sessions.expiry(kept, now, lifetimes())
        if reason is None and not cached.active:
            reason = "deactivated"
        if reason is not None:
            return _forget_session(reason)
        if login_sessions.needs_touch(kept, now) and not _has_pending_changes():
            with db.engine.begin() as connection:
                login_sessions.touch(connection, kept.id, now)
        # A copy for this request's session, unless the request already holds the account (loaded, perhaps changed,
        # before anything asked who is signed in): that one is kept as it is.
        user = db.session.identity_map.get(user_key(user_id)) or db.session.merge(cached, load=False)
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
