"""`make load-storm`: a wave of logins while trainees study. Their pages must keep their pace (p95 under 500 ms
during the wave) and nothing they were told was saved may be missing.

    .venv/bin/python bench/load/run_storm.py --users 200 --logins 300 --storm-seconds 60 --record

The `make load` scenario (its own database, portal_storm) with `--users` trainees starting over the first minute;
at --storm-at seconds, a second locust logs in `--logins` other accounts within --storm-seconds (each opens its
home page once, then stays). Every request's time is written down (LOAD_TIMINGS), so the studying trainees'
percentiles are computed over the wave alone (from its first login to 10 s after its last) as well as over the
whole run. With --record the result goes to the Security and reliability section of bench/RESULTS.md.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import harness
from verify import verify

STUDY_P95_BUDGET_MS = 500.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=200, help="trainees studying")
    parser.add_argument("--logins", type=int, default=300, help="other accounts logging in during the wave")
    parser.add_argument("--storm-at", type=int, default=120, help="seconds into the run the wave starts")
    parser.add_argument("--storm-seconds", type=int, default=60, help="the wave's length")
    parser.add_argument("--seconds", type=int, default=240, help="the studying trainees' run")
    parser.add_argument("--think", default="3,8")
    parser.add_argument("--database", default="portal_storm")
    parser.add_argument("--out", type=Path, default=harness.ROOT / "bench" / "out" / "storm")
    parser.add_argument("--record", action="store_true", help="write the result into bench/RESULTS.md")
    args = parser.parse_args()
    args.out = args.out.resolve()
    machine = harness.machine_line()
    print(f"preparing {args.database} with {args.users + args.logins} accounts...", flush=True)
    database, env = harness.prepare(args.database, args.out, args.users + args.logins)
    record, study_times, storm_times = (args.out / name for name in ("acknowledged.jsonl", "study.tsv", "storm.tsv"))
    for old in [record, study_times, storm_times, *args.out.glob("study*"), *args.out.glob("storm*")]:
        old.unlink(missing_ok=True)
    server = harness.Server(env, args.out / "gunicorn.log")
    server.start()
    loads = []
    try:
        started = time.time()
        study_env = dict(harness.locust_env(env, record, args.think), LOAD_TIMINGS=str(study_times))
        loads.append(subprocess.Popen(
            harness.locust_command(server.base, args.users, round(args.users / 60, 2), args.seconds, args.out,
                                   name="study"), env=study_env, cwd=harness.ROOT))
        time.sleep(max(0.0, started + args.storm_at - time.time()))
        storm_started = time.time()
        print(f"the wave: {args.logins} logins within {args.storm_seconds} s", flush=True)
        storm_env = dict(harness.locust_env(env, args.out / "storm-acknowledged.jsonl", args.think),
                         LOAD_TIMINGS=str(storm_times), LOAD_ACCOUNT_START=str(args.users + 1))
        loads.append(subprocess.Popen(
            harness.locust_command(server.base, args.logins, round(args.logins / args.storm_seconds, 2),
                                   args.storm_seconds + 30, args.out, user_class="Login", name="storm"),
            env=storm_env, cwd=harness.ROOT))
        for load in loads:
            load.wait(timeout=args.seconds + 300)
        load_at_end = os.getloadavg()[0]
    finally:
        for load in loads:
            if load.poll() is None:
                load.terminate()
        server.stop()
    study, storm = harness.locust_figures(args.out, "study"), harness.locust_figures(args.out, "storm")
    logins = [row for row in read_times(storm_times) if row[1].endswith("/auth/login [POST]")]
    window = (storm_started, (max(t for t, *_ in logins) if logins else storm_started + args.storm_seconds) + 10)
    studying = [row for row in read_times(study_times) if "/auth/login" not in row[1]]
    during = [row for row in studying if window[0] <= row[0] <= window[1]]
    first = min((t for t, *_ in studying), default=window[0])
    steady = {"before the wave (from 60 s in)": [ms for t, _n, ms, _f in studying if first + 60 <= t < window[0]],
              "during the wave": [ms for _t, _n, ms, _f in during],
              "after the wave": [ms for t, _n, ms, _f in studying if t > window[1]]}
    report = verify(database, record)
    during_p95 = percentile([ms for _t, _name, ms, _failed in during], 95)
    failures = study["total"]["failures"] + storm["total"]["failures"]
    ok = failures == 0 and report["ok"] and during_p95 < STUDY_P95_BUDGET_MS
    summary = {"users": args.users, "logins": args.logins, "window": window, "during_p95": during_p95,
               "study": study, "storm": storm, "verification": report, "ok": ok}
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    text = markdown(args, machine, load_at_end, study, storm, during, window, report, failures, ok, steady)
    print(text)
    if args.record:
        harness.record_result("storm", text)
    return 0 if ok else 1


def read_times(path: Path) -> list[tuple[float, str, float, int]]:
    rows = []
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            moment, name, ms, failed = line.split("\t")
            rows.append((float(moment), name, float(ms), int(failed)))
    return rows


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share / 100 * len(ordered)) - 1)]


def window_table(rows: list[tuple[float, str, float, int]]) -> str:
    lines = ["| request (studying trainees, during the wave) | count | p50 | p95 | p99 | max |",
             "|---|---:|---:|---:|---:|---:|"]
    names = sorted({name for _t, name, _ms, _f in rows}, key=lambda n: -sum(1 for r in rows if r[1] == n))
    every = [ms for _t, _n, ms, _f in rows]
    lines.append(f"| **all** | **{len(every)}** | {percentile(every, 50):.0f} | **{percentile(every, 95):.0f}** | "
                 f"{percentile(every, 99):.0f} | {max(every, default=0):.0f} |")
    for name in names:
        times = [ms for _t, n, ms, _f in rows if n == name]
        lines.append(f"| `{name}` | {len(times)} | {percentile(times, 50):.0f} | {percentile(times, 95):.0f} | "
                     f"{percentile(times, 99):.0f} | {max(times):.0f} |")
    return "\n".join(lines)


def markdown(args, machine, load_at_end, study, storm, during, window, report, failures, ok, steady) -> str:
    logins = storm["pages"].get("POST /auth/login [POST]", {})
    phases = "; ".join(f"{name}: p50 {percentile(times, 50):.0f}, p95 {percentile(times, 95):.0f} ({len(times)} requests)"
                       for name, times in steady.items())
    return f"""\
### Login storm: {args.logins} logins in {args.storm_seconds} s while {args.users} trainees study

`make load-storm` = `.venv/bin/python bench/load/run_storm.py --users {args.users} --logins {args.logins} --storm-at {args.storm_at} --storm-seconds {args.storm_seconds} --seconds {args.seconds} --think {args.think} --record`
({machine}; load average {load_at_end:.1f} at the end). gunicorn with `deploy/gunicorn.conf.py` ({harness.gunicorn_model()},
production settings; argon2id at the configured cost, PASSWORD_CHECKS_AT_ONCE per worker). {args.users} trainees study
as in `make load` (thinking {args.think.replace(',', ' to ')} s); {args.storm_at} s in, {args.logins} other accounts log in
within {args.storm_seconds} s (each then opens its home page once). The wave lasted {window[1] - window[0]:.0f} s (from its
first login to 10 s after its last). Times in ms.

{window_table(during)}

The studying trainees' requests (logins aside) {phases}.

The wave's logins: {logins.get('requests', 0)} (p50 {logins.get('p50', '-')}, p95 {logins.get('p95', '-')}, max {logins.get('max', '-')}). {harness.busy_line(storm)}
Failed requests: {failures} (studying: {study['total']['failures']}, the wave: {storm['total']['failures']}).

{harness.verification_lines(report)}

Result: **{'passed' if ok else 'FAILED'}** (the studying trainees' p95 during the wave under {STUDY_P95_BUDGET_MS:.0f} ms, no failed
request, nothing acknowledged missing from the database).
"""


if __name__ == "__main__":
    sys.exit(main())
