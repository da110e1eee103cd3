"""Engine settings applied per connection, and the session reports read from."""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session


def install_sqlite_pragmas(engine: Engine) -> None:
    """WAL journal, foreign keys on and a busy timeout for every SQLite connection."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def reporting_session() -> Session:
    """The session coverage views, reports and exports read from.

    Without DATABASE_REPLICA_URL this is the request's own session, so a report sees what the request
    has just written. With it, one read-only session on the replica per application context, closed
    when the context ends; whatever is read through it may lag the primary by the replica's delay.
    """
    from flask import g

    from portal.extensions import db

    engine = db.engines.get("replica")
    if engine is None:
        return db.session
    if "reporting_session" not in g:
        g.reporting_session = Session(engine, autoflush=False, expire_on_commit=False)
    return g.reporting_session


def close_reporting_session(_exception: BaseException | None = None) -> None:
    from flask import g

    session = g.pop("reporting_session", None)
    if session is not None:
        session.close()
