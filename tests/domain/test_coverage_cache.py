"""Coverage figures computed once are shared by every worker and node (Redis or a folder), and
`flask coverage warm` computes them ahead of the viewers."""
from datetime import date

import pytest
import redis
from sqlalchemy import select

from portal.coverage.blueprint import snapshot_cache
from portal.domain.coverage.cache import SharedStore, SnapshotCache
from portal.domain.coverage.snapshot import take_snapshot
from portal.domain.platform.localtime import local_today
from portal.domain.workforce.rules import current_rules
from portal.models import KeyGroup
from tests.conftest import ON_POSTGRES
from tests.factories import make_completion, make_course, make_org, make_trainee

TODAY = date(2026, 6, 30)
SINCE = date(2020, 1, 1)  # when these rosters' people started: coverage counts people employed on each date
# Databases of their own: 13 and 14, one per CI pass (they run at once); the two-node test takes one of 1 to 12.
REDIS_URL = f"redis://127.0.0.1:6379/{14 if ON_POSTGRES else 13}"


@pytest.fixture(params=["folder", "redis"])
def store(request, tmp_path):
    if request.param == "redis":
        redis.Redis.from_url(REDIS_URL).flushdb()
        yield SharedStore(redis_url=REDIS_URL)
        redis.Redis.from_url(REDIS_URL).flushdb()
    else:
        yield SharedStore(folder=str(tmp_path / "coverage-cache"))


def district(session):
    org = make_org()
    course = make_course("all-staff-basics")
    people = [make_trainee(org, start_date=SINCE) for _ in range(3)]
    make_completion(people[0], course, on=date(2026, 6, 1))
    session.flush()
    return people, course


def test_a_second_worker_answers_from_the_first_ones_figures(session, store):
    district(session)
    rules = current_rules(session)
    first, second = SnapshotCache(store=store), SnapshotCache(store=store)
    computed = take_snapshot(session, today=TODAY, rules=rules, cache=first)
    shared = take_snapshot(session, today=TODAY, rules=rules, cache=second)
    all_staff = session.scalar(select(KeyGroup.id).where(KeyGroup.code == "all_staff"))
    assert shared.figure(all_staff).covered == computed.figure(all_staff).covered == 1
    assert shared.cells is not computed.cells  # read back from the store, not computed: see below
    key = next(iter(second._entries))
    entry, calls = second._entries[key], []
    assert second.get(key, entry.version, lambda s: calls.append(1), session) is entry and calls == []


def test_changed_data_is_computed_again_and_shared_again(session, store):
    people, course = district(session)
    rules = current_rules(session)
    first, second = SnapshotCache(store=store), SnapshotCache(store=store)
    take_snapshot(session, today=TODAY, rules=rules, cache=first)
    make_completion(people[1], course, on=date(2026, 6, 2))
    session.flush()
    all_staff = session.scalar(select(KeyGroup.id).where(KeyGroup.code == "all_staff"))
    assert take_snapshot(session, today=TODAY, rules=rules, cache=second).figure(all_staff).covered == 2
    third = SnapshotCache(store=store)
    assert take_snapshot(session, today=TODAY, rules=rules, cache=third).figure(all_staff).covered == 2


def test_an_outdated_worker_reads_the_store_again_only_now_and_then(session, tmp_path):
    people, course = district(session)
    rules = current_rules(session)
    reads = []
    store = SharedStore(folder=str(tmp_path / "coverage-cache"))
    real_load = store.load
    store.load = lambda key: reads.append(key) or real_load(key)
    cache = SnapshotCache(store=store)
    take_snapshot(session, today=TODAY, rules=rules, cache=cache)
    make_completion(people[1], course, on=date(2026, 6, 2))  # the data moves on: this process's entry is outdated
    session.flush()
    jobs = []
    for _ in range(5):  # served from memory while the refresh runs elsewhere; the store is read once, not 5 times
        take_snapshot(session, today=TODAY, rules=rules, cache=cache, max_age=300, spawn=jobs.append)
    cells_reads = [key for key in reads if key[0] == "cells"]
    assert len(cells_reads) == 2  # both from the first snapshot (peek, then get, nothing in memory yet); none since
    cache._store_read = {key: when - SnapshotCache.STORE_RECHECK for key, when in cache._store_read.items()}
    take_snapshot(session, today=TODAY, rules=rules, cache=cache, max_age=300, spawn=jobs.append)
    assert len([key for key in reads if key[0] == "cells"]) == 3  # 30 s later: read again


def test_recent_figures_do_not_start_a_recomputation_in_every_worker(session):
    people, course = district(session)
    rules = current_rules(session)
    cache = SnapshotCache(refresh_after=300)
    first = take_snapshot(session, today=TODAY, rules=rules, cache=cache)
    make_completion(people[1], course, on=date(2026, 6, 2))
    session.flush()
    jobs = []
    again = take_snapshot(session, today=TODAY, rules=rules, cache=cache, max_age=3600, spawn=jobs.append)
    assert again.cells is first.cells and jobs == []  # a minute-old district is good enough: no recomputation
    for entry in cache._entries.values():
        entry.computed_at -= 301
    take_snapshot(session, today=TODAY, rules=rules, cache=cache, max_age=3600, spawn=jobs.append)
    assert len(jobs) == 1  # five minutes old and the data moved on: recomputed in the background


def test_an_unreadable_shared_entry_is_recomputed_not_shown(session, tmp_path):
    district(session)
    folder = tmp_path / "coverage-cache"
    store = SharedStore(folder=str(folder))
    rules = current_rules(session)
    take_snapshot(session, today=TODAY, rules=rules, cache=SnapshotCache(store=store))
    for path in folder.glob("*.pickle"):
        path.write_bytes(b"not a pickle")
    all_staff = session.scalar(select(KeyGroup.id).where(KeyGroup.code == "all_staff"))
    again = take_snapshot(session, today=TODAY, rules=rules, cache=SnapshotCache(store=store))
    assert again.figure(all_staff).covered == 1
    assert all(path.read_bytes() != b"not a pickle" for path in folder.glob("*.pickle"))  # replaced


@pytest.fixture
def app_config(tmp_path):
    return {"COVERAGE_CACHE": True}


def test_flask_coverage_warm_computes_what_the_pages_ask_for(app, session, client, login, tmp_path):
    from tests.factories import make_user

    district(session)
    user = make_user("office_admin")
    session.commit()
    result = app.test_cli_runner().invoke(args=["coverage", "warm"])
    assert result.exit_code == 0, result.output
    assert "coverage dashboard and drill-down: figures of" in result.output and "trend, 12 weeks" in result.output
    assert f"yearly report {local_today().year}" in result.output
    files = list((tmp_path / "storage" / "coverage-cache").glob("*.pickle"))
    assert len(files) >= 6  # cells for the dashboard, the trend and the yearly report; compliance; activity
    # a fresh worker (an empty in-process cache) answers the dashboard without computing anything
    snapshot_cache(app).clear(shared=False)
    computed = []
    from portal.domain.coverage import snapshot as snapshot_module

    from portal.domain.coverage import report as report_module

    real, real_activity = snapshot_module.coverage_cells, report_module.year_activity
    snapshot_module.coverage_cells = lambda *args, **kwargs: computed.append(1) or real(*args, **kwargs)
    report_module.year_activity = lambda *args, **kwargs: computed.append(2) or real_activity(*args, **kwargs)
    try:
        login(user)
        client.set_cookie("lang", "en")
        page = client.get("/office/coverage/").get_data(as_text=True)
        trend = client.get("/office/coverage/trend").get_data(as_text=True)
        report = client.get(f"/office/coverage/report.pdf?year={local_today().year}")
    finally:
        snapshot_module.coverage_cells, report_module.year_activity = real, real_activity
    assert "33.3%" in page and "Weekly coverage" in trend and report.data.startswith(b"%PDF")
    assert computed == []
    assert local_today().isoformat() in page


def test_warm_refuses_when_the_cache_is_off(app):
    app.config["COVERAGE_CACHE"] = False
    result = app.test_cli_runner().invoke(args=["coverage", "warm"])
    assert result.exit_code != 0 and "COVERAGE_CACHE is off" in result.output
