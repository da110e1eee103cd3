"""What this process runs with, for bug reports (`flask versions`, printed by `make run` and `make test`):
Python, SQLite, the PostgreSQL driver, the packages pyproject.toml names, the database server, and the
Debian packages the Makefile installs (those are not pinned, only reported)."""
from __future__ import annotations

import platform
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterable
from importlib import metadata

from sqlalchemy import Engine

DISTRIBUTION = "fire-safety-portal"
# Not named in pyproject.toml, but what a Flask bug report needs first.
KEY_INDIRECT = ("werkzeug", "jinja2")


def runtime_versions(engine: Engine | None) -> list[tuple[str, str]]:
    """(what, version) for the interpreter, SQLite, libpq under psycopg, and the database server of `engine`."""
    rows = [
        ("python", f"{platform.python_version()} ({platform.python_implementation()}, {sys.prefix})"),
        ("platform", platform.platform()),
        ("sqlite", f"{sqlite3.sqlite_version} (the library Python's sqlite3 module uses)"),
        ("libpq", _libpq_version()),
    ]
    if engine is not None:
        rows.append(("database", _database_version(engine)))
    return rows


def package_versions() -> list[tuple[str, str]]:
    """(name, installed version) of the project and of every base dependency in pyproject.toml, plus
    Werkzeug and Jinja; the optional extras (tests, load) are left out."""
    try:
        requires = metadata.requires(DISTRIBUTION) or []
        rows = [(DISTRIBUTION, metadata.version(DISTRIBUTION))]
    except metadata.PackageNotFoundError:
        return [(DISTRIBUTION, "not installed (pip install --no-deps -e .)")]
    names = [re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", r).group(0) for r in requires if "extra ==" not in r]
    for name in sorted({n.lower() for n in names} | set(KEY_INDIRECT)):
        try:
            rows.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            rows.append((name, "not installed"))
    return rows


def debian_versions(packages: Iterable[str]) -> list[tuple[str, str]]:
    """(package, installed version or 'not installed') per Debian package; a name may be a dpkg pattern
    (postgresql-client-[0-9]*), reported once per installed match."""
    if shutil.which("dpkg-query") is None:
        return [(name, "unknown (no dpkg-query: not a Debian system)") for name in packages]
    rows = []
    for name in packages:
        done = subprocess.run(["dpkg-query", "-W", "-f", "${Package}\t${db:Status-Status}\t${Version}\n", name],
                              capture_output=True, text=True)
        found = [line.split("\t") for line in done.stdout.splitlines() if line.count("\t") == 2]
        installed = [(package, version) for package, status, version in found if status == "installed"]
        rows.extend(installed or [(name, "not installed")])
    return rows


def _libpq_version() -> str:
    """The PostgreSQL client library psycopg talks through (its binary package brings its own)."""
    try:
        import psycopg
    except ImportError:
        return "psycopg not installed"
    libpq = psycopg.pq.version()
    return f"{libpq // 10000}.{libpq % 10000} (psycopg {psycopg.__version__}, {psycopg.pq.__impl__} implementation)"


def _database_version(engine: Engine) -> str:
    where = engine.url.render_as_string(hide_password=True)
    if engine.dialect.name == "sqlite":
        return f"SQLite ({where})"
    try:
        with engine.connect() as connection:
            server = ".".join(str(part) for part in connection.dialect.server_version_info or ())
    except Exception as error:  # noqa: BLE001 (a report, not a check: say what went wrong and go on)
        return f"{engine.dialect.name} at {where}: not reachable ({type(error).__name__})"
    return f"{engine.dialect.name} {server} ({where})"
