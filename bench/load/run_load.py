"""`make load`: simulated trainees study and take quizzes against gunicorn on PostgreSQL; afterwards
every answer, lesson read and submit the server acknowledged must be in the database.

    .venv/bin/python bench/load/run_load.py --users 200 --seconds 600 --record

Uses its own database (portal_load, dropped and rebuilt: schema, real curriculum, demo district,
then one account per simulated trainee) and writes its files to bench/out/load/. With --record the
figures go to the Security and reliability section of bench/RESULTS.md. Exits 1 on any failed
request or any acknowledged write missing from the database.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import harness
from verify import verify


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--login-over", type=int, default=60, help="seconds over which the trainees start (log in)")
    parser.add_argument("--think", default="3,8", help="seconds between a trainee's actions: low,high")
    parser.add_argument("--database", default="portal_load")
    parser.add_argument("--out", type=Path, default=harness.ROOT / "bench" / "out" / "load")
    parser.add_argument("--gunicorn-arg", action="append", default=[],
                        help="a gunicorn option over deploy/gunicorn.conf.py (repeat; e.g. --gunicorn-arg=--keep-alive=30)")
    parser.add_argument("--record", action="store_true", help="write the result into bench/RESULTS.md")
    parser.add_argument("--section", default=None,
                        help="its part of bench/RESULTS.md (default: load for 200 trainees, load-<users> otherwise)")
    args = parser.parse_args()
    args.out = args.out.resolve()
    spawn_rate = round(args.users / args.login_over, 2)

    machine = harness.machine_line()
    print(f"preparing {args.database} with {args.users} trainee accounts...", flush=True)
    database, env = harness.prepare(args.database, args.out, args.users)
    record = args.out / "acknowledged.jsonl"
    record.unlink(missing_ok=True)
    for old in args.out.glob("locust*"):
        old.unlink()
    server = harness.Server(env, args.out / "gunicorn.log", extra_args=tuple(args.gunicorn_arg))
    server.start()
    print(f"gunicorn up at {server.base} (pids {server.pids()}); {args.users} users for {args.seconds} s", flush=True)
    started = time.time()
    try:
        subprocess.run(harness.locust_command(server.base, args.users, spawn_rate, args.seconds, args.out),
                       env=harness.locust_env(env, record, args.think), cwd=harness.ROOT, timeout=args.seconds + 300)
    finally:
        server.stop()
    figures = harness.locust_figures(args.out)
    report = verify(database, record)
    ok = figures["total"]["failures"] == 0 and report["ok"]
    summary = {"users": args.users, "seconds": args.seconds, "think": args.think, "spawn_rate": spawn_rate,
               "started": started, "figures": figures, "verification": report, "ok": ok}
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    text = markdown(args, spawn_rate, machine, figures, report, ok)
    print(text)
    if args.record:
        harness.record_result(args.section or ("load" if args.users == 200 else f"load-{args.users}"), text)
    return 0 if ok else 1


def markdown(args, spawn_rate: float, machine: str, figures: dict, report: dict, ok: bool) -> str:
    total = figures["total"]
    failures = "".join(f"\n- failure: {f['count']} x {f['method']} {f['name']}: {f['error']}" for f in figures["failures"][:10])
    return f"""\
### Load: {args.users} trainees studying and taking quizzes for {harness.duration(args.seconds)}

`make load` = `.venv/bin/python bench/load/run_load.py --users {args.users} --seconds {args.seconds} --think {args.think} --login-over {args.login_over} --record`
({machine}; load average {os.getloadavg()[0]:.1f} at the end). gunicorn with `deploy/gunicorn.conf.py` ({harness.gunicorn_model()},
production settings) on a fresh PostgreSQL database with the real curriculum and the demo district;
locust (`bench/load/locustfile.py`, FastHttpUser) on the same 2 cores, {spawn_rate} users started (logging in) per second,
all of them within the first {args.login_over} s.
Each simulated trainee logs in, opens its home page and the course it is studying (else one it has not taken),
reads its next 1 to 3 unread lessons (marked read as `lesson.js` does), and once all are read starts or resumes
the quiz (the portal offers it only then), saves each answer as `quiz.js` does (sometimes changing one, sometimes
leaving the quiz half done), submits, reads the result and moves on to another course, thinking
{args.think.replace(',', ' to ')} s between steps. Times in ms.

{harness.figures_table(figures)}{harness.gunicorn_options(args.gunicorn_arg)}

{total['rps']} requests/s overall. {harness.resent_line(figures)} {harness.busy_line(figures)}{failures}

{harness.verification_lines(report)}

Result: **{'passed' if ok else 'FAILED'}** (zero failed requests and nothing acknowledged missing from the database).
"""


if __name__ == "__main__":
    sys.exit(main())
