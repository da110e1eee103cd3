"""Time every coverage view and export against a generated district, beside the hand-written SQL
aggregate that answers the same question, on each database given.

    .venv/bin/python -m bench.coverage.run --today 2026-11-30 \\
        --database-url sqlite:////tmp/bench/district.sqlite3 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_coverage

For each view: "cold" is the first request after the snapshot cache was emptied everywhere (the full
computation, what `flask coverage warm` does every five minutes in production), "fresh worker" the first
request of a process whose own cache is empty while the shared one (Redis or STORAGE_PATH) holds the
figures with their sums worked out, as `flask coverage warm` leaves them (a new or restarted worker,
another node), "warm" a request answered from the process's cache
(data unchanged); all go through Flask's test client as the office (or a department viewer), so routing,
templates and exports are included. "SQL" runs one
hand-written statement for the same figures (no ORM, no Python roll-up). Each time is the best of
--repeat runs. Results are printed as a Markdown table and written to --json.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import select

from bench.coverage import handsql

VIEWS = (  # name, url, who, hand-written SQL question (see handsql.QUESTIONS), export?
    ("dashboard (headline + projection)", "/office/coverage/", "office", "headline"),
    ("dashboard, department", "/office/coverage/", "dept", "headline_sector"),
    ("localities: district > streets", "/office/coverage/localities", "office", "by_street"),
    ("localities: one street, one group", "/office/coverage/localities?locality={street}&group=all_staff", "office",
     "by_street"),
    ("sectors", "/office/coverage/sectors", "office", "by_sector"),
    ("organizations (page 1)", "/office/coverage/organizations", "office", "by_organization"),
    ("organization detail (the largest)", "/office/coverage/organizations/{org}", "office", "one_organization"),
    ("missing people, district, page 1", "/office/coverage/missing?group=all_staff", "office", "missing_district"),
    ("missing people, the largest organization", "/office/coverage/missing?group=all_staff&organization={org}", "office",
     "missing_organization"),
    ("gap list", "/office/coverage/gaps", "office", "gaps"),
    ("trend, 12 weeks", "/office/coverage/trend", "office", "trend"),
)
EXPORTS = (
    ("headline", "/office/coverage/?format={fmt}", "office"),
    ("localities (streets x groups)", "/office/coverage/localities?format={fmt}", "office"),
    ("organizations (all, every group)", "/office/coverage/organizations?format={fmt}", "office"),
    ("organizations, department", "/office/coverage/organizations?format={fmt}", "dept"),
    ("gap list", "/office/coverage/gaps?format={fmt}", "office"),
    ("trend", "/office/coverage/trend?format={fmt}", "office"),
    ("missing, the largest organization", "/office/coverage/missing?group=all_staff&organization={org}&format={fmt}", "office"),
    ("missing, one street, grid workers", "/office/coverage/missing?group=grid_worker&locality={street}&format={fmt}",
     "office"),
)


@dataclass
class Timing:
    database: str
    kind: str  # view | export | report
    name: str
    who: str
    cold: float | None
    warm: float | None
    fresh: float | None
    sql: float | None
    status: int
    size: int


def best(function, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return min(times), result


def build_app(url: str, today: date):
    import portal.coverage.blueprint as coverage_blueprint
    from portal import create_app

    coverage_blueprint.today = lambda: today  # the generated district is dated; views ask for "today"
    storage = tempfile.mkdtemp(prefix="coverage-bench-")
    # JOBS_SYNCHRONOUS: the yearly report's job runs inside its request, so the "report" row times the whole
    # report up to the PDF (otherwise the request answers with the progress page after REPORT_WAIT_SECONDS).
    app = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url, "STORAGE_PATH": storage,
                      "WTF_CSRF_ENABLED": False, "COVERAGE_CACHE": True, "COVERAGE_MAX_AGE": 0,
                      "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024, "JOBS_SYNCHRONOUS": True})
    return app


def ensure_users(app) -> dict:
    from portal.domain.platform.passwords import hash_password
    from portal.extensions import db
    from portal.models import RoleGrant, Sector, User

    with app.app_context():
        users = {}
        for login, role in (("bench-office", "office_admin"), ("bench-dept", "dept_viewer")):
            user = db.session.scalar(select(User).where(User.username == login))
            if user is None:
                user = User(username=login, display_name=login, password_hash=hash_password("Bench-Pass-2026"))
                commerce = db.session.scalar(select(Sector).where(Sector.code == "commerce"))
                user.grants.append(RoleGrant(role=role, sector=commerce if role == "dept_viewer" else None))
                db.session.add(user)
            users[role] = login
        db.session.commit()
    return users


def client_for(app, login: str):
    client = app.test_client()
    client.set_cookie("lang", "en")
    response = client.post("/auth/login", data={"login": login, "password": "Bench-Pass-2026"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def sample_ids(app) -> dict:
    """A big organization and a street, for the URLs."""
    from sqlalchemy import func

    from portal.extensions import db
    from portal.models import Locality, Trainee

    with app.app_context():
        org = db.session.execute(select(Trainee.organization_id, func.count()).where(
            Trainee.organization_id.is_not(None)).group_by(Trainee.organization_id)
            .order_by(func.count().desc()).limit(1)).first()[0]
        street = db.session.scalar(select(Locality.id).where(Locality.level == "street").order_by(Locality.code).limit(1))
    return {"org": org, "street": street}


def check(app, today: date) -> str:
    """The views' figures and the hand-written SQL agree (headline now and 28 days ago, each counting the people
    employed that day; streets, organizations)."""
    from portal.domain.coverage.arithmetic import total
    from portal.domain.coverage.snapshot import take_snapshot
    from portal.domain.workforce.rules import current_rules
    from portal.extensions import db

    with app.app_context():
        questions = handsql.Questions(db.session, today=today, organization_id=0)
        headline = {row[0]: row for row in questions.run("headline")[0]}
        streets, orgs = questions.run("by_street")[0], questions.run("by_organization")[0]
        db.session.rollback()
        snap = take_snapshot(db.session, today=today, rules=current_rules(db.session))
        differences = 0
        for group in snap.groups:
            now, before, row = snap.figure(group.id), snap.figure(group.id, index=0), headline.get(group.id)
            differences += (now.roster, now.covered_roster, before.covered_roster, now.unrostered_covered,
                            before.roster) != (row[1], row[2], row[3], row[4], row[6])
        for street, group_id, roster, covered, unrostered in streets:
            figure = snap.figure(group_id, street)
            differences += (roster, covered, unrostered) != (figure.roster, figure.covered_roster,
                                                             figure.unrostered_covered)
        per_org = snap.organizations()
        for org_id, people, covered in orgs:
            figure = total(per_org[org_id].values())
            differences += (people, covered) != (figure.population, figure.covered)
        db.session.rollback()
    return "the views and the hand-written SQL agree" if not differences else f"{differences} DIFFERENCES"


def run_database(url: str, today: date, repeat: int, only: str = "") -> list[Timing]:
    from portal.extensions import db

    app = build_app(url, today)
    print(f"{url}: {check(app, today)}; load average {os.getloadavg()}", file=sys.stderr, flush=True)
    users = ensure_users(app)
    clients = {"office": client_for(app, users["office_admin"]), "dept": client_for(app, users["dept_viewer"])}
    ids = sample_ids(app)
    name = app.config["SQLALCHEMY_DATABASE_URI"].split(":", 1)[0].split("+")[0]
    results: list[Timing] = []

    def get(who: str, url_: str):
        response = clients[who].get(url_)
        data = response.get_data()
        return response.status_code, len(data)

    def clear(shared: bool = True):
        cache = app.extensions.get("coverage_cache")
        if cache is not None:
            cache.clear(shared=shared)

    with app.app_context():
        questions = handsql.Questions(db.session, today=today, organization_id=ids["org"])
    for label, template, who, question in VIEWS:
        if only and only not in label:
            continue
        url_ = template.format(**ids)

        def cold():
            clear()
            return get(who, url_)

        def fresh():
            clear(shared=False)
            return get(who, url_)

        cold_time, (status, size) = best(cold, repeat)
        app.extensions["coverage_cache"].share_all()  # as `flask coverage warm` does once the sums are worked out
        fresh_time, _ = best(fresh, repeat)
        warm_time, _ = best(lambda: get(who, url_), max(repeat, 3))
        with app.app_context():
            sql_time, _rows = best(lambda: questions.run(question), repeat)
            db.session.rollback()
        results.append(Timing(name, "view", label, who, cold_time, warm_time, fresh_time, sql_time, status, size))
        log(results[-1])
    for label, template, who in EXPORTS:
        if only and only not in label:
            continue
        for fmt in ("csv", "xlsx"):
            url_ = template.format(fmt=fmt, **ids)
            get(who, url_)  # warm the snapshot
            warm_time, (status, size) = best(lambda: get(who, url_), repeat)
            results.append(Timing(name, "export", f"{label} ({fmt})", who, None, warm_time, None, None, status, size))
            log(results[-1])
    reports = (("yearly report PDF", f"year={today.year}", str(today.year)),
               ("plan period report PDF", f"plan={today.year - 2}", f"{today.year - 2}–{today.year}"))
    for label, query, years in reports:
        if only and only not in label:
            continue
        report_time, (status, size) = best(lambda query=query: get("office", f"/office/coverage/report.pdf?{query}"), 1)
        results.append(Timing(name, "report", f"{label} {years}", "office", report_time, None, None, None, status,
                              size))
        log(results[-1])
    with app.app_context():
        db.engine.dispose()
    print(f"{url}: done; load average {os.getloadavg()}", file=sys.stderr, flush=True)
    return results


def log(timing: Timing) -> None:
    def fmt(value):
        return "-" if value is None else f"{value:.3f}s"

    print(f"{timing.database:10} {timing.kind:6} {timing.name:45} {timing.who:6} cold={fmt(timing.cold)} "
          f"fresh={fmt(timing.fresh)} warm={fmt(timing.warm)} sql={fmt(timing.sql)} status={timing.status} bytes={timing.size}",
          file=sys.stderr, flush=True)


LIMITS = {"postgresql": 1.0, "sqlite": 2.0}  # seconds a viewer may wait (the targets)
SQL_FACTOR = 2.0  # the computation may cost at most this multiple of the hand-written SQL


def verdict(t: Timing) -> str:
    """Whether what a viewer meets (a fresh worker or a warm one: the timer does the cold computation) is
    within the time limit, and the cold computation within SQL_FACTOR of the hand-written SQL."""
    limit = LIMITS.get(t.database, 1.0)
    met = [value for value in (t.fresh, t.warm) if value is not None] or [t.cold]
    problems = []
    if max(met) > limit:
        problems.append(f"> {limit:g} s")
    if t.cold and t.sql and t.cold > SQL_FACTOR * t.sql:
        problems.append(f"cold > {SQL_FACTOR:g}x SQL")
    return "✅" if not problems else "❌ " + ", ".join(problems)


def markdown(results: list[Timing]) -> str:
    def fmt(value):
        return "" if value is None else f"{value:.2f}"

    lines = ["| database | what | who | cold (s) | fresh worker (s) | warm (s) | hand SQL (s) | cold / SQL | target |",
             "|---|---|---|---:|---:|---:|---:|---:|---|"]
    for t in results:
        ratio = f"{t.cold / t.sql:.2f}" if t.cold and t.sql else ""
        target = verdict(t) if t.kind != "report" else ""
        lines.append(f"| {t.database} | {t.kind}: {t.name} | {t.who} | {fmt(t.cold)} | {fmt(t.fresh)} | {fmt(t.warm)} "
                     f"| {fmt(t.sql)} | {ratio} | {target}{'' if t.status == 200 else f' (status {t.status})'} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", action="append", required=True)
    parser.add_argument("--today", type=date.fromisoformat, default=date.today())
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--json", default=None, help="write the timings as JSON here")
    parser.add_argument("--only", default="", help="only the views and exports whose name contains this")
    args = parser.parse_args(argv)
    results = []
    for url in args.database_url:
        results += run_database(url, args.today, args.repeat, args.only)
    if args.json:
        with open(args.json, "w") as out:
            json.dump([asdict(r) for r in results], out, indent=1)
    print(markdown(results))


if __name__ == "__main__":
    main()
