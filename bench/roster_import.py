"""Benchmark: importing a 10,000-row roster (XLSX) end to end, against the 30-second budget.

    .venv/bin/python bench/roster_import.py [--rows 10000] [--database-url URL]

Times each step in one run: reading the file, validating rows, classifying against the roster,
and applying the confirmed import (people, history, the schedule for each person) in one transaction.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from portal import create_app
from portal.config import PROJECT_ROOT
from portal.domain.workforce import roster, roster_import
from portal.domain.platform import tabular
from portal.domain.content.sync import sync_content
from portal.domain.workforce.reference import ensure_reference_data
from portal.domain.workforce.rules import current_rules
from portal.extensions import db
from portal.models import KeyGroup, Locality, Organization, Sector, utcnow
from sqlalchemy import select


def make_file(rows: int) -> bytes:
    headers = ["姓名", "手机号", "身份证号", "岗位", "重点人群", "入职日期"]
    start = date(2026, 1, 5)
    data = [[f"员工{n}", f"139{n:08d}", "", ("收银员", "保安员", "仓管员")[n % 3],
             ("全体员工", "安保人员/微型消防站队员", "消防安全管理人")[n % 3], start + timedelta(days=n % 300)]
            for n in range(rows)]
    return tabular.write_xlsx(headers, data)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    url = args.database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
    app = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.drop_all(bind_key=None)
        db.create_all(bind_key=None)
        ensure_reference_data(db.session)
        sync_content(db.session, PROJECT_ROOT)
        place = Locality(code="B1", name_zh="测试", name_en="Bench", level="grid")
        org = Organization(name="基准单位", credit_code="91350100M000100Y43", kind="public_gathering",
                           sector=db.session.scalar(select(Sector)), locality=place, invite_code="BENCH")
        db.session.add(org)
        db.session.commit()
        data = make_file(args.rows)
        groups = {g.code: (g.code, g.name_zh, g.name_en) for g in db.session.scalars(select(KeyGroup))}
        timings = {}
        t0 = time.perf_counter()
        table = tabular.read_table(data, "roster.xlsx", max_rows=args.rows + 10)
        timings["read XLSX"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        parsed = roster_import.parse_roster(table, groups=groups)
        timings["validate rows"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        preview = roster_import.classify(parsed, {})
        timings["classify"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        summary = roster.apply_import(db.session, org, preview, rules=current_rules(db.session),
                                      actor=roster.Actor(user_id=None, source="import"), now=utcnow())
        db.session.commit()
        timings["apply and schedule (one transaction)"] = time.perf_counter() - t0
        total = sum(timings.values())
        print(f"| step | seconds |\n|---|---|")
        for step, seconds in timings.items():
            print(f"| {step} | {seconds:.2f} |")
        print(f"| **total for {args.rows:,} rows ({summary['created']:,} people, {db.engine.dialect.name})** | **{total:.2f}** |")
        print(f"budget 30 s: {'within' if total < 30 else 'OVER'} ({total / 30:.0%} of it)")
        db.session.remove()


if __name__ == "__main__":
    main()
