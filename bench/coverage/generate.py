"""A synthetic district for the coverage benchmark: localities, organizations, people (a person and
their one employment, i.e. roster row, each), groups, assignments, completions, certificates and targets,
loaded with COPY (PostgreSQL) or executemany (SQLite) into an empty database.

    .venv/bin/python -m bench.coverage.generate --database-url sqlite:////tmp/district.sqlite3
    .venv/bin/python -m bench.coverage.generate --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench

The defaults are the full district of the issue (1,000,000 people, 20,000 organizations, 5,000,000
assignments and 5,000,000 completions); --scale 0.1 makes one tenth of everything. The data is
deterministic for a given --seed, --scale and --today.

Every person has exactly one employment (no second jobs) and the same id in both tables: person.id =
trainee.id. Completions and certificates belong to the person (person_id); assignments and key groups to
the employment (trainee_id).
"""
from __future__ import annotations

import argparse
import bisect
import itertools
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from portal.domain.workforce.reference import ensure_reference_data
from portal.domain.workforce.rules import parse_rules, repository_rules_text
from portal.domain.workforce.schedule import add_months
from portal.models import Base, Course, KeyGroup, Sector

STREETS = 20
COMMUNITIES_PER_STREET = 15
GRIDS_PER_COMMUNITY = 10
NO_EMPLOYER_SHARE = 0.03
LEFT_SHARE = 0.05
BIG_TABLES = ("person", "trainee", "trainee_group", "assignment", "completion", "certificate")
KIND_WEIGHTS = (("key_unit", 0.15), ("public_gathering", 0.25), ("general", 0.60))


@dataclass
class Sizes:
    people: int
    organizations: int
    assignments: int
    completions: int

    @classmethod
    def at(cls, scale: float) -> "Sizes":
        return cls(people=int(1_000_000 * scale), organizations=max(20, int(20_000 * scale)),
                   assignments=int(5_000_000 * scale), completions=int(5_000_000 * scale))


@dataclass
class Person:
    id: int
    org: int | None  # index into the organizations list
    locality: int
    status: str
    start: date
    groups: list[str] = field(default_factory=list)


class Loader:
    """Bulk rows into one database: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, engine):
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"
        self.raw = engine.raw_connection()
        self.cursor = self.raw.cursor()
        if self.postgres:
            self.cursor.execute("SET session_replication_role = replica")  # no FK triggers while loading
        else:
            for pragma in ("foreign_keys=OFF", "journal_mode=OFF", "synchronous=OFF", "cache_size=-400000"):
                self.cursor.execute(f"PRAGMA {pragma}")

    def load(self, table: str, columns: tuple[str, ...], rows) -> int:
        count = 0
        if self.postgres:
            with self.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        else:
            marks = ", ".join("?" for _ in columns)
            statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
            iterator = iter(rows)
            while batch := list(itertools.islice(iterator, 50_000)):
                self.cursor.executemany(statement, batch)
                count += len(batch)
        self.raw.commit()
        return count

    def finish(self) -> None:
        if self.postgres:
            self.cursor.execute("SET session_replication_role = DEFAULT")
            for table in ("locality", "organization", "person", "trainee", "assignment", "completion", "certificate",
                          "target", "offline_session"):
                self.cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                    f"COALESCE((SELECT MAX(id) FROM {table}), 1))")
        self.raw.commit()
        self.raw.close()


def drop_secondary_indexes(engine) -> list:
    """Indexes of the big tables, dropped before loading and rebuilt after (much faster)."""
    dropped = []
    with engine.begin() as connection:
        for name in BIG_TABLES:
            for index in Base.metadata.tables[name].indexes:
                index.drop(connection)
                dropped.append(index)
    return dropped


def rebuild_indexes(engine, indexes) -> None:
    with engine.begin() as connection:
        for index in indexes:
            index.create(connection)


def plan_people(sizes: Sizes, orgs: list[tuple], grids: list[int], today: date, rng: random.Random) -> list[Person]:
    """Who works where, who left and who belongs to which key group."""
    weights = list(itertools.accumulate(rng.paretovariate(1.3) for _ in orgs))
    people: list[Person] = []
    first_in_org: dict[int, int] = {}
    for pid in range(1, sizes.people + 1):
        status = "left" if rng.random() < LEFT_SHARE else "active"
        start = today - timedelta(days=int(rng.expovariate(1 / 900)))
        if rng.random() < NO_EMPLOYER_SHARE:
            person = Person(pid, None, rng.choice(grids), status, start)
            roll = rng.random()
            person.groups = ["grid_worker"] if roll < 0.5 else ["committee_staff"] if roll < 0.7 else ["small_business_owner"]
            people.append(person)
            continue
        index = bisect.bisect_left(weights, rng.random() * weights[-1])
        index = min(index, len(orgs) - 1)
        _id, kind, sector, locality = orgs[index]
        person = Person(pid, index, locality, status, start, ["all_staff"])
        seen = first_in_org.get(index, 0)
        first_in_org[index] = seen + 1
        if seen == 0:
            person.groups.append("responsible_person")
        elif seen in (1, 2):
            person.groups.append("safety_manager")
        if kind == "key_unit":
            person.groups.append("key_unit_staff")
        if kind != "general" and rng.random() < 0.05:
            person.groups.append("security_staff")
        extra = {"housing": ("property_staff", 0.6), "public_security": ("community_police", 0.3),
                 "civil_affairs": ("committee_staff", 0.2), "agriculture": ("committee_staff", 0.1)}.get(sector)
        if extra and rng.random() < extra[1]:
            person.groups.append(extra[0])
        if sector == "civil_affairs" and rng.random() < 0.2:
            person.groups.append("grid_worker")
        if kind == "general" and seen == 0 and rng.random() < 0.5:
            person.groups.append("small_business_owner")
        people.append(person)
    return people


def required_courses(person: Person, kind: str | None, rules) -> list[str]:
    codes = list(rules.onboarding.courses) + list(rules.onboarding_by_kind.get(kind or "general", ()))
    for group in person.groups:
        rule = rules.groups.get(group)
        if rule:
            codes += rule.courses
    return list(dict.fromkeys(codes))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 1,000,000 people (default)")
    parser.add_argument("--today", type=date.fromisoformat, default=date.today())
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    generate(args.database_url, Sizes.at(args.scale), today=args.today, seed=args.seed)


def log(started: float, message: str) -> None:
    print(f"[{time.perf_counter() - started:7.1f}s] {message}", file=sys.stderr, flush=True)


def generate(url: str, sizes: Sizes, *, today: date, seed: int = 2026) -> None:
    """Fill an empty database with a synthetic district of the given sizes."""
    started = time.perf_counter()
    rng = random.Random(seed)
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        if session.scalar(select(Course.id).limit(1)) is not None:
            raise SystemExit("the database is not empty: generate into a fresh database")
        ensure_reference_data(session)
        rules = parse_rules(repository_rules_text())
        for code in sorted(rules.course_codes()):
            session.add(Course(code=code, slug=code, title_zh=code, title_en=code, level="basic", credit_hours=2.0,
                               quiz={}))
        session.commit()
        courses = {c.code: c.id for c in session.scalars(select(Course))}
        groups = {g.code: g.id for g in session.scalars(select(KeyGroup))}
        sectors = {s.code: s.id for s in session.scalars(select(Sector))}
    indexes = drop_secondary_indexes(engine)
    loader = Loader(engine)
    grids, streets, communities = load_localities(loader)
    log(started, f"{len(grids)} grids")
    orgs = load_organizations(loader, sizes, grids, sectors, rng)
    log(started, f"{len(orgs)} organizations")
    people = plan_people(sizes, orgs, grids, today, rng)
    log(started, f"{len(people)} people planned")
    load_people(loader, people, orgs, groups, rng)
    log(started, "people and groups loaded")
    load_training(loader, sizes, people, orgs, courses, rules, today, rng)
    log(started, "assignments, completions and certificates loaded")
    load_targets(loader, streets, communities, groups, today)
    loader.finish()
    rebuild_indexes(engine, indexes)
    log(started, "indexes rebuilt")
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    log(started, "analyzed; done")


def load_localities(loader: Loader):
    rows, grids, streets, communities = [], [], [], []
    ids = itertools.count(1)
    district = next(ids)
    rows.append((district, "990000", "合成区", "Synthetic District", "district", None))
    for s in range(1, STREETS + 1):
        street = next(ids)
        streets.append(street)
        rows.append((street, f"990000{s:02d}", f"街道{s}", f"Street {s}", "street", district))
        for c in range(1, COMMUNITIES_PER_STREET + 1):
            community = next(ids)
            communities.append((community, street))
            rows.append((community, f"990000{s:02d}{c:02d}", f"社区{s}-{c}", f"Community {s}-{c}", "community", street))
            for g in range(1, GRIDS_PER_COMMUNITY + 1):
                grid = next(ids)
                grids.append(grid)
                rows.append((grid, f"990000{s:02d}{c:02d}{g:02d}", f"网格{s}-{c}-{g}", f"Grid {s}-{c}-{g}", "grid",
                             community))
    loader.load("locality", ("id", "code", "name_zh", "name_en", "level", "parent_id"), rows)
    return grids, streets, communities


def load_organizations(loader: Loader, sizes: Sizes, grids, sectors, rng) -> list[tuple]:
    kinds = [k for k, _w in KIND_WEIGHTS]
    kind_weights = [w for _k, w in KIND_WEIGHTS]
    sector_ids = list(sectors.items())
    orgs, rows = [], []
    now = datetime(2024, 1, 1, tzinfo=timezone.utc)
    for n in range(1, sizes.organizations + 1):
        kind = rng.choices(kinds, kind_weights)[0]
        sector_code, sector_id = rng.choice(sector_ids)
        grid = rng.choice(grids)
        orgs.append((n, kind, sector_code, grid))
        rows.append((n, f"合成单位{n}", f"91990000MA{n:08d}", kind, sector_id, grid, f"地址{n}", f"联系人{n % 97}",
                     f"010{n:08d}", f"B{n:08d}", now))
    loader.load("organization", ("id", "name", "credit_code", "kind", "sector_id", "locality_id", "address",
                                 "contact_name", "contact_phone", "invite_code", "created_at"), rows)
    return orgs


def load_people(loader: Loader, people: list[Person], orgs, groups, rng) -> None:
    created = datetime(2024, 1, 1, tzinfo=timezone.utc)

    def trainees():  # one employment per person, with the person's id; never a second job
        for p in people:
            org_id = orgs[p.org][0] if p.org is not None else None
            left_on = p.start + timedelta(days=200) if p.status == "left" else None
            yield (p.id, p.id, org_id, p.locality, "员工", p.status, False, p.start, left_on, created)

    loader.load("person", ("id", "real_name", "mobile", "created_at"),
                ((p.id, f"人员{p.id}", f"13{p.id:09d}", created) for p in people))
    loader.load("trainee", ("id", "person_id", "organization_id", "locality_id", "post", "status", "second_job",
                            "start_date", "left_on", "created_at"), trainees())
    loader.load("trainee_group", ("trainee_id", "key_group_id"),
                ((p.id, groups[g]) for p in people for g in p.groups))


def load_training(loader: Loader, sizes: Sizes, people: list[Person], orgs, courses, rules, today: date, rng) -> None:
    """Completions in yearly cycles per required course; a completed assignment per completion and an
    open (often overdue) one where the latest completion has lapsed or never happened."""
    required = [required_courses(p, orgs[p.org][1] if p.org is not None else None, rules) for p in people]
    pairs = sum(len(r) for r in required)
    per_pair = sizes.completions / max(pairs, 1)  # completions per (person, course) on average
    completions, assignments, certificates = [], [], []
    completion_id = itertools.count(1)
    now = datetime.combine(today, datetime.min.time(), tzinfo=timezone.utc)
    year_start = date(today.year, 1, 1)
    for person, codes in zip(people, required):
        kind = orgs[person.org][1] if person.org is not None else "general"
        months = 6 if kind == "public_gathering" else 12
        for code in codes:
            count = min(6, int(rng.random() * 2 * per_pair + 0.5))
            latest = today - timedelta(days=rng.randrange(0, 400))
            for cycle in range(count):
                done = latest - timedelta(days=cycle * months * 30 + rng.randrange(0, 20))
                valid = add_months(done, months)
                cid = next(completion_id)
                mode = "offline" if rng.random() < 0.1 else "online"
                completions.append((cid, person.id, courses[code], done, valid, mode, 90.0, now))
                assignments.append((person.id, courses[code], "group" if code not in rules.onboarding.courses
                                    else "onboarding", done, "completed", months, "completed", now))
                if done >= year_start:
                    certificates.append((f"SYN-{today.year}-{cid:09d}", f"tok{cid:020d}", cid, person.id,
                                         courses[code], orgs[person.org][0] if person.org is not None else None,
                                         f"人员{person.id}", "", done, 2.0, now, valid, "valid", "",
                                         f"syn{cid:019d}"))  # a made-up salt: synthetic people, no secret
            if count == 0 or latest + timedelta(days=months * 30) < today:
                due = today - timedelta(days=rng.randrange(-60, 120))
                assignments.append((person.id, courses[code], "onboarding", due, "open", months, "", now))
    keep = sizes.assignments / max(len(assignments), 1)
    if keep < 1:
        assignments = [a for a in assignments if a[4] == "open" or rng.random() < keep]
    loader.load("completion", ("id", "person_id", "course_id", "completed_on", "valid_until", "mode", "score",
                               "created_at"), completions)
    loader.load("assignment", ("trainee_id", "course_id", "rule", "due_on", "status", "valid_months", "closed_reason",
                               "created_at", "reason", "legal_basis", "overdue_since"),
                ((*a, a[2], "", a[3] if a[4] == "open" and a[3] < today else None) for a in assignments))
    loader.load("certificate", ("serial", "token", "completion_id", "person_id", "course_id", "organization_id",
                                "holder_name", "organization_name", "completed_on", "credit_hours", "issued_at",
                                "valid_until", "status", "status_reason", "identity_salt"),
                certificates)


def load_targets(loader: Loader, streets, communities, groups, today: date) -> None:
    deadline = date(today.year, 12, 31)
    rows = [(groups[g], 1, 0, deadline, 1.0, datetime.now(timezone.utc)) for g in groups]
    rows += [(groups["grid_worker"], s, 400, deadline, 1.0, datetime.now(timezone.utc)) for s in streets]
    rows += [(groups["community_police"], s, 40, deadline, 1.0, datetime.now(timezone.utc)) for s in streets]
    rows += [(groups["committee_staff"], c, 12, deadline, 1.0, datetime.now(timezone.utc)) for c, _s in communities]
    loader.load("target", ("key_group_id", "locality_id", "declared_count", "deadline", "target_rate", "updated_at"),
                rows)


if __name__ == "__main__":
    main()
