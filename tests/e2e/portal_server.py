"""The portal as the browser meets it: a real HTTP server on 127.0.0.1, a fresh seeded database.

The server runs in a thread of the test process (werkzeug's threaded server), so the tests can also
read the database to know what the journeys should see (the quiz's right answers, a valid certificate).
"""
from __future__ import annotations

import os
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable, Iterator, TypeVar

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.serving import WSGIRequestHandler, make_server

from portal import create_app
from portal.config import PROJECT_ROOT
from portal.domain.platform.localtime import local_today
from portal.extensions import db

T = TypeVar("T")


class QuietHandler(WSGIRequestHandler):
    """No access log on the test's output."""

    def log_request(self, *args, **kwargs) -> None:
        pass


@dataclass
class PortalServer:
    app: object
    base_url: str

    def url(self, path: str) -> str:
        return self.base_url + path

    def text(self, lang: str, message: str, **values) -> str:
        """`message` as the portal shows it in `lang` (from its own catalog)."""
        from flask_babel import force_locale, gettext

        with self.app.test_request_context(), force_locale(lang):
            return gettext(message, **values)

    def query(self, work: Callable[..., T]) -> T:
        """Run work(session) in an application context and commit; returns what it returns."""
        with self.app.app_context():
            try:
                result = work(db.session)
                db.session.commit()
                return result
            finally:
                db.session.remove()


@contextmanager
def fresh_database(tmp: Path) -> Iterator[str]:
    """A database nobody else uses: SQLite in `tmp`, or a new PostgreSQL database when DATABASE_URL names one."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        yield f"sqlite:///{tmp / 'e2e.sqlite3'}"
        return
    name = f"portal_e2e_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def seed(today: date) -> None:
    """What `flask db upgrade && flask setup && flask content sync && flask demo seed` leave behind."""
    from portal.domain.content.sync import sync_content
    from portal.domain.demo import seed_demo
    from portal.domain.workforce.reference import ensure_reference_data

    db.create_all(bind_key=None)
    ensure_reference_data(db.session)
    sync_content(db.session, PROJECT_ROOT)
    db.session.commit()
    seed_demo(db.session, today=today)
    db.session.commit()


@contextmanager
def serve_portal(tmp: Path, database_url: str) -> Iterator[PortalServer]:
    """Serve a seeded portal on 127.0.0.1 (a free port) until the block ends."""
    app = create_app({
        "PORTAL_ENV": "testing",
        "TESTING": False,  # errors render the portal's error pages, as in production
        "WTF_CSRF_ENABLED": True,  # a real browser sends the tokens
        "SQLALCHEMY_DATABASE_URI": database_url,
        "CONTENT_ROOT": PROJECT_ROOT,
        "STORAGE_PATH": str(tmp / "storage"),
        "SIGNING_KEY_PATH": str(tmp / "signing-key.pem"),
        # Every journey runs in two languages at two sizes from one address.
        "LOGIN_LIMIT_PER_ADDRESS": "1000 per 5 minutes",
        "CERT_VERIFY_RATE_LIMIT": "1000 per minute",
        # flask-compress's streaming mode drops the close() of the static files Flask streams, so each one
        # stays open until garbage collection (a ResourceWarning that fails whichever test is running).
        "COMPRESS_STREAMS": False,
    })
    with app.app_context():
        seed(local_today())
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    base_url = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_BASE_URL"] = base_url  # links in QR codes and invitations lead here
    thread = threading.Thread(target=server.serve_forever, name="e2e-portal", daemon=True)
    thread.start()
    try:
        yield PortalServer(app=app, base_url=base_url)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
