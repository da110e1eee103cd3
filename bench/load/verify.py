"""After a load or kill run: is everything the server acknowledged in the database, and is every attempt whole?

    python bench/load/verify.py DATABASE_URL RECORD.jsonl

The record (written by locustfile.py) has, in order: `sent` before each answer goes out, `ack` when the
server answered saved: true, `read` for a lesson marked read, `started` and `submitted` for attempts.
An acknowledged answer counts as kept when the database holds it, or holds an answer to the same
question that was sent after it (the server stored it, but its reply was lost with the killed server).
"""
from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

from sqlalchemy import create_engine, text


def read_record(path: Path) -> list[dict]:
    events = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:
            pass  # a half-written last line of an interrupted run: it was never acknowledged
    return events


def _as_list(value) -> list[str] | None:
    if isinstance(value, str):  # SQLite hands JSON columns back as text
        value = json.loads(value)
    return None if value is None else sorted(value)


def check_answers(connection, events: list[dict]) -> dict:
    """Every acknowledged answer, by (attempt, item): the last acknowledged value or a later sent one is stored."""
    history: dict[tuple[int, int], list[dict]] = defaultdict(list)
    owners: dict[int, str] = {}
    for event in events:
        if event["e"] in ("sent", "ack"):
            history[(event["a"], event["i"])].append(event)
            owners[event["a"]] = event["u"]
    stored = {(row.attempt_id, row.id): (_as_list(row.answer), row.username) for row in connection.execute(text(
        "SELECT i.attempt_id, i.id, i.answer, u.username FROM attempt_item i JOIN attempt a ON a.id = i.attempt_id "
        "JOIN person p ON p.id = a.person_id JOIN user_account u ON u.id = p.user_id"))}
    result = {"acknowledged": 0, "acknowledged_items": 0, "kept": 0, "kept_as_later_answer": 0, "lost": 0,
              "sent_unacknowledged": 0, "problems": []}
    for key, steps in history.items():
        acks = [n for n, step in enumerate(steps) if step["e"] == "ack"]
        result["acknowledged"] += len(acks)
        result["sent_unacknowledged"] += sum(1 for step in steps if step["e"] == "sent") - len(acks)
        if not acks:
            continue
        result["acknowledged_items"] += 1
        last = steps[acks[-1]]
        later = [sorted(step["v"]) for step in steps[acks[-1] + 1:] if step["e"] == "sent"]
        answer, owner = stored.get(key, (None, None))
        if owner is not None and owner != owners[key[0]]:
            result["problems"].append(f"attempt {key[0]} belongs to {owner}, not {owners[key[0]]}")
        if answer == sorted(last["v"]):
            result["kept"] += 1
        elif answer is not None and answer in later:
            result["kept_as_later_answer"] += 1
        else:
            result["lost"] += 1
            result["problems"].append(f"attempt {key[0]} item {key[1]}: acknowledged {last['v']} at {last['t']}, "
                                      f"database has {answer}")
    return result


def check_reads(connection, events: list[dict]) -> dict:
    """Every lesson the server said was marked read has a read_at."""
    read = {(row.username, row.code, row.slug) for row in connection.execute(text(
        "SELECT u.username, c.code, l.slug FROM lesson_progress p JOIN lesson l ON l.id = p.lesson_id "
        "JOIN course c ON c.id = l.course_id JOIN person pe ON pe.id = p.person_id "
        "JOIN user_account u ON u.id = pe.user_id WHERE p.read_at IS NOT NULL"))}
    acknowledged = {(e["u"], e["c"], e["s"]) for e in events if e["e"] == "read"}
    missing = sorted(acknowledged - read)
    return {"acknowledged": len(acknowledged), "lost": len(missing),
            "problems": [f"{u}: lesson {c}/{s} acknowledged as read, not read in the database" for u, c, s in missing[:20]]}


def check_submits(connection, events: list[dict]) -> dict:
    """Every acknowledged submit left a graded attempt."""
    submitted = {e["a"] for e in events if e["e"] == "submitted"}
    graded = {row.id for row in connection.execute(text("SELECT id FROM attempt WHERE status = 'graded'"))}
    missing = sorted(submitted - graded)
    return {"acknowledged": len(submitted), "lost": len(missing),
            "problems": [f"attempt {a} was submitted but is not graded" for a in missing[:20]]}


INTEGRITY = {
    "attempt status other than open or graded": "SELECT id FROM attempt WHERE status NOT IN ('open', 'graded')",
    "graded attempt without a score, result or submission time":
        "SELECT id FROM attempt WHERE status = 'graded' AND (score IS NULL OR passed IS NULL OR submitted_at IS NULL)",
    "graded attempt with an ungraded question":
        "SELECT DISTINCT a.id FROM attempt a JOIN attempt_item i ON i.attempt_id = a.id "
        "WHERE a.status = 'graded' AND i.points IS NULL",
    "open attempt that has a score or submission time":
        "SELECT id FROM attempt WHERE status = 'open' AND (score IS NOT NULL OR submitted_at IS NOT NULL)",
    "attempt without questions":
        "SELECT a.id FROM attempt a LEFT JOIN attempt_item i ON i.attempt_id = a.id WHERE i.id IS NULL",
    "attempt whose question positions are not 1..n":
        "SELECT attempt_id FROM attempt_item GROUP BY attempt_id HAVING MIN(position) <> 1 OR MAX(position) <> COUNT(*)",
    "question that points to a missing question version":
        "SELECT i.id FROM attempt_item i LEFT JOIN question_version v ON v.id = i.question_version_id WHERE v.id IS NULL",
    "more than one open attempt of one person at one course":
        "SELECT person_id FROM attempt WHERE status = 'open' GROUP BY person_id, course_id HAVING COUNT(*) > 1",
}


def check_integrity(connection) -> dict:
    counts = {row.status: row.n for row in connection.execute(text(
        "SELECT status, COUNT(*) AS n FROM attempt GROUP BY status"))}
    problems = []
    for label, query in INTEGRITY.items():
        ids = [row[0] for row in connection.execute(text(query))]
        if ids:
            problems.append(f"{label}: {len(ids)} (e.g. {ids[:5]})")
    return {"attempts": counts, "answered_items": connection.execute(text(
        "SELECT COUNT(*) FROM attempt_item WHERE answer IS NOT NULL")).scalar(), "problems": problems}


def verify(database_url: str, record_path: Path) -> dict:
    """All checks; `ok` is true when nothing acknowledged was lost and every attempt is whole."""
    events = read_record(record_path)
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            report = {"answers": check_answers(connection, events), "reads": check_reads(connection, events),
                      "submits": check_submits(connection, events), "integrity": check_integrity(connection)}
    finally:
        engine.dispose()
    report["ok"] = not any(part["problems"] for part in report.values())
    return report


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    outcome = verify(sys.argv[1], Path(sys.argv[2]))
    print(json.dumps(outcome, indent=2, ensure_ascii=False))
    sys.exit(0 if outcome["ok"] else 1)
