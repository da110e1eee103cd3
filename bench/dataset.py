"""The web benchmark's data set: a district of 100,000 trainees in 2,000 organizations with the full
curriculum, in its own PostgreSQL database (default `portal_bench`), built in about a minute.

    .venv/bin/python -m bench.dataset [--database portal_bench] [--fresh]

The schema comes from the migrations (the indexes production has), the curriculum from courses/ and
question_bank/ (content sync), the district (localities, organizations, people, key groups,
assignments, completions, certificates, targets) from the coverage benchmark's generator at a tenth of
its size. On top of that: accounts for about 70% of the people (one argon2 hash, computed once, shared
by every account), lesson progress, graded attempts, open attempts, and the benchmark's own trainees:
`bench-page-NN` (open quiz, half the lessons read) and `bench-submit-NNNN` (see reset_bench_state).

Each person has one employment (roster row) and one id for all three: person.id = trainee.id =
user_account.id. Lesson progress, attempts, completions and certificates are the person's (person_id);
assignments and key groups the employment's (trainee_id).

The database is reused while its fingerprint (this module, the district generator, the migrations and the
content files) matches; --fresh rebuilds it.
"""
from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import random
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DATASET_VERSION = 3
SERVER = "postgresql://postgres@127.0.0.1:5432"
DEFAULT_DATABASE = "portal_bench"
PASSWORD = "Bench-Pass-2026"
PEOPLE, ORGANIZATIONS = 100_000, 2_000
PAGE_USERS = 50  # log in through the form, read pages, save answers
SUBMITTERS = 6_000  # each submits one quiz (sessions made by bench/web_servers.forged_sessions)
REGISTERED_SHARE = 0.7
QUIZ_COURSE = "all-staff-basics"  # the course every bench trainee studies
BIG_TABLES = ("person", "trainee", "trainee_group", "user_account", "assignment", "completion", "certificate",
              "lesson_progress", "attempt", "attempt_item")


def sqlalchemy_url(database: str = DEFAULT_DATABASE) -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}"


def log(started: float, message: str) -> None:
    print(f"[dataset {time.perf_counter() - started:6.1f}s] {message}", file=sys.stderr, flush=True)


def fingerprint() -> str:
    """Changes when the generator, the schema or the curriculum changes."""
    digest = hashlib.sha256(f"v{DATASET_VERSION}".encode())
    files = [Path(__file__), ROOT / "bench" / "coverage" / "generate.py"]
    files += sorted((ROOT / "migrations" / "versions").glob("*.py"))
    files += sorted((ROOT / "courses").rglob("*")) + sorted((ROOT / "question_bank").rglob("*"))
    for path in files:
        if path.is_file():
            digest.update(path.relative_to(ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def stored_fingerprint(database: str) -> str | None:
    try:
        with psycopg.connect(f"{SERVER}/{database}", connect_timeout=5) as connection:
            return connection.execute("SELECT fingerprint FROM bench_dataset").fetchone()[0]
    except psycopg.Error:
        return None


def ensure(database: str = DEFAULT_DATABASE, *, fresh: bool = False) -> str:
    """The SQLAlchemy URL of an up-to-date benchmark database, building it when needed."""
    if fresh or stored_fingerprint(database) != fingerprint():
        build(database)
    return sqlalchemy_url(database)


class Loader:
    """COPY rows into one PostgreSQL database, foreign-key triggers off while loading."""

    def __init__(self, connection: psycopg.Connection):
        self.connection = connection
        self.postgres = True  # the coverage generator's loaders ask
        connection.execute("SET session_replication_role = replica")

    def load(self, table: str, columns: tuple[str, ...], rows) -> int:
        count = 0
        with self.connection.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        self.connection.commit()
        return count


def _recreate(database: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{database}"')


def _schema_and_content(url: str) -> None:
    """Migrations, reference data and the real curriculum, through the application itself."""
    from flask_migrate import upgrade

    from portal import create_app
    from portal.domain.content.sync import sync_content
    from portal.domain.workforce.reference import ensure_reference_data
    from portal.extensions import db

    app = create_app({"PORTAL_ENV": "development", "SQLALCHEMY_DATABASE_URI": url, "CONTENT_ROOT": ROOT})
    with app.app_context():
        upgrade()
        ensure_reference_data(db.session)
        sync_content(db.session, ROOT)
        db.session.commit()
        db.engine.dispose()


def _drop_indexes(connection: psycopg.Connection) -> list[str]:
    """Secondary indexes of the big tables (recreated after loading: much faster than loading into them)."""
    rows = connection.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = 'public' AND i.tablename = ANY(%s) "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)", (list(BIG_TABLES),)).fetchall()
    for name, _definition in rows:
        connection.execute(f'DROP INDEX "{name}"')
    connection.commit()
    return [definition for _name, definition in rows]


@dataclass
class Curriculum:
    courses: dict[str, int]  # code -> id
    lessons: dict[int, list[int]]  # course id -> live lesson ids in order
    quizzes: dict[int, dict]  # course id -> quiz settings
    pools: dict[str, list[tuple[int, str, list[str], list[str]]]]  # tag -> (version id, qtype, choices, correct)

    @classmethod
    def read(cls, connection: psycopg.Connection) -> "Curriculum":
        from portal.domain.content import questions as qtypes

        courses, quizzes = {}, {}
        for course_id, code, quiz in connection.execute("SELECT id, code, quiz FROM course WHERE NOT retired"):
            courses[code] = course_id
            quizzes[course_id] = quiz if isinstance(quiz, dict) else json.loads(quiz)
        lessons: dict[int, list[int]] = {}
        for course_id, lesson_id in connection.execute(
                "SELECT course_id, id FROM lesson WHERE NOT retired ORDER BY course_id, position"):
            lessons.setdefault(course_id, []).append(lesson_id)
        pools: dict[str, list] = {}
        for tag, version_id, qtype, data in connection.execute(
                "SELECT t.tag, v.id, v.qtype, v.data FROM question_tag t JOIN question q ON q.id = t.question_id "
                "JOIN question_version v ON v.id = q.current_version_id WHERE NOT q.retired ORDER BY t.tag, q.id"):
            data = data if isinstance(data, dict) else json.loads(data)
            kind = qtypes.get(qtype)
            pools.setdefault(tag, []).append((version_id, qtype, list(kind.choices(data)), kind.correct(data)))
        return cls(courses, lessons, quizzes, pools)

    def draw(self, course_id: int, rng: random.Random) -> list[tuple[int, str, list[str], list[str]]]:
        """One attempt's questions, as quiz.draw_questions would pick them (options shuffled)."""
        chosen = []
        for pool in self.quizzes[course_id].get("pools", []):
            candidates = self.pools.get(pool["tag"], [])
            for version_id, qtype, choices, correct in rng.sample(candidates, min(pool["count"], len(candidates))):
                order = list(choices)
                if qtype != "true_false":
                    rng.shuffle(order)
                chosen.append((version_id, qtype, order, correct))
        return chosen


class AttemptWriter:
    """Rows for attempts and their items, with ids assigned here (the sequences are set afterwards)."""

    def __init__(self, first_attempt_id: int, first_item_id: int):
        self.attempt_ids = itertools.count(first_attempt_id)
        self.item_ids = itertools.count(first_item_id)
        self.attempts: list[tuple] = []
        self.items: list[tuple] = []

    def add(self, curriculum: Curriculum, person_id: int, course_id: int, number: int, *, started: datetime,
            rng: random.Random, graded: bool, right_share: float, answered_share: float = 1.0) -> int:
        quiz = curriculum.quizzes[course_id]
        attempt_id = next(self.attempt_ids)
        total = 0.0
        questions = curriculum.draw(course_id, rng)
        for position, (version_id, _qtype, order, correct) in enumerate(questions, start=1):
            answer = None
            if rng.random() < answered_share:
                answer = correct if rng.random() < right_share else [rng.choice([c for c in order if [c] != correct]
                                                                                or order)]
            points = (1.0 if answer == correct else 0.0) if graded else None
            total += points or 0.0
            self.items.append((next(self.item_ids), attempt_id, position, version_id, json.dumps(order),
                               json.dumps(answer) if answer is not None else None,
                               started + timedelta(seconds=20 * position) if answer is not None else None,
                               points, (points == 1.0) if graded else None))
        limit = quiz.get("time_limit_minutes") or 0
        score = round(100 * total / len(questions), 1) if graded and questions else None
        self.attempts.append((attempt_id, person_id, course_id, number, False, json.dumps(quiz), started,
                              started + timedelta(minutes=limit) if limit else None,
                              started + timedelta(minutes=12) if graded else None, "graded" if graded else "open",
                              score, (score >= quiz.get("pass_mark", 100)) if graded else None))
        return attempt_id

    def load(self, loader: Loader) -> None:
        loader.load("attempt", ("id", "person_id", "course_id", "number", "practice", "settings", "started_at",
                                "deadline_at", "submitted_at", "status", "score", "passed"), self.attempts)
        loader.load("attempt_item", ("id", "attempt_id", "position", "question_version_id", "option_order", "answer",
                                     "answered_at", "points", "correct"), self.items)
        self.attempts, self.items = [], []


def build(database: str = DEFAULT_DATABASE, *, today: date | None = None, seed: int = 2026) -> None:
    """Build the benchmark database from nothing."""
    from bench.coverage import generate as district
    from portal.domain.workforce.rules import parse_rules, repository_rules_text

    started = time.perf_counter()
    today = today or date.today()
    rng = random.Random(seed)
    _recreate(database)
    url = sqlalchemy_url(database)
    _schema_and_content(url)
    log(started, "schema migrated, curriculum loaded")
    with psycopg.connect(f"{SERVER}/{database}") as connection:
        indexes = _drop_indexes(connection)
        curriculum = Curriculum.read(connection)
        groups = dict(connection.execute("SELECT code, id FROM key_group").fetchall())
        sectors = dict(connection.execute("SELECT code, id FROM sector").fetchall())
        rules = parse_rules(repository_rules_text())
        loader = Loader(connection)
        sizes = district.Sizes(people=PEOPLE, organizations=ORGANIZATIONS, assignments=5 * PEOPLE,
                               completions=5 * PEOPLE)
        grids, streets, communities = district.load_localities(loader)
        orgs = district.load_organizations(loader, sizes, grids, sectors, rng)
        people = district.plan_people(sizes, orgs, grids, today, rng)
        district.load_people(loader, people, orgs, groups, rng)
        district.load_training(loader, sizes, people, orgs, curriculum.courses, rules, today, rng)
        district.load_targets(loader, streets, communities, groups, today)
        log(started, f"district: {len(people)} people, {len(orgs)} organizations")
        registered = _load_accounts(loader, people, rng)
        _load_study(loader, connection, curriculum, people, orgs, registered, rules, today, rng)
        log(started, f"{len(registered)} accounts, lesson progress and attempts")
        connection.execute("SET session_replication_role = DEFAULT")
        for statement in indexes:
            connection.execute(statement)
        for table in ("locality", "organization", "person", "trainee", "user_account", "assignment", "completion",
                      "certificate", "target", "lesson_progress", "attempt", "attempt_item"):
            connection.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                               f"COALESCE((SELECT MAX(id) FROM {table}), 1))")
        connection.execute("CREATE TABLE bench_dataset (fingerprint text, built_at timestamptz DEFAULT now())")
        connection.execute("INSERT INTO bench_dataset (fingerprint) VALUES (%s)", (fingerprint(),))
        connection.commit()
        log(started, "indexes rebuilt")
    with psycopg.connect(f"{SERVER}/{database}", autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    log(started, "analyzed; done")


def _load_accounts(loader: Loader, people, rng: random.Random) -> list:
    """Accounts for about 70% of the employed, active people; the bench trainees among them."""
    from argon2 import PasswordHasher

    from portal.config import BaseConfig

    # One production-cost hash for everybody: hashing 70,000 passwords would take hours.
    password_hash = PasswordHasher(time_cost=BaseConfig.ARGON2_TIME_COST,
                                   memory_cost=BaseConfig.ARGON2_MEMORY_COST).hash(PASSWORD)
    candidates = [p for p in people if p.org is not None and p.status == "active" and "all_staff" in p.groups]
    registered = [p for p in candidates if rng.random() < REGISTERED_SHARE]
    step = len(registered) // (PAGE_USERS + SUBMITTERS)
    names = [f"bench-page-{n:02d}" for n in range(1, PAGE_USERS + 1)]
    names += [f"bench-submit-{n:04d}" for n in range(1, SUBMITTERS + 1)]
    bench = {p.id: name for p, name in zip(registered[::step], names)}
    created = datetime(2025, 3, 1, tzinfo=timezone.utc)
    loader.load("user_account", ("id", "username", "mobile", "display_name", "password_hash", "active", "created_at"),
                ((p.id, bench.get(p.id), f"13{p.id:09d}", f"人员{p.id}", password_hash, True, created)
                 for p in registered))
    loader.connection.execute("UPDATE person SET user_id = id WHERE id IN (SELECT id FROM user_account)")
    loader.connection.commit()
    return registered


def _load_study(loader: Loader, connection, curriculum: Curriculum, people, orgs, registered, rules, today: date,
                rng: random.Random) -> None:
    """Lesson progress for the registered, graded attempts for some, an open quiz for a few."""
    from bench.coverage.generate import required_courses

    bench_names = dict(connection.execute("SELECT id, username FROM user_account WHERE username IS NOT NULL"))
    now = datetime.combine(today, datetime.min.time(), tzinfo=timezone.utc) + timedelta(hours=8)
    progress_ids = itertools.count(1)
    progress, writer = [], AttemptWriter(1, 1)
    for person in registered:
        kind = orgs[person.org][1]
        name = bench_names.get(person.id, "")
        for code in required_courses(person, kind, rules):
            course_id = curriculum.courses.get(code)
            if course_id is None:
                continue
            lessons = curriculum.lessons.get(course_id, [])
            roll = rng.random()
            read = len(lessons) if roll < 0.35 else rng.randrange(len(lessons) + 1) if roll < 0.7 else 0
            if name.startswith("bench-") and code == QUIZ_COURSE:
                read = len(lessons) if name.startswith("bench-submit") else len(lessons) // 2
            seen = now - timedelta(days=rng.randrange(1, 200))
            for position, lesson_id in enumerate(lessons):
                if position > read:
                    break
                done = position < read
                progress.append((next(progress_ids), person.id, lesson_id, course_id, seen, seen,
                                 seen if done else None, rng.randrange(60, 900) if done else 0))
            if read == len(lessons) and rng.random() < 0.5:
                writer.add(curriculum, person.id, course_id, 1, started=seen, rng=rng, graded=True, right_share=0.85)
            elif (name.startswith("bench-page") and code == QUIZ_COURSE) or (not name and rng.random() < 0.02):
                writer.add(curriculum, person.id, course_id, 1, started=now, rng=rng, graded=False, right_share=0.8,
                           answered_share=0.5)
        if len(progress) > 200_000:
            loader.load("lesson_progress", ("id", "person_id", "lesson_id", "course_id", "opened_at",
                                            "last_seen_at", "read_at", "seconds_spent"), progress)
            progress = []
        if len(writer.items) > 200_000:
            writer.load(loader)
    loader.load("lesson_progress", ("id", "person_id", "lesson_id", "course_id", "opened_at", "last_seen_at",
                                    "read_at", "seconds_spent"), progress)
    writer.load(loader)


@dataclass
class BenchUsers:
    page: list[tuple[int, str]]  # (trainee id = person id = user id, login)
    submit: list[tuple[int, str]]


def bench_users(database: str = DEFAULT_DATABASE) -> BenchUsers:
    with psycopg.connect(f"{SERVER}/{database}") as connection:
        rows = connection.execute("SELECT t.id, u.username FROM user_account u JOIN person p ON p.user_id = u.id "
                                  "JOIN trainee t ON t.person_id = p.id WHERE u.username LIKE 'bench-%' "
                                  "ORDER BY u.username").fetchall()
    return BenchUsers(page=[r for r in rows if r[1].startswith("bench-page")],
                      submit=[r for r in rows if r[1].startswith("bench-submit")])


def reset_bench_state(database: str = DEFAULT_DATABASE, *, submitters: int = 0, seed: int = 7) -> dict[int, int]:
    """Put the bench trainees back where a run starts; returns {submitter's trainee id: open attempt id}.

    Page users: their open quiz on QUIZ_COURSE restarts now (so its deadline lies ahead). The first
    `submitters` submit users: every lesson of QUIZ_COURSE read, no attempt, completion or certificate of
    it, an open assignment for it, and one open attempt answered (about 80% right, so most pass and
    earn a certificate when they submit). The ids serve as person ids (records) and trainee ids (assignments):
    they are the same in this data set.
    """
    users = bench_users(database)
    rng = random.Random(seed)
    page_ids = [t for t, _login in users.page]
    submit_ids = [t for t, _login in users.submit[:submitters]]
    with psycopg.connect(f"{SERVER}/{database}") as connection:
        curriculum = Curriculum.read(connection)
        course_id = curriculum.courses[QUIZ_COURSE]
        connection.execute("UPDATE attempt SET started_at = now(), deadline_at = now() + interval '25 minutes' "
                           "WHERE person_id = ANY(%s) AND status = 'open'", (page_ids,))
        # Foreign-key triggers off: only rows of these people and this course go, children first.
        connection.execute("SET session_replication_role = replica")
        records = "person_id = ANY(%s) AND course_id = %s"
        for statement in (f"DELETE FROM certificate WHERE {records}", f"DELETE FROM completion WHERE {records}",
                          f"DELETE FROM attempt_item WHERE attempt_id IN (SELECT id FROM attempt WHERE {records})",
                          f"DELETE FROM attempt WHERE {records}",
                          "DELETE FROM assignment WHERE trainee_id = ANY(%s) AND course_id = %s"):
            connection.execute(statement, (submit_ids, course_id))
        connection.execute("INSERT INTO assignment (trainee_id, course_id, rule, reason, legal_basis, due_on, status, "
                           "valid_months, closed_reason, created_at) SELECT t, %s, 'onboarding', '', '', "
                           "current_date + 14, 'open', 12, '', now() FROM unnest(%s::int[]) AS t",
                           (course_id, submit_ids))
        connection.execute("INSERT INTO lesson_progress (person_id, lesson_id, course_id, opened_at, last_seen_at, "
                           "read_at, seconds_spent) SELECT t, l, %s, now(), now(), now(), 300 "
                           "FROM unnest(%s::int[]) AS t, unnest(%s::int[]) AS l ON CONFLICT (person_id, lesson_id) "
                           "DO UPDATE SET read_at = COALESCE(lesson_progress.read_at, now())",
                           (course_id, submit_ids, curriculum.lessons[course_id]))
        first_attempt = connection.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM attempt").fetchone()[0]
        first_item = connection.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM attempt_item").fetchone()[0]
        writer = AttemptWriter(first_attempt, first_item)
        now = datetime.now(timezone.utc)
        opened = {trainee_id: writer.add(curriculum, trainee_id, course_id, 1, started=now, rng=rng, graded=False,
                                         right_share=0.85)
                  for trainee_id in submit_ids}
        writer.load(Loader(connection))
        connection.execute("SET session_replication_role = DEFAULT")
        for table in ("assignment", "lesson_progress", "attempt", "attempt_item"):
            connection.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                               f"COALESCE((SELECT MAX(id) FROM {table}), 1))")
        connection.commit()
    return opened


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    parser.add_argument("--fresh", action="store_true", help="rebuild even when the fingerprint matches")
    args = parser.parse_args(argv)
    print(ensure(args.database, fresh=args.fresh))


if __name__ == "__main__":
    main()
