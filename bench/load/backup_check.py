"""`make backup-check`: `flask backup create` on a demo database, `flask backup restore` into a fresh one,
then compare them table by table, on SQLite (online backup API) and on PostgreSQL (pg_dump/pg_restore).

    .venv/bin/python bench/load/backup_check.py --record

For each database: build the demo (schema, real curriculum, demo district with certificates), back it up
with the real CLI, restore the file with the real CLI into a database that did not exist, then check that
both hold the same schema (tables, columns, indexes, constraints), the same rows in every table, the same
sequence positions (PostgreSQL), and that the restored portal serves the demo trainee's pages. Files in
bench/out/backup/; PostgreSQL databases portal_backup_demo and portal_backup_restored (dropped at the end).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import MetaData, create_engine, insert, select, text

import harness

SOURCE, TARGET = "portal_backup_demo", "portal_backup_restored"


def fingerprint(url: str) -> dict:
    """Schema, rows (a hash per table, order-free) and sequence positions of a database."""
    engine = create_engine(url)
    try:
        metadata = MetaData()
        metadata.reflect(bind=engine)
        tables = {}
        with engine.connect() as connection:
            for table in sorted(metadata.tables.values(), key=lambda t: t.name):
                rows = sorted(repr(tuple(row)) for row in connection.execute(select(table)))
                tables[table.name] = {"rows": len(rows),
                                      "hash": hashlib.sha256("\n".join(rows).encode()).hexdigest()[:16]}
            schema, sequences = _schema(connection, engine.dialect.name)
    finally:
        engine.dispose()
    return {"tables": tables, "schema": schema, "sequences": sequences}


def _schema(connection, dialect: str) -> tuple[list, dict]:
    if dialect == "sqlite":
        schema = [tuple(row) for row in connection.execute(text(
            "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"))]
        return schema, {}
    columns = connection.execute(text(
        "SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns "
        "WHERE table_schema = 'public' ORDER BY table_name, column_name")).all()
    indexes = connection.execute(text(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname")).all()
    constraints = connection.execute(text(
        "SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
        "WHERE n.nspname = 'public' ORDER BY c.conname")).all()
    sequences = dict(connection.execute(text(
        "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")).all())
    return [tuple(map(str, row)) for row in (*columns, *indexes, *constraints)], sequences


def restored_portal_works(url: str, workdir: Path) -> bool:
    """The restored database serves the portal: the demo trainee logs in and sees the home page."""
    from portal import create_app
    from portal.extensions import db

    app = create_app({"PORTAL_ENV": "development", "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                      "STORAGE_PATH": str(workdir / "storage")})
    try:
        client = app.test_client()
        health = client.get("/healthz").status_code
        login = client.post("/auth/login", data={"login": "trainee", "password": "Demo-Pass-2026"})
        home = client.get("/me/")
        return health == 200 and login.status_code == 302 and home.status_code == 200
    finally:
        with app.app_context():
            db.engine.dispose()


def backup_while_writing(env: dict, source: str, target: str, backup: Path, log: Path) -> dict:
    """`flask backup create` while another connection commits two audit rows per transaction, as fast as it can.

    The restored copy must hold a consistent snapshot: transactions 1..k complete, none half there, and k
    between the last commit before the backup started and the last one before it ended.
    """
    from portal.models import AuditEvent

    engine = create_engine(source, connect_args={"timeout": 30} if source.startswith("sqlite") else {})
    stop, committed = threading.Event(), [0]

    def write() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            with engine.begin() as connection:
                connection.execute(insert(AuditEvent.__table__), [
                    {"action": "backup_check.write", "target_type": "marker", "target_id": str(n), "details": {"part": part},
                     "address": ""} for part in ("a", "b")])
            committed[0] = n

    writer = threading.Thread(target=write)
    writer.start()
    try:
        time.sleep(0.5)
        first = committed[0]
        harness.flask(env, "backup", "create", "--out", str(backup), log=log)
        last = committed[0]
        time.sleep(0.3)
    finally:
        stop.set()
        writer.join()
        engine.dispose()
    harness.flask({**env, "DATABASE_URL": target}, "backup", "restore", str(backup), "--yes", log=log)
    restored = create_engine(target)
    try:
        with restored.connect() as connection:
            parts = Counter(int(row[0]) for row in connection.execute(text(
                "SELECT target_id FROM audit_event WHERE action = 'backup_check.write'")))
            healthy = True
            if restored.dialect.name == "sqlite":
                healthy = (connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
                           and not connection.execute(text("PRAGMA foreign_key_check")).all())
    finally:
        restored.dispose()
    k = max(parts, default=0)
    return {"committed_during_backup": last - first, "restored_transactions": k,
            "half_there": sum(1 for count in parts.values() if count != 2),
            "consistent": set(parts) == set(range(1, k + 1)) and all(c == 2 for c in parts.values())
                          and first <= k <= last + 1 and healthy}


def check(backend: str, workdir: Path) -> dict:
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ["PORTAL_INSTANCE_PATH"] = str(workdir / "instance")  # this process's app keeps out of instance/
    log = workdir / "commands.log"
    log.unlink(missing_ok=True)
    backup = workdir / "portal.backup"
    backup.unlink(missing_ok=True)
    if backend == "sqlite":
        for name in ("demo.sqlite3", "restored.sqlite3"):
            for suffix in ("", "-wal", "-shm"):
                (workdir / (name + suffix)).unlink(missing_ok=True)
        source, target = f"sqlite:///{workdir / 'demo.sqlite3'}", f"sqlite:///{workdir / 'restored.sqlite3'}"
    else:
        source, target = harness.recreate_database(SOURCE), harness.recreate_database(TARGET)
    env = harness.portal_env(source, workdir, PORTAL_ENV="development")
    harness.build_demo_database(env, log)
    started = time.perf_counter()
    harness.flask(env, "backup", "create", "--out", str(backup), log=log)
    created = time.perf_counter() - started
    started = time.perf_counter()
    harness.flask({**env, "DATABASE_URL": target}, "backup", "restore", str(backup), "--yes", log=log)
    restored = time.perf_counter() - started
    before, after = fingerprint(source), fingerprint(target)
    differing = sorted(name for name in before["tables"].keys() | after["tables"].keys()
                       if before["tables"].get(name) != after["tables"].get(name))
    result = {
        "backend": backend, "tables": len(before["tables"]),
        "rows": sum(t["rows"] for t in before["tables"].values()),
        "backup_bytes": backup.stat().st_size, "create_seconds": round(created, 2), "restore_seconds": round(restored, 2),
        "same_rows": not differing, "differing_tables": differing,
        "same_schema": before["schema"] == after["schema"], "same_sequences": before["sequences"] == after["sequences"],
        "sequences": len(before["sequences"]), "portal_serves_restored": restored_portal_works(target, workdir),
    }
    if backend == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            (workdir / ("restored.sqlite3" + suffix)).unlink(missing_ok=True)
    else:
        harness.recreate_database(TARGET)
    result["under_writes"] = backup_while_writing(env, source, target, workdir / "portal-under-writes.backup", log)
    result["ok"] = all(result[k] for k in ("same_rows", "same_schema", "same_sequences", "portal_serves_restored")) \
        and result["under_writes"]["consistent"]
    if backend == "postgresql":
        harness.drop_database(SOURCE)
        harness.drop_database(TARGET)
    return result


def markdown(results: list[dict], machine: str) -> str:
    yes = {True: "yes", False: "**NO**"}
    lines = [
        "### Backup check: restore into a fresh database and compare",
        "",
        f"`make backup-check` = `.venv/bin/python bench/load/backup_check.py --record` ({machine}).",
        "The demo database (schema, real curriculum, demo district with completions and certificates) is backed up",
        "with `flask backup create`, restored with `flask backup restore --yes` into a fresh, empty database (SQLite: a new file),",
        "and compared (times include the `flask` start-up): every table's rows (count and an order-free hash), the schema (SQLite: `sqlite_master`;",
        "PostgreSQL: columns, indexes and constraints), the sequences' positions; then the restored portal",
        "must answer `/healthz` and let the demo trainee log in and open the home page.",
        "",
        "| database | method | tables | rows | backup | create | restore | same rows | same schema | same sequences | portal works |",
        "|---|---|---:|---:|---:|---:|---:|---|---|---|---|",
    ]
    for r in results:
        method = "online backup API" if r["backend"] == "sqlite" else "pg_dump -Fc / pg_restore"
        sequences = yes[r["same_sequences"]] + (f" ({r['sequences']})" if r["sequences"] else " (none)")
        lines.append(f"| {r['backend']} | {method} | {r['tables']} | {r['rows']} | {r['backup_bytes'] / 1024:.0f} KB | "
                     f"{r['create_seconds']} s | {r['restore_seconds']} s | {yes[r['same_rows']]} | "
                     f"{yes[r['same_schema']]} | {sequences} | {yes[r['portal_serves_restored']]} |")
        if r["differing_tables"]:
            lines.append(f"\nDiffering tables on {r['backend']}: {', '.join(r['differing_tables'])}")
    lines += ["", "Online: a second backup is taken while another connection commits two audit rows per transaction",
              "as fast as it can; the restored copy must hold transactions 1..k complete (none half there), with k",
              "within the backup's run, and pass SQLite's `integrity_check` and `foreign_key_check`.", "",
              "| database | transactions committed during the backup | restored (k) | half there | consistent |",
              "|---|---:|---:|---:|---|"]
    for r in results:
        w = r["under_writes"]
        lines.append(f"| {r['backend']} | {w['committed_during_backup']} | {w['restored_transactions']} | "
                     f"{w['half_there']} | {yes[w['consistent']]} |")
    passed = all(r["ok"] for r in results)
    lines += ["", f"Result: **{'passed' if passed else 'FAILED'}**."]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--out", type=Path, default=harness.ROOT / "bench" / "out" / "backup")
    parser.add_argument("--record", action="store_true", help="write the result into bench/RESULTS.md")
    args = parser.parse_args()
    out = args.out.resolve()
    machine = harness.machine_line()
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    results = []
    for backend in backends:
        print(f"{backend}: building the demo database, backing up, restoring, comparing...", flush=True)
        results.append(check(backend, out / backend))
    (out / "summary.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    report = markdown(results, machine)
    print(report)
    if args.record:
        harness.record_result("backup", report)
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
