"""Trainee pages under load, side by side with a bare Flask endpoint, on PostgreSQL with 100,000 trainees.

    .venv/bin/python -m bench.web [--duration 10] [--connections 50] [--no-write]

Both servers run under gunicorn with the production settings (deploy/gunicorn.conf.py); wrk (with
bench/web.lua) keeps 50 connections busy, each request from one of the 50 bench trainees, who logged in
through the login form. Measured in one run: the bare endpoint (before and after the portal, averaged),
the floor (the bare endpoint plus one PostgreSQL lookup, bench/web_baseline.py),
the trainee home, a lesson, the quiz page, saving an answer (the autosave's JSON post) and submitting
a quiz with the last page's answers (each of thousands of trainees submits once; most pass and get a
certificate). Then the workers' resident memory, the bytes a lesson costs on a first visit and on the next lesson, and an
in-process profile (SQL statements and time, template time) per page. The load generator shares the
machine's cores, so the figures that matter are ratios within the run. Writes "## Web" in
bench/RESULTS.md.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import dataset  # noqa: E402
from bench.load.harness import gunicorn_model  # noqa: E402
from bench.results import write_section  # noqa: E402
from bench.web_scenarios import SCENARIOS, Scenario, submit_forms, trainee_states  # noqa: E402
from bench.web_servers import (Browser, forged_sessions, gunicorn, portal_environment,  # noqa: E402
                               request_line)
from bench.web_transfer import lesson_transfer  # noqa: E402

OUT = ROOT / "bench" / "out"
LUA = ROOT / "bench" / "web.lua"
P95_TO_FLOOR = 2.5  # each page's p95 at most this many times the floor's
FLOOR_LABEL = "floor: bare endpoint + one PostgreSQL lookup (`/one-query`)"
RSS_BUDGET_MB = 150.0


@dataclass
class Measure:
    name: str
    label: str
    requests: int
    seconds: float
    p50: float
    p95: float
    p99: float
    unexpected: int
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def log(message: str) -> None:
    print(f"[web {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run_wrk(base: str, lines: list[str], expect: int, *, duration: float, connections: int, threads: int,
            once: bool = False) -> dict:
    while len(lines) < threads:  # every wrk thread needs lines of its own
        lines = lines * 2
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False, encoding="utf-8") as file:
        file.writelines(lines)
    try:
        command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{max(1, round(duration))}s",
                   "--timeout", "10s", "-s", str(LUA), base, "--", file.name, str(expect), str(threads)]
        command += ["once"] if once else []
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(file.name)
    return json.loads(next(line for line in output.splitlines() if line.startswith("{")))


def measure(name: str, label: str, base: str, lines: list[str], expect: int, args, *, warm: bool = True,
            once: bool = False) -> Measure:
    if warm:
        run_wrk(base, lines, expect, duration=2, connections=args.connections, threads=args.threads, once=once)
    result = run_wrk(base, lines, expect, duration=args.duration, connections=args.connections,
                     threads=args.threads, once=once)
    figures = Measure(name, label, result["requests"], result["duration_us"] / 1e6, result["p50_us"] / 1000,
                      result["p95_us"] / 1000, result["p99_us"] / 1000, result["unexpected"], result["errors"])
    log(f"{name}: {figures.rps:.0f} req/s, p95 {figures.p95:.1f} ms, unexpected {figures.unexpected}")
    return figures


def page_lines(scenario: Scenario, users: list, tokens: dict) -> list[str]:
    lines = []
    for state in users:
        cookie, token = tokens[state.trainee_id]
        if scenario.name == "save":
            lines.append(request_line("POST", state.path("save"), cookie, state.save_form(token), "application/json"))
        else:
            lines.append(request_line("GET", state.path(scenario.name), cookie))
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=dataset.DEFAULT_DATABASE)
    parser.add_argument("--fresh", action="store_true", help="rebuild the data set")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=50, help="concurrent simulated users")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--submitters", type=int, default=dataset.SUBMITTERS)
    parser.add_argument("--profile-n", type=int, default=30, help="requests per page in the profile (0: skip)")
    parser.add_argument("--no-write", action="store_true", help="do not update bench/RESULTS.md")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")
    started = time.perf_counter()
    load_before = os.getloadavg()
    OUT.mkdir(exist_ok=True)
    url = dataset.ensure(args.database, fresh=args.fresh)
    submits = dataset.reset_bench_state(args.database, submitters=args.submitters)
    users = dataset.bench_users(args.database)
    states = trainee_states(args.database, users.page[:args.connections])
    log(f"data set ready, {len(submits)} quizzes to submit")
    submit_sessions = forged_sessions(url, list(submits))
    with tempfile.TemporaryDirectory() as instance, \
            gunicorn("bench.web_baseline:app", dict(os.environ, BENCH_DATABASE_URL=url),
                     OUT / "gunicorn-baseline.log") as baseline, \
            gunicorn("portal:create_app()", portal_environment(url, Path(instance)), OUT / "gunicorn-portal.log",
                     probe="/healthz") as portal:
        def log_in(state):
            browser = Browser(portal.base)
            token = browser.log_in(state.login, dataset.PASSWORD)
            return state.trainee_id, (browser.cookie_header, token)

        with ThreadPoolExecutor(8) as pool:  # argon2 at production cost: log in side by side
            tokens = dict(pool.map(log_in, states))
        log(f"{len(tokens)} trainees logged in")
        hello = [request_line("GET", "/", "")]
        results = [measure("baseline", "bare Flask endpoint", baseline.base, hello, 200, args),
                   measure("floor", FLOOR_LABEL, baseline.base, [request_line("GET", "/one-query", "")], 200, args)]
        for scenario in SCENARIOS:
            if scenario.name == "submit":
                forms = submit_forms(args.database, list(submits.values()),
                                     [submit_sessions[trainee][1] for trainee in submits])
                lines = [request_line("POST", states[0].path("submit", attempt_id), submit_sessions[trainee][0], form)
                         for (trainee, attempt_id), form in zip(submits.items(), forms)]
                results.append(measure("submit", scenario.label, portal.base, lines, scenario.expect, args,
                                       warm=False, once=True))
            else:
                results.append(measure(scenario.name, scenario.label, portal.base,
                                       page_lines(scenario, states, tokens), scenario.expect, args))
        results.append(measure("baseline-after", "bare Flask endpoint (again)", baseline.base, hello, 200, args))
        rss = portal.worker_rss_mb()
        transfer = lesson_transfer(portal.base, tokens[states[0].trainee_id][0], states[0])
    load_after = os.getloadavg()
    profile = run_profile(args) if args.profile_n else ""
    section = render(results, rss, transfer, profile, args, load_before, load_after, time.perf_counter() - started)
    print(section)
    if not args.no_write:
        write_section("Web", section)


def run_profile(args) -> str:
    command = [sys.executable, "-m", "bench.web_profile", "--database", args.database, "--n", str(args.profile_n)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    return "\n".join(line for line in result.stdout.splitlines() if line.startswith("|"))


def floor_note(base: dict[str, Measure]) -> str:
    """What the floor row says: no page that reads the database can be faster than one lookup."""
    hello = statistics.mean([base["baseline"].rps, base["baseline-after"].rps])
    floor = base["floor"].rps
    return (f"The floor (bench/web_baseline.py `/one-query`: the bare endpoint plus one indexed PostgreSQL lookup "
            f"through SQLAlchemy's pool, no session, login or template) reaches {floor / hello:.0%} of the bare "
            "endpoint's throughput. A trainee page also checks the session, loads the user and their roles, "
            "and reads or writes its own rows, so the floor is a ceiling for it: a target above the floor "
            "cannot be met by any page that touches the database, on this stack and machine.")


def cpu_note(profile: str) -> str:
    """What the in-process CPU per request says about the best ratio to the baseline one can hope for."""
    cpu = {}
    for line in profile.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) > 2 and re.fullmatch(r"[\d.]+", cells[2]):
            cpu[cells[0]] = float(cells[2])
    hello = cpu.pop("hello", None)
    if not hello or not cpu:
        return ""
    costs = ", ".join(f"{page} {ms:.1f} ms ({ms / hello:.0f}×)" for page, ms in cpu.items())
    return (f"CPU per request inside Flask (this process): the bare endpoint {hello:.2f} ms; {costs}. Every process "
            "shares the same cores, so these multiples, narrowed somewhat by gunicorn's, PostgreSQL's and wrk's "
            "per-request work (the same for every line), bound the throughput ratios above.")


def machine() -> str:
    cpu = "unknown CPU"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    try:
        postgres = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", "SHOW server_version"],
                                  capture_output=True, text=True, timeout=10).stdout.strip()
    except OSError:
        postgres = "?"
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split(" [")[0]
    return (f"{os.cpu_count()} × {cpu}, {memory:.0f} GiB, {platform.system()} {platform.release()}; "
            f"CPython {platform.python_version()}, PostgreSQL {postgres.split(' ')[0]}, {wrk}")


def render(results: list[Measure], rss: list[float], transfer, profile: str, args, load_before, load_after,
           elapsed: float) -> str:
    base = {r.name: r for r in results}
    baseline_rps = statistics.mean([base["baseline"].rps, base["baseline-after"].rps])
    floor = base["floor"]
    targets = {s.name: s.target for s in SCENARIOS}
    rows = []
    for r in results:
        of_floor, p95_ratio = r.rps / floor.rps, r.p95 / floor.p95 if floor.p95 else 0.0
        if r.name in targets:
            fast = of_floor >= targets[r.name]
            steady = p95_ratio <= P95_TO_FLOOR
            ok = fast and steady and not r.unexpected and not r.errors
            verdict = (f"{'✅' if ok else '❌'} ≥ {targets[r.name]:.0%}{'' if fast else ' (throughput)'}"
                       f"{'' if steady else f' (p95 > {P95_TO_FLOOR:g}× floor)'}")
        else:
            verdict = ""
        problems = f"{r.unexpected} wrong status" if r.unexpected else ""
        problems += f"{', ' if problems else ''}{r.errors} socket errors" if r.errors else ""
        rows.append(f"| {r.label} | {r.rps:,.0f} | **{of_floor:.0%}** | {r.rps / baseline_rps:.0%} | {r.p50:.1f} | "
                    f"{r.p95:.1f} | {p95_ratio:.1f}× | {r.p99:.1f} | {verdict} | {problems} |")
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "## Web", "",
        f"`.venv/bin/python -m bench.web --duration {args.duration:g} --connections {args.connections}` "
        f"(part of `make bench`), {when}, {elapsed / 60:.1f} min.",
        f"Machine: {machine()}; load average {load_before[0]:.1f} before, {load_after[0]:.1f} after "
        "(shared with other test runs: compare ratios, not absolute numbers).", "",
        f"Data set (`bench/dataset.py`, PostgreSQL `{args.database}`): {dataset.PEOPLE:,} trainees in "
        f"{dataset.ORGANIZATIONS:,} organizations, about 65,000 accounts, the full curriculum (courses/, "
        "question_bank/), 500,000 assignments and completions, lesson progress, quiz history. Servers: gunicorn "
        f"with deploy/gunicorn.conf.py ({gunicorn_model()}) for both the portal "
        "(PORTAL_ENV=production) and the bare endpoint. Load: wrk, "
        f"{args.connections} connections, {args.duration:g} s per line after a 2 s warm-up; every request "
        f"carries the session of one of {args.connections} trainees who logged in through the form "
        "(submissions: one per trainee, thousands of trainees).", "",
        "| what | req/s | of floor | of bare endpoint | p50 ms | p95 ms | p95 / floor's | p99 ms | target | problems |",
        "|---|---|---|---|---|---|---|---|---|---|", *rows, "",
        f"Bare endpoint: mean of its two runs ({base['baseline'].rps:,.0f} and "
        f"{base['baseline-after'].rps:,.0f} req/s). Targets: home, course, lesson and quiz pages ≥ 35% of the "
        f"floor's throughput, saving an answer ≥ 50%, save-and-submit ≥ 12%; each page's p95 at most "
        f"{P95_TO_FLOOR:g} times the floor's.", "", floor_note(base), "",
        f"Workers' resident memory after the run: {', '.join(f'{m:.0f}' for m in sorted(rss))} MB "
        f"(budget {RSS_BUDGET_MB:.0f} MB each: {'within' if rss and max(rss) < RSS_BUDGET_MB else 'OVER'}).", "",
        transfer.markdown(), "",
    ]
    if profile:
        lines += [f"Where the time goes (`.venv/bin/python -m bench.web_profile --n {args.profile_n}`: in-process, "
                  "one trainee, medians per request; the cProfile of each page is in bench/out/profile-*.txt):", "",
                  profile, "", cpu_note(profile), ""]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
