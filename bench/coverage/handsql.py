"""The hand-written SQL the benchmark compares each view with: one statement per question, written
for the database at hand (PostgreSQL ORs course bits with bit_or; SQLite takes per-course maxima first).

Course bits and group masks are read from the catalogue and rules (they are constants of the
question, as a person writing the SQL by hand would type them in).

Completions belong to the person (completion.person_id): the held masks are per person and reach each
employment (trainee row) through trainee.person_id. On each date a person is counted once, at the job that
places them that day (portal/domain/workforce/employment.py): a job held that day (begun by then, not yet left) that no
other job of the person held that day ranks before (with an employer, not a second job, begun first, older
row); only people with several jobs need that look-up ("outranked" below).
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from portal.domain.coverage.requirements import load_requirements
from portal.domain.workforce.rules import current_rules
from portal.models import Sector


class Questions:
    def __init__(self, session: Session, *, today: date, organization_id: int):
        self.session = session
        self.today = today
        self.organization_id = organization_id
        self.postgres = session.get_bind().dialect.name == "postgresql"
        req = load_requirements(session, current_rules(session))
        self.req = req
        self.group_ids = [g.id for g in req.groups]
        self.all_staff = next(g.id for g in req.groups if g.code == "all_staff")
        # ~required per (group, kind): covered when held | ~required has every bit set (-1).
        named = " ".join(f"WHEN {g} THEN {~(m or req.impossible)}" for g, m in req.named.items())
        kinds = " ".join(f"WHEN '{k}' THEN {~(m or req.impossible)}" for k, m in req.by_kind.items())
        self.missing_bits = (f"(CASE tg.key_group_id {named} ELSE CASE o.kind {kinds} "
                             f"ELSE {~(req.onboarding or req.impossible)} END END)")
        self.commerce = session.scalar(select(Sector.id).where(Sector.code == "commerce"))
        self.in_sector = (f"AND s.person_id IN (SELECT t2.person_id FROM trainee t2 JOIN organization o2 "
                          f"ON o2.id = t2.organization_id WHERE o2.sector_id = {self.commerce})")

    def held(self, dates: list[date], where: str = "") -> str:
        bit = "CASE c.course_id " + " ".join(f"WHEN {cid} THEN {b}" for cid, b in self.req.bits.items()) + " ELSE 0 END"
        ids = ", ".join(str(cid) for cid in self.req.bits)
        first, last = min(dates), max(dates)
        window = (f"c.course_id IN ({ids}) AND c.completed_on <= '{last}' "
                  f"AND (c.valid_until IS NULL OR c.valid_until >= '{first}') {where}")

        def valid(day):
            return f"c.completed_on <= '{day}' AND (c.valid_until IS NULL OR c.valid_until >= '{day}')"

        if self.postgres:
            columns = ", ".join(f"bit_or(CASE WHEN {valid(d)} THEN {bit} ELSE 0 END) AS m{k}"
                                for k, d in enumerate(dates))
            return f"SELECT c.person_id, {columns} FROM completion c WHERE {window} GROUP BY c.person_id"
        flags = ", ".join(f"MAX(CASE WHEN {valid(d)} THEN 1 ELSE 0 END) AS v{k}" for k, d in enumerate(dates))
        sums = ", ".join(f"SUM(bit * v{k}) AS m{k}" for k in range(len(dates)))
        return (f"SELECT person_id, {sums} FROM (SELECT c.person_id, {bit} AS bit, {flags} FROM completion c "
                f"WHERE {window} GROUP BY c.person_id, c.course_id) per_course GROUP BY person_id")

    def covered(self, k: int) -> str:
        return f"(COALESCE(h.m{k}, 0) | {self.missing_bits}) = -1"

    @staticmethod
    def began(a: str) -> str:
        return f"COALESCE({a}.start_date, date({a}.created_at))"

    def employed(self, day: date, a: str = "t") -> str:
        """The employment `a` is held on `day`: begun by then, and still active or left after it."""
        return (f"({self.began(a)} <= '{day}' AND (({a}.left_on IS NULL AND {a}.status = 'active') "
                f"OR {a}.left_on > '{day}'))")

    def window(self, dates: list[date], a: str = "t") -> str:
        return (f"({self.began(a)} <= '{max(dates)}' AND (({a}.left_on IS NULL AND {a}.status = 'active') "
                f"OR {a}.left_on > '{min(dates)}'))")

    def outranked(self, dates: list[date], persons: str = "") -> str:
        """Per employment of a person with several jobs, o{k} = 1 when another of their jobs places them that day."""
        def rank(a):
            return (f"(CASE WHEN {a}.organization_id IS NULL THEN 1 ELSE 0 END, CASE WHEN {a}.second_job THEN 1 "
                    f"ELSE 0 END, {self.began(a)}, {a}.id)")

        flags = ", ".join(f"MAX(CASE WHEN {self.employed(d, 'j')} AND {self.employed(d, 'k')} THEN 1 ELSE 0 END) "
                          f"AS o{k}" for k, d in enumerate(dates))
        several = (f"SELECT person_id FROM trainee s WHERE {self.window(dates, 's')} {persons} "
                   f"GROUP BY person_id HAVING COUNT(*) > 1")
        return (f"SELECT j.id AS trainee_id, {flags} FROM trainee j JOIN trainee k ON k.person_id = j.person_id "
                f"AND k.id <> j.id WHERE j.person_id IN ({several}) AND {rank('k')} < {rank('j')} GROUP BY j.id")

    def placed(self, dates: list[date], k: int) -> str:
        return f"({self.employed(dates[k])} AND COALESCE(x.o{k}, 0) = 0)"

    def base(self, dates: list[date], where: str = "", held_where: str = "", person: bool = False,
             persons: str = "", joins: str = "") -> str:
        """Employments held on some of the dates (on one date: those that place their person that day), their
        groups, employer, held masks and whether another job places the person (x); with `person`, the
        person's name and mobile too (p). `persons` limits the other jobs looked at (AND s.person_id IN ...);
        `joins` come before the WHERE."""
        names = "JOIN person p ON p.id = t.person_id " if person else ""
        who = self.placed(dates, 0) if len(dates) == 1 else self.window(dates)
        return (f"FROM trainee t {names}JOIN trainee_group tg ON tg.trainee_id = t.id "
                f"LEFT JOIN organization o ON o.id = t.organization_id "
                f"LEFT JOIN ({self.held(dates, held_where)}) h ON h.person_id = t.person_id "
                f"LEFT JOIN ({self.outranked(dates, persons)}) x ON x.trainee_id = t.id {joins} "
                f"WHERE {who} {where}")

    def run(self, question: str):
        """Run the question's statement (or statements, for a page showing several figures)."""
        if self.postgres:
            self.session.execute(text("SET LOCAL jit = off"))
            self.session.execute(text("SET LOCAL work_mem = '128MB'"))
        statements = getattr(self, question)()
        if isinstance(statements, str):
            statements = [statements]
        return [self.session.execute(text(statement)).all() for statement in statements]

    # ------------------------------------------------------------------------------------- questions

    def headline(self) -> list[str]:
        """Coverage per group now and 28 days ago, and the four figures beside it."""
        return [self.coverage_per_group(), *self.compliance()]

    def headline_sector(self) -> list[str]:
        sector = f"AND o.sector_id = {self.commerce}"
        return [self.coverage_per_group_sector(),
                *self.compliance(sector, f"organization_id IN (SELECT id FROM organization WHERE sector_id = {self.commerce})")]

    def compliance(self, where: str = "", certificates: str = "") -> list[str]:
        """Onboarding (trained before the start date), periodic (renewals on time), overdue, certificates."""
        since, today = date(self.today.year, 1, 1), self.today
        bit = "CASE c.course_id " + " ".join(f"WHEN {cid} THEN {b}" for cid, b in self.req.bits.items()) + " ELSE 0 END"
        kinds = " ".join(f"WHEN '{k}' THEN {m}" for k, m in self.req.by_kind.items())
        org_join = "JOIN organization o ON o.id = t.organization_id"
        certificate_scope = f"AND {certificates}" if certificates else ""
        return [
            f"SELECT org, SUM(CASE WHEN (mask & need) = need THEN 1 ELSE 0 END), COUNT(*) FROM (SELECT t.id, "
            f"t.organization_id AS org, CASE o.kind {kinds} END AS need, COALESCE(SUM(DISTINCT {bit}), 0) AS mask "
            f"FROM trainee t {org_join} LEFT JOIN completion c ON c.person_id = t.person_id "
            f"AND c.completed_on <= t.start_date AND c.course_id IN ({', '.join(str(i) for i in self.req.bits)}) "
            f"WHERE t.start_date >= '{since}' AND t.start_date <= '{today}' {where} "
            f"GROUP BY t.id, t.organization_id, o.kind) hire GROUP BY org",
            f"SELECT t.organization_id, COUNT(*), SUM(CASE WHEN a.status = 'completed' AND date(a.closed_at) <= a.due_on "
            f"THEN 1 ELSE 0 END) FROM assignment a JOIN trainee t ON t.id = a.trainee_id {org_join} WHERE a.rule LIKE "
            f"'periodic:%' AND a.due_on >= '{since}' AND a.due_on < '{today}' {where} GROUP BY t.organization_id",
            f"SELECT t.organization_id, COUNT(*), COUNT(DISTINCT a.trainee_id) FROM assignment a JOIN trainee t "
            f"ON t.id = a.trainee_id {org_join} WHERE a.status = 'open' AND a.due_on < '{today}' "
            f"AND t.status = 'active' {where} GROUP BY t.organization_id",
            f"SELECT organization_id, COUNT(*) FROM certificate WHERE issued_at >= '{since}' "
            f"AND issued_at <= '{today} 23:59:59' {certificate_scope} GROUP BY organization_id",
        ]

    def coverage_per_group(self) -> str:
        """Per group: people on rosters now, covered now, covered 28 days ago, covered without an employer now,
        declared, people on rosters 28 days ago."""
        dates = [self.today - timedelta(days=28), self.today]
        now, before = self.placed(dates, 1), self.placed(dates, 0)
        declared = ("LEFT JOIN (SELECT key_group_id, SUM(declared_count) AS declared FROM target GROUP BY "
                    "key_group_id) d ON d.key_group_id = tg.key_group_id")
        return (f"SELECT tg.key_group_id, SUM(CASE WHEN t.organization_id IS NOT NULL AND {now} THEN 1 ELSE 0 END), "
                f"SUM(CASE WHEN t.organization_id IS NOT NULL AND {now} AND {self.covered(1)} THEN 1 ELSE 0 END), "
                f"SUM(CASE WHEN t.organization_id IS NOT NULL AND {before} AND {self.covered(0)} THEN 1 ELSE 0 END), "
                f"SUM(CASE WHEN t.organization_id IS NULL AND {now} AND {self.covered(1)} THEN 1 ELSE 0 END), "
                f"MAX(d.declared), SUM(CASE WHEN t.organization_id IS NOT NULL AND {before} THEN 1 ELSE 0 END) "
                f"{self.base(dates, joins=declared)} GROUP BY tg.key_group_id")

    def coverage_per_group_sector(self) -> str:
        dates = [self.today - timedelta(days=28), self.today]
        now, before = self.placed(dates, 1), self.placed(dates, 0)
        return (f"SELECT tg.key_group_id, SUM(CASE WHEN {now} THEN 1 ELSE 0 END), "
                f"SUM(CASE WHEN {now} AND {self.covered(1)} THEN 1 ELSE 0 END), "
                f"SUM(CASE WHEN {before} AND {self.covered(0)} THEN 1 ELSE 0 END) "
                f"{self.base(dates, f'AND o.sector_id = {self.commerce}', persons=self.in_sector)} "
                f"GROUP BY tg.key_group_id")

    def by_street(self) -> str:
        return ("WITH RECURSIVE up(id, street) AS (SELECT id, id FROM locality WHERE level = 'street' UNION ALL "
                "SELECT l.id, up.street FROM locality l JOIN up ON l.parent_id = up.id) "
                f"SELECT up.street, tg.key_group_id, SUM(CASE WHEN t.organization_id IS NOT NULL THEN 1 ELSE 0 END), "
                f"SUM(CASE WHEN t.organization_id IS NOT NULL AND {self.covered(0)} THEN 1 ELSE 0 END), "
                f"SUM(CASE WHEN t.organization_id IS NULL AND {self.covered(0)} THEN 1 ELSE 0 END) "
                f"{self.base([self.today], joins='JOIN up ON up.id = t.locality_id')} "
                "GROUP BY up.street, tg.key_group_id")

    def by_sector(self) -> str:
        return (f"SELECT o.sector_id, tg.key_group_id, COUNT(*), SUM(CASE WHEN {self.covered(0)} THEN 1 ELSE 0 END) "
                f"{self.base([self.today], 'AND t.organization_id IS NOT NULL')} GROUP BY o.sector_id, tg.key_group_id")

    def by_organization(self) -> str:
        return (f"SELECT t.organization_id, COUNT(*) AS people, SUM(CASE WHEN {self.covered(0)} THEN 1 ELSE 0 END) "
                f"AS covered {self.base([self.today], 'AND t.organization_id IS NOT NULL')} "
                f"GROUP BY t.organization_id ORDER BY COUNT(*) - SUM(CASE WHEN {self.covered(0)} THEN 1 ELSE 0 END) "
                f"DESC, t.organization_id LIMIT 25")

    def gaps(self) -> str:
        return self.by_organization().replace("LIMIT 25", "LIMIT 50")

    def its_people(self, column: str) -> str:
        return f"AND {column} IN (SELECT person_id FROM trainee WHERE organization_id = {self.organization_id})"

    def one_organization(self) -> list[str]:
        org = self.organization_id
        base = self.base([self.today], f"AND t.organization_id = {org}", self.its_people("c.person_id"),
                         persons=self.its_people("s.person_id"))
        return [f"SELECT tg.key_group_id, COUNT(*), SUM(CASE WHEN {self.covered(0)} THEN 1 ELSE 0 END) {base} "
                f"GROUP BY tg.key_group_id", *self.compliance(f"AND t.organization_id = {org}", f"organization_id = {org}")]

    def missing_district(self) -> str:
        return (f"SELECT t.id, p.real_name, p.mobile, o.name "
                f"{self.base([self.today], f'AND tg.key_group_id = {self.all_staff}', person=True)} "
                f"AND NOT {self.covered(0)} ORDER BY o.name, t.organization_id, p.real_name, t.id LIMIT 25")

    def missing_organization(self) -> str:
        org = self.organization_id
        where = f"AND tg.key_group_id = {self.all_staff} AND t.organization_id = {org}"
        base = self.base([self.today], where, self.its_people("c.person_id"), person=True,
                         persons=self.its_people("s.person_id"))
        return (f"SELECT t.id, p.real_name, p.mobile, o.name {base} AND NOT {self.covered(0)} "
                f"ORDER BY p.real_name, t.id LIMIT 25")

    def trend(self) -> str:
        dates = [self.today - timedelta(days=7 * k) for k in range(12, -1, -1)]
        people = ", ".join(f"SUM(CASE WHEN {self.placed(dates, k)} THEN 1 ELSE 0 END)" for k in range(len(dates)))
        sums = ", ".join(f"SUM(CASE WHEN {self.placed(dates, k)} AND {self.covered(k)} THEN 1 ELSE 0 END)"
                         for k in range(len(dates)))
        return f"SELECT tg.key_group_id, {people}, {sums} {self.base(dates)} GROUP BY tg.key_group_id"
