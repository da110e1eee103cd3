"""`make kill-test`: the load of run_load.py, with gunicorn (master and every worker) killed by SIGKILL in
the middle and started again; afterwards nothing acknowledged may be missing and no attempt broken.

    .venv/bin/python bench/load/run_kill.py --users 200 --seconds 120 --kill-at 60 --down 5 --record

The simulated trainees keep retrying a request that finds no server (for up to LOAD_RETRY_SECONDS)
and count an answer as saved only when the server said so. Those connection errors are expected and
reported apart; any other failed request fails the test. Own database portal_kill, files in bench/out/kill/.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import harness
from verify import read_record, verify

RETRY_SECONDS = 120
CONNECTION_ERROR = "no server (connection refused or reset): retrying"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--kill-at", type=float, default=60,
                        help="seconds after the load starts; then the kill waits (up to 60 s) for an answer in flight")
    parser.add_argument("--down", type=float, default=5, help="seconds between the kill and the restart")
    parser.add_argument("--login-over", type=int, default=60, help="seconds over which the trainees start (log in)")
    parser.add_argument("--think", default="3,8")
    parser.add_argument("--database", default="portal_kill")
    parser.add_argument("--out", type=Path, default=harness.ROOT / "bench" / "out" / "kill")
    parser.add_argument("--gunicorn-arg", action="append", default=[],
                        help="a gunicorn option over deploy/gunicorn.conf.py (repeat; e.g. --gunicorn-arg=--keep-alive=30)")
    parser.add_argument("--record", action="store_true", help="write the result into bench/RESULTS.md")
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
    (args.out / "gunicorn.log").unlink(missing_ok=True)
    server = harness.Server(env, args.out / "gunicorn.log", extra_args=tuple(args.gunicorn_arg))
    server.start()
    load = subprocess.Popen(harness.locust_command(server.base, args.users, spawn_rate, args.seconds, args.out),
                            env=harness.locust_env(env, record, args.think, RETRY_SECONDS), cwd=harness.ROOT)
    timeline = {"load_started": time.time()}
    try:
        time.sleep(args.kill_at)
        wait_for_an_answer_in_flight(record, give_up_at=time.time() + 60)
        timeline["killed"] = time.time()
        killed = server.kill()
        print(f"SIGKILL to gunicorn processes {killed}", flush=True)
        time.sleep(args.down)
        timeline["restarting"] = time.time()
        server.start()
        timeline["up_again"] = time.time()
        print(f"gunicorn up again after {timeline['up_again'] - timeline['killed']:.1f} s", flush=True)
        load.wait(timeout=args.seconds + RETRY_SECONDS + 300)
    finally:
        if load.poll() is None:
            load.terminate()
        server.stop()
    figures = harness.locust_figures(args.out)
    report = verify(database, record)
    around = around_the_kill(read_record(record), timeline)
    other_failures = [f for f in figures["failures"] if CONNECTION_ERROR not in f["error"]]
    ok = report["ok"] and not other_failures and around["acknowledged_after_restart"] > 0
    summary = {"args": {k: str(v) for k, v in vars(args).items()}, "killed_pids": killed, "timeline": timeline,
               "around_the_kill": around, "figures": figures, "verification": report, "ok": ok}
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    text = markdown(args, spawn_rate, machine, figures, report, around, timeline, len(killed), other_failures, ok)
    print(text)
    if args.record:
        harness.record_result("kill", text)
    return 0 if ok else 1


class RecordTail:
    """Follows the record as locust writes it: recent acknowledgements and answers still waiting for a reply."""

    def __init__(self, path: Path):
        self.path, self.offset, self.acks, self.waiting = path, 0, [], {}

    def poll(self) -> None:
        if not self.path.exists():
            return
        with self.path.open("rb") as record:
            record.seek(self.offset)
            data = record.read()
        complete = data[:data.rfind(b"\n") + 1]
        self.offset += len(complete)
        for line in complete.splitlines():
            event = json.loads(line)
            key = (event.get("u"), event.get("a"), event.get("i"))
            if event["e"] == "sent":
                self.waiting[key] = event["t"]
            elif event["e"] == "ack":
                self.waiting.pop(key, None)
                self.acks.append(event["t"])


def wait_for_an_answer_in_flight(record: Path, *, give_up_at: float) -> None:
    """Hold the kill until trainees are saving answers and one has just been sent, so the kill lands on a
    request that is writing (or about to write) an answer. Gives up at `give_up_at` and kills anyway."""
    tail = RecordTail(record)
    while time.time() < give_up_at:
        tail.poll()
        now = time.time()
        busy = sum(1 for t in tail.acks[-50:] if now - t <= 3.0) >= 3
        if busy and any(now - t <= 0.15 for t in tail.waiting.values()):
            return
        time.sleep(0.01)


def around_the_kill(events: list[dict], timeline: dict) -> dict:
    """Evidence that the kill hit a server in the middle of saving answers, and that the trainees went on."""
    killed, up = timeline["killed"], timeline["up_again"]
    acks = [e for e in events if e["e"] == "ack"]
    sends: dict[tuple, list[dict]] = {}
    for event in events:
        if event["e"] in ("sent", "ack"):
            sends.setdefault((event["a"], event["i"]), []).append(event)
    cut_off = 0  # answers sent before the kill whose reply never came before it (retried after the restart)
    for steps in sends.values():
        for n, step in enumerate(steps):
            if step["e"] == "sent" and step["t"] < killed and not (n + 1 < len(steps) and steps[n + 1]["e"] == "ack"
                                                                    and steps[n + 1]["t"] < killed):
                cut_off += 1
    return {"acknowledged_in_the_5_s_before_the_kill": sum(1 for e in acks if killed - 5 <= e["t"] < killed),
            "answers_in_flight_at_the_kill": cut_off,
            "acknowledged_after_restart": sum(1 for e in acks if e["t"] >= up),
            "seconds_without_server": round(up - killed, 1)}


def markdown(args, spawn_rate, machine, figures, report, around, timeline, killed, other_failures, ok) -> str:
    total = figures["total"]
    refused = sum(f["count"] for f in figures["failures"] if CONNECTION_ERROR in f["error"])
    others = "".join(f"\n- unexpected failure: {f['count']} x {f['method']} {f['name']}: {f['error']}"
                     for f in other_failures[:10])
    return f"""\
### Kill test: SIGKILL to gunicorn under load

`make kill-test` = `.venv/bin/python bench/load/run_kill.py --users {args.users} --seconds {args.seconds} --kill-at {args.kill_at:g} --down {args.down:g} --think {args.think} --record`
({machine}). The load of `make load` ({args.users} trainees, {spawn_rate} started per second, {harness.duration(args.seconds)});
{round(timeline['killed'] - timeline['load_started'])} s in (at least {args.kill_at:g} s, then at the first moment trainees were saving answers
and one had just been sent), the gunicorn master and its {killed - 1} workers get SIGKILL at once; {args.down:g} s later gunicorn starts
again (up and answering `/healthz` {around['seconds_without_server']} s after the kill). The simulated trainees retry a request
that finds no server for up to {RETRY_SECONDS} s and count only answers the server acknowledged.

{harness.gunicorn_options(args.gunicorn_arg)}- requests: {total['requests']}; connection errors while the server was down (retried): {refused}; other failures: {len(other_failures)}{others}
- {harness.resent_line(figures, "the kill cutting open connections, a keep-alive timeout or a recycled worker")}
- answers acknowledged in the 5 s before the kill: {around['acknowledged_in_the_5_s_before_the_kill']}; answers in flight
  when it died (sent, no reply before the kill): {around['answers_in_flight_at_the_kill']}; answers acknowledged after the restart: {around['acknowledged_after_restart']}
{harness.verification_lines(report)}

Result: **{'passed' if ok else 'FAILED'}** (nothing acknowledged lost, no attempt broken, no failure but the refused connections).
"""


if __name__ == "__main__":
    sys.exit(main())
