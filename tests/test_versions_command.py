"""`flask versions`: what a bug report names (printed by `make run` and `make test`)."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from portal.domain.platform.versions import debian_versions, runtime_versions


def test_versions_names_python_sqlite_the_driver_the_packages_and_the_database(app):
    result = app.test_cli_runner().invoke(args=["versions"])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line.split(None, 1)[1] for line in result.output.splitlines() if line.startswith("  ")}
    assert lines["sqlite"].startswith(sqlite3.sqlite_version)
    assert f"psycopg {metadata.version('psycopg')}" in lines["libpq"]
    for name in ("psycopg", "flask", "sqlalchemy", "flask-babel", "reportlab", "werkzeug", "fire-safety-portal"):
        assert lines[name] == metadata.version(name)
    assert "pytest" not in lines  # the extras are not what the portal runs with
    assert lines["database"].startswith(("SQLite", "postgresql 1"))
    assert "Debian packages:" not in result.output


def test_the_database_line_hides_the_password_and_survives_an_unreachable_server():
    engine = create_engine("postgresql+psycopg://portal:s3cret@127.0.0.1:1/portal", connect_args={"connect_timeout": 1})
    database = dict(runtime_versions(engine))["database"]
    assert "s3cret" not in database and "not reachable" in database
    engine.dispose()


@pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="not a Debian system")
def test_debian_packages_are_reported_installed_or_not(app):
    result = app.test_cli_runner().invoke(args=["versions", "--debian", "no-such-package-here"])
    assert "Debian packages:" in result.output
    assert "no-such-package-here" in result.output and "not installed" in result.output
    rows = dict(debian_versions(["fonts-wqy-zenhei", "postgresql-client-[0-9]*"]))
    assert rows["fonts-wqy-zenhei"][0].isdigit()  # the suite's PDFs need it (make test installs it)
    assert any(name.startswith("postgresql-client-") for name in rows)


def test_flask_finds_the_app_from_the_checkout_without_flask_app(tmp_path):
    """The README's `flask ...` commands work as written: `.flaskenv` names the app (python-dotenv reads it)."""
    checkout = Path(__file__).resolve().parents[1]
    env = {key: value for key, value in os.environ.items() if key != "FLASK_APP"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    flask = Path(sys.executable).with_name("flask")
    result = subprocess.run([str(flask), "versions"], cwd=checkout, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert "fire-safety-portal" in result.stdout
