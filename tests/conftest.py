"""Fixtures: an app on a clean database (SQLite by default, PostgreSQL with DATABASE_URL)."""
from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from portal import create_app
from portal.extensions import db, limiter
from tests.factories import DEFAULT_PASSWORD

POSTGRES_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = POSTGRES_URL.startswith("postgresql")
FIXTURE_CONTENT = Path(__file__).parent / "fixtures" / "content"


def _compile_url_builders_once() -> None:
    """Each test gets a new app (about 1,500 a run), and werkzeug writes and compiles Python source for the URL
    builder of every route each time: 95% of create_app's time. A builder depends only on the rule's parts and
    defaults (the rule itself is its first argument), so the tests compile each one once."""
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder
    compiled: dict[tuple, object] = {}

    def once(rule: Rule, append_unknown: bool = True):
        key = (append_unknown, tuple(rule._trace), repr(sorted((rule.defaults or {}).items())))
        if key not in compiled:
            compiled[key] = compile_builder(rule, append_unknown)
        return compiled[key]

    Rule._compile_builder = once


_compile_url_builders_once()


def media_url(name: str, *, course: str = "sample-course", root: Path = FIXTURE_CONTENT) -> str:
    """The versioned URL a synced lesson shows a course's file under (the start of its SHA-256 in the path)."""
    data = (root / "courses" / course / "lessons" / name).read_bytes()
    return f"/me/courses/{course}/media/{hashlib.sha256(data).hexdigest()[:16]}/{name}"


def database_url(tmp_path: Path) -> str:
    return POSTGRES_URL if ON_POSTGRES else f"sqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def _postgres_schema():
    """On PostgreSQL, build the schema once; each test then truncates what it wrote."""
    if not ON_POSTGRES:
        yield
        return
    app = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": POSTGRES_URL})
    with app.app_context():
        db.drop_all(bind_key=None)
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all(bind_key=None)
        for engine in db.engines.values():
            engine.dispose()
    yield


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory):
    """On SQLite, the schema and the reference data built once: each test starts from a copy of this file."""
    if ON_POSTGRES:
        yield None
        return
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    app = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        from portal.domain.workforce.reference import ensure_reference_data

        db.create_all(bind_key=None)
        ensure_reference_data(db.session)
        db.session.commit()
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()
    assert not path.with_name(path.name + "-wal").exists(), "the template is whole in its one file"
    yield path


# Tables whose identity has moved since the last truncation (rows written, maybe deleted since).
MOVED_IDENTITIES = """
SELECT DISTINCT t.relname FROM pg_sequences q
JOIN pg_depend d ON d.objid = format('%I.%I', q.schemaname, q.sequencename)::regclass
JOIN pg_class t ON t.oid = d.refobjid AND t.relnamespace = 'public'::regnamespace
WHERE q.schemaname = 'public' AND q.last_value IS NOT NULL
"""


def _truncate_used() -> None:
    """Empty the tables the test wrote to and restart their identities (truncating all of them took 80 ms)."""
    names = [t.name for t in db.metadata.sorted_tables]
    holding_rows = " UNION ALL ".join(f"""SELECT '{name}' FROM (SELECT FROM "{name}" LIMIT 1) AS t""" for name in names)
    with db.engine.begin() as connection:
        used = set(connection.scalars(text(holding_rows))) | set(connection.scalars(text(MOVED_IDENTITIES)))
        if used:
            quoted = ", ".join(f'"{name}"' for name in sorted(used))
            connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))


@pytest.fixture
def app_config(tmp_path):
    """Extra configuration for one test module (override to change settings)."""
    return {}


@pytest.fixture
def app(tmp_path, _postgres_schema, _sqlite_template, app_config):
    if _sqlite_template:
        shutil.copyfile(_sqlite_template, tmp_path / "test.sqlite3")
    config = {
        "PORTAL_ENV": "testing",
        "SQLALCHEMY_DATABASE_URI": database_url(tmp_path),
        "CONTENT_ROOT": FIXTURE_CONTENT,
        "STORAGE_PATH": str(tmp_path / "storage"),
        "SIGNING_KEY_PATH": str(tmp_path / "signing-key.pem"),
        **app_config,
    }
    app = create_app(config)
    with app.app_context():
        limiter.reset()
        from portal.domain.workforce.reference import ensure_reference_data

        ensure_reference_data(db.session)
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        if ON_POSTGRES:
            _truncate_used()
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture
def session(app):
    """The database session of the test's application context."""
    return db.session


@pytest.fixture
def login(client):
    """login(user) logs the test client in as that user."""

    def do_login(user, password: str = DEFAULT_PASSWORD):
        response = client.post("/auth/login", data={"login": user.username or user.mobile, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    return do_login
