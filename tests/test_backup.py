"""flask backup create / restore: a backup restored into a fresh database holds the same data."""
from __future__ import annotations

import psycopg
from sqlalchemy import func, make_url, select

from portal import create_app
from portal.domain.platform.backup import restore_backup
from portal.extensions import db
from portal.models import Organization, Person, Trainee
from tests.conftest import ON_POSTGRES, POSTGRES_URL
from tests.factories import make_org, make_trainee

RESTORE_DATABASE = "portal_restore_test"


def _counts(session) -> tuple[int, int, list[str]]:
    return (session.scalar(select(func.count()).select_from(Organization)),
            session.scalar(select(func.count()).select_from(Trainee)),
            sorted(session.scalars(select(Person.real_name))))


def _fresh_database_url(tmp_path) -> str:
    if not ON_POSTGRES:
        return f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    url = make_url(POSTGRES_URL)
    with psycopg.connect(f"host={url.host} port={url.port or 5432} user={url.username} dbname={url.database}",
                         autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{RESTORE_DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{RESTORE_DATABASE}"')
    return url.set(database=RESTORE_DATABASE).render_as_string(hide_password=False)


def test_backup_then_restore_into_a_fresh_database(app, session, tmp_path):
    org = make_org("备份测试单位")
    for name in ("甲", "乙", "丙"):
        make_trainee(org, name=name)
    session.commit()
    expected = _counts(session)
    backup = tmp_path / "portal.backup"
    result = app.test_cli_runner().invoke(args=["backup", "create", "--out", str(backup)])
    assert result.exit_code == 0, result.output
    assert backup.stat().st_size > 0

    fresh_url = _fresh_database_url(tmp_path)
    # the CLI runs in the test app's context, so the fresh database is restored through the domain function
    restore_backup(fresh_url, backup)
    fresh = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": fresh_url})
    with fresh.app_context():
        assert _counts(db.session) == expected
        db.session.remove()
        db.engine.dispose()
    if ON_POSTGRES:
        url = make_url(POSTGRES_URL)
        with psycopg.connect(f"host={url.host} user={url.username} dbname={url.database}", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{RESTORE_DATABASE}" WITH (FORCE)')


def test_restore_of_a_missing_file_fails_clearly(app):
    result = app.test_cli_runner().invoke(args=["backup", "restore", "/nonexistent.backup", "--yes"])
    assert result.exit_code != 0
