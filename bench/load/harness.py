"""What the load test, the kill test and the backup check share: a demo database on PostgreSQL with
load-test trainees, gunicorn started the way deploy/ starts it, a headless locust run and its figures,
and writing a result into its own part of bench/RESULTS.md."""
from __future__ import annotations

import csv
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import requests
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "RESULTS.md"
SECTION = "## Security and reliability"
POSTGRES = os.environ.get("LOAD_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432")
LOAD_PASSWORD = "Load-Pass-2026"
ACCOUNT_PREFIX = "load"


def database_url(name: str) -> str:
    return f"{POSTGRES}/{name}"


def _admin_connection() -> psycopg.Connection:
    url = make_url(POSTGRES + "/postgres")
    return psycopg.connect(host=url.host, port=url.port or 5432, user=url.username, password=url.password,
                           dbname="postgres", autocommit=True)


def recreate_database(name: str) -> str:
    """An empty PostgreSQL database of this name (an old one is dropped); returns its URL."""
    with _admin_connection() as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return database_url(name)


def drop_database(name: str) -> None:
    with _admin_connection() as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def portal_env(database: str, workdir: Path, **extra: str) -> dict[str, str]:
    """The environment of every portal process of a run: its own database and instance folder."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("REDIS_URL", "DATABASE_REPLICA_URL", "PORTAL_ENV", "SECRET_KEY")}
    env.update(FLASK_APP="portal", DATABASE_URL=database, PORTAL_INSTANCE_PATH=str(workdir / "instance"),
               STORAGE_PATH=str(workdir / "instance" / "storage"), PYTHONUNBUFFERED="1", **extra)
    return env


def flask(env: dict[str, str], *args: str, log: Path | None = None) -> str:
    """Run one `flask ...` command; fails loudly with its output."""
    result = subprocess.run([str(BIN / "flask"), *args], env=env, cwd=ROOT, capture_output=True, text=True)
    if log is not None:
        with log.open("a", encoding="utf-8") as out:
            out.write(f"$ flask {' '.join(args)}\n{result.stdout}{result.stderr}\n")
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def build_demo_database(env: dict[str, str], log: Path) -> None:
    """The schema, the real curriculum and the demo district (what `make run` sets up)."""
    for command in (("db", "upgrade"), ("setup",), ("content", "sync"), ("demo", "seed")):
        flask(env, *command, log=log)


def add_load_trainees(database: str, count: int) -> None:
    """`count` trainee accounts load0001... in every key group (so every course is open to them): a person with
    the account and one employment (roster row) each.

    The password is hashed once with the portal's own hasher and the hash reused: argon2 is slow on purpose.
    """
    from sqlalchemy import select

    from portal import create_app
    from portal.domain.platform.passwords import hash_password
    from portal.extensions import db
    from portal.models import KeyGroup, Organization, Person, Trainee, User

    app = create_app({"PORTAL_ENV": "development", "SQLALCHEMY_DATABASE_URI": database})
    with app.app_context():
        password_hash = hash_password(LOAD_PASSWORD)
        groups = list(db.session.scalars(select(KeyGroup).where(KeyGroup.active.is_(True))))
        orgs = list(db.session.scalars(select(Organization).order_by(Organization.id)))
        for n in range(1, count + 1):
            org = orgs[n % len(orgs)]
            user = User(username=f"{ACCOUNT_PREFIX}{n:04d}", display_name=f"压测学员{n}", password_hash=password_hash)
            person = Person(real_name=f"压测学员{n}", mobile=f"137{n:08d}", user=user)
            db.session.add(Trainee(person=person, organization=org, locality=org.locality, post="营业员",
                                   groups=groups))
        db.session.commit()
        db.engine.dispose()


@dataclass
class Server:
    """gunicorn with deploy/gunicorn.conf.py serving bench/load/load_app.py, in its own process group."""

    env: dict[str, str]
    log: Path
    port: int = int(os.environ.get("LOAD_PORT", "8765"))
    extra_args: tuple[str, ...] = ()  # gunicorn options over deploy/gunicorn.conf.py, for experiments
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {**self.env, "GUNICORN_BIND": f"127.0.0.1:{self.port}"}
        with self.log.open("a", encoding="utf-8") as out:
            out.write(f"--- gunicorn starting at {time.strftime('%H:%M:%S')}\n")
            self.process = subprocess.Popen(
                [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", *self.extra_args, "--pythonpath", "bench/load",
                 "load_app:app"],
                env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        self.wait_until_up()

    def wait_until_up(self, seconds: float = 90) -> None:
        give_up_at = time.monotonic() + seconds
        while time.monotonic() < give_up_at:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log}")
            try:
                if requests.get(f"{self.base}/healthz", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer /healthz within {seconds} s; see {self.log}")

    def pids(self) -> list[int]:
        """The master and its workers (every process of the group)."""
        found = subprocess.run(["pgrep", "-g", str(self.process.pid)], capture_output=True, text=True)
        return [int(pid) for pid in found.stdout.split()]

    def kill(self) -> list[int]:
        """SIGKILL the master and every worker at once, as a crash or the OOM killer would."""
        pids = self.pids()
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        with self.log.open("a", encoding="utf-8") as out:
            out.write(f"--- SIGKILL to gunicorn master and workers {pids} at {time.strftime('%H:%M:%S')}\n")
        return pids

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)


def server_env(database: str, workdir: Path) -> dict[str, str]:
    """Production settings; login limits raised because every simulated trainee comes from 127.0.0.1."""
    return portal_env(database, workdir, PORTAL_ENV="production", SECRET_KEY=secrets.token_hex(32), PROXY_COUNT="0",
                      LOGIN_LIMIT_PER_ADDRESS="100000 per minute", LOGIN_BACKOFF_AFTER="1000")


def prepare(database_name: str, workdir: Path, users: int) -> tuple[str, dict[str, str]]:
    """A fresh database with the demo district and `users` load trainees; the server's environment."""
    workdir.mkdir(parents=True, exist_ok=True)
    database = recreate_database(database_name)
    build_demo_database(portal_env(database, workdir, PORTAL_ENV="development"), workdir / "setup.log")
    os.environ["PORTAL_INSTANCE_PATH"] = str(workdir / "instance")  # this process's app, too, keeps out of instance/
    add_load_trainees(database, users)
    return database, server_env(database, workdir)


def locust_command(base: str, users: int, spawn_rate: float, seconds: int, workdir: Path, *,
                   user_class: str = "Trainee", name: str = "locust") -> list[str]:
    """A headless locust run of locustfile.py's `user_class`, its CSV files and log named `name` in workdir."""
    return [str(BIN / "locust"), "-f", str(ROOT / "bench" / "load" / "locustfile.py"), "--headless",
            "--host", base, "-u", str(users), "-r", str(spawn_rate), "-t", f"{seconds}s", "--stop-timeout", "10",
            "--csv", str(workdir / name), "--only-summary", "--loglevel", "WARNING",
            "--logfile", str(workdir / f"{name}.log"), user_class]


def locust_env(server: dict[str, str], record: Path, think: str, retry_seconds: float = 0) -> dict[str, str]:
    env = {key: value for key, value in server.items() if key != "SECRET_KEY"}
    env.update(LOAD_RECORD=str(record), LOAD_PASSWORD=LOAD_PASSWORD, LOAD_ACCOUNT_PREFIX=ACCOUNT_PREFIX,
               LOAD_THINK=think, LOAD_RETRY_SECONDS=str(retry_seconds))
    return env


def locust_figures(workdir: Path, name: str = "locust") -> dict:
    """Requests, failures and percentiles (ms) from locust's CSV files, overall and per page."""
    with (workdir / f"{name}_stats.csv").open(encoding="utf-8") as stats:
        rows = list(csv.DictReader(stats))
    with (workdir / f"{name}_failures.csv").open(encoding="utf-8") as failures:
        failed = [{"method": r["Method"], "name": r["Name"], "error": r["Error"], "count": int(r["Occurrences"])}
                  for r in csv.DictReader(failures)]

    def figures(row: dict) -> dict:
        return {"requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                "p50": _ms(row["50%"]), "p95": _ms(row["95%"]), "p99": _ms(row["99%"]), "max": _ms(row["Max Response Time"]),
                "rps": round(float(row["Requests/s"]), 1)}

    total = next(r for r in rows if r["Name"] == "Aggregated")
    pages = {f"{r['Type']} {r['Name']}": figures(r) for r in rows if r["Name"] != "Aggregated"}
    return {"total": figures(total), "pages": pages, "failures": failed}


def _ms(value: str) -> float | None:
    return None if value in ("", "N/A") else round(float(value))


def record_result(key: str, markdown: str) -> None:
    """Put `markdown` between this key's markers in the Security and reliability section of RESULTS.md."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    begin, end = f"<!-- {key}: begin -->", f"<!-- {key}: end -->"
    block = f"{begin}\n{markdown.strip()}\n{end}"
    if begin in text and end in text:
        text = text[:text.index(begin)] + block + text[text.index(end) + len(end):]
    else:
        if SECTION not in text:
            text = text.rstrip() + f"\n\n{SECTION}\n"
        start = text.index(SECTION)
        following = text.find("\n## ", start + len(SECTION))
        cut = len(text.rstrip()) if following == -1 else following
        text = text[:cut].rstrip() + "\n\n" + block + "\n" + text[cut:]
    RESULTS.write_text(text.rstrip() + "\n", encoding="utf-8")


def machine_line() -> str:
    load = os.getloadavg()[0]
    return (f"{time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores shared with other work (load average "
            f"{load:.1f} at the start), CPython {sys.version.split()[0]}, PostgreSQL on 127.0.0.1")


def figures_table(figures: dict) -> str:
    """Overall and per-page figures as a Markdown table (times in ms)."""
    lines = ["| request | count | failures | p50 | p95 | p99 | max |", "|---|---:|---:|---:|---:|---:|---:|"]
    total = figures["total"]
    lines.append(f"| **all** | **{total['requests']}** | **{total['failures']}** | **{total['p50']}** | "
                 f"**{total['p95']}** | {total['p99']} | {total['max']} |")
    for name, row in sorted(figures["pages"].items(), key=lambda item: -item[1]["requests"]):
        lines.append(f"| `{name}` | {row['requests']} | {row['failures']} | {row['p50']} | {row['p95']} | "
                     f"{row['p99']} | {row['max']} |")
    return "\n".join(lines)


def verification_lines(report: dict) -> str:
    answers, integrity = report["answers"], report["integrity"]
    states = ", ".join(f"{n} {status}" for status, n in sorted(integrity["attempts"].items())) or "none"
    lines = [
        f"- answers acknowledged (`saved: true`): **{answers['acknowledged']}** on {answers['acknowledged_items']} "
        f"questions; in the database: **{answers['kept'] + answers['kept_as_later_answer']}** "
        f"({answers['kept_as_later_answer']} of them as a later answer whose reply was lost); "
        f"**lost: {answers['lost']}**",
        f"- lessons acknowledged as read: {report['reads']['acknowledged']}, lost: {report['reads']['lost']}; "
        f"submits acknowledged: {report['submits']['acknowledged']}, not graded: {report['submits']['lost']}",
        f"- attempts in the database: {states}; broken attempts: "
        + ("none" if not integrity["problems"] else "; ".join(integrity["problems"])),
    ]
    problems = [p for part in ("answers", "reads", "submits") for p in report[part]["problems"]]
    if problems:
        lines.append("- problems: " + "; ".join(problems[:10]))
    return "\n".join(lines)


def gunicorn_model() -> str:
    """The worker model deploy/gunicorn.conf.py gives on this machine (with this environment)."""
    settings: dict = {}
    exec(compile((ROOT / "deploy" / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), settings)
    return f"{settings['worker_class']}, {settings['workers']} workers × {settings['threads']} threads"


def duration(seconds: int) -> str:
    return f"{seconds // 60} minutes" if seconds % 60 == 0 and seconds >= 120 else f"{seconds} seconds"


RESENT = "(connection closed by the server: resent)"
BUSY = "(busy: sent again)"


def busy_line(figures: dict) -> str:
    """How many logins were answered "busy, try again in a moment" (503) and sent again (locustfile.Trainee.call)."""
    busy = sum(row["requests"] for name, row in figures["pages"].items() if BUSY in name)
    if not busy:
        return "No login was answered \"busy\"."
    return (f"{busy} login(s) answered \"busy, try again in a moment\" (503 with Retry-After: more password checks "
            "at once than the workers run) and sent again after it, as a person would: the rows marked \"busy\", "
            "not failures.")


def resent_line(figures: dict, why: str = "keep-alive timeout, or a worker recycled by `max_requests`") -> str:
    """How many requests the simulated browsers had to send twice (see locustfile.closed_before_answering)."""
    resent = {name.replace(RESENT, "").strip(): row["requests"] for name, row in figures["pages"].items() if RESENT in name}
    if not resent:
        return "No request had to be resent."
    listed = ", ".join(f"{n} x `{name}`" for name, n in sorted(resent.items(), key=lambda item: -item[1]))
    return (f"Resent once, as a browser does, after gunicorn closed a kept-alive connection just as the request went "
            f"out ({why}): {listed}; counted in the rows marked "
            f"\"resent\", not as failures.")


def gunicorn_options(options: list[str]) -> str:
    return f"\n\ngunicorn options over `deploy/gunicorn.conf.py`: `{' '.join(options)}`\n" if options else ""
