"""Every schema change is a migration: upgrading an empty database gives exactly the models."""
from __future__ import annotations

import flask_migrate
import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, make_url, text

from portal import create_app
from portal.extensions import db
from tests.conftest import ON_POSTGRES, POSTGRES_URL

SCRATCH_DATABASE = "portal_migrations_test"


@pytest.fixture
def empty_database_url(tmp_path):
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    url = make_url(POSTGRES_URL)
    admin = f"host={url.host} port={url.port or 5432} user={url.username} dbname={url.database}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{SCRATCH_DATABASE}"')
        connection.execute(f'CREATE DATABASE "{SCRATCH_DATABASE}"')
    yield url.set(database=SCRATCH_DATABASE).render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{SCRATCH_DATABASE}" WITH (FORCE)')


def index_names(table: str) -> set[str]:
    """The table's indexes, expression indexes included (SQLAlchemy does not reflect those on SQLite)."""
    if db.engine.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = :table"
    else:
        query = "SELECT indexname FROM pg_indexes WHERE tablename = :table"
    with db.engine.connect() as connection:
        return set(connection.scalars(text(query), {"table": table}))


# SQLAlchemy cannot reflect an expression index from SQLite, so the comparison skips it there (with these
# warnings); the test looks it up by name instead.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
def test_upgrade_to_head_matches_the_models_and_downgrade_to_base_works(empty_database_url):
    app = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == []
        assert "trainee" in inspect(db.engine).get_table_names()
        assert "ix_user_account_lower_username" in index_names("user_account")
        flask_migrate.downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()
