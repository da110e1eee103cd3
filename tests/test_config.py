import pytest
from sqlalchemy import text

from portal import create_app
from portal.config import ConfigError
from portal.extensions import db


def test_production_refuses_a_missing_or_default_secret_key(monkeypatch):
    for key in ("", "dev-only-change-me", "short"):
        with pytest.raises(ConfigError) as error:
            create_app({"PORTAL_ENV": "production", "SECRET_KEY": key, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
        assert "SECRET_KEY" in str(error.value)


def test_production_starts_with_a_real_key_and_secure_cookies():
    app = create_app({"PORTAL_ENV": "production", "SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]


def test_unknown_mode_is_refused():
    with pytest.raises(ConfigError):
        create_app({"PORTAL_ENV": "staging"})


def test_default_database_is_sqlite_in_the_instance_folder_with_wal_and_foreign_keys(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": None})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'instance' / 'portal.sqlite3'}"
    with app.app_context():
        with db.engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        db.engine.dispose()
