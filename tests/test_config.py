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


def test_development_without_a_key_makes_its_own_in_the_instance_folder(tmp_path, monkeypatch):
    """No published default key: a forged session cookie would have been any account on any demo left reachable."""
    import stat

    from portal.config import DEFAULT_SECRET_KEY

    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path / "instance"))
    first = create_app({"PORTAL_ENV": "development", "SECRET_KEY": None, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    path = tmp_path / "instance" / "secret_key"
    key = first.config["SECRET_KEY"]
    assert len(key) >= 64 and key != DEFAULT_SECRET_KEY and path.read_text().strip() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = create_app({"PORTAL_ENV": "development", "SECRET_KEY": DEFAULT_SECRET_KEY,
                        "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert again.config["SECRET_KEY"] == key  # the next start reads it (the published default is never used)
    chosen = create_app({"PORTAL_ENV": "development", "SECRET_KEY": "y" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert chosen.config["SECRET_KEY"] == "y" * 40
    assert sorted(p.name for p in path.parent.iterdir()) == ["secret_key"]  # no drafts left behind


def test_production_never_makes_a_key_and_tests_keep_theirs(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path / "instance"))
    with pytest.raises(ConfigError):
        create_app({"PORTAL_ENV": "production", "SECRET_KEY": None, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"}).config[
        "SECRET_KEY"] == "testing-secret"
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_a_damaged_key_file_is_refused_with_what_to_do(tmp_path):
    from portal.config import instance_secret_key

    (tmp_path / "secret_key").write_text("short\n")
    with pytest.raises(ConfigError) as error:
        instance_secret_key(tmp_path)
    assert "delete it" in str(error.value)
