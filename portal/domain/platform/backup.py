"""Backups: SQLite through its online backup API, PostgreSQL through pg_dump / pg_restore."""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL, make_url


class BackupError(RuntimeError):
    """A backup or restore could not be made; the message says why."""


def _libpq_url(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def create_backup(database_url: str, out: Path) -> Path:
    """Write a consistent backup of the database to `out` while the portal keeps running."""
    url = make_url(database_url)
    out.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(_sqlite_path(url), out)
        return out
    if url.get_backend_name() == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(out), "--dbname", _libpq_url(url)])
        return out
    raise BackupError(f"no backup method for {url.get_backend_name()}")


def restore_backup(database_url: str, backup: Path) -> None:
    """Replace the database's contents with the backup's."""
    if not backup.exists():
        raise BackupError(f"no such backup file: {backup}")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(backup, _sqlite_path(url))
        return
    if url.get_backend_name() == "postgresql":
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
              "--dbname", _libpq_url(url), str(backup)])
        return
    raise BackupError(f"no restore method for {url.get_backend_name()}")


def _sqlite_copy(source_path: Path, target_path: Path) -> None:
    """Copy one SQLite database onto another page by page (SQLite's online backup API)."""
    source, target = sqlite3.connect(source_path), sqlite3.connect(target_path)
    try:
        with target:
            source.backup(target)
    finally:
        source.close()
        target.close()


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (Debian: apt-get install postgresql-client)")
    result = subprocess.run(command, capture_output=True, text=True, timeout=3600)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:500]}")
