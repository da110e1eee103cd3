"""Engine settings that must be applied per connection."""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine


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


def reporting_bind():
    """The engine reports and exports read from: the replica when DATABASE_REPLICA_URL is set."""
    from portal.extensions import db

    engines = db.engines
    return engines.get("replica", db.engine)
