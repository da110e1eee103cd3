"""Where a trainee page's time goes: SQL statements and time, template rendering, the rest; and a cProfile.

    .venv/bin/python -m bench.web_profile [--n 200] [--pages home,lesson,quiz,save,submit,course,result]

Runs in-process (Flask's test client, production configuration) against the web benchmark's database
(bench/dataset.py), as one bench trainee. Prints a table per page and writes the 40 most expensive
functions of each page (by cumulative time, then by own time) to bench/out/profile-<page>.txt.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import re
import statistics
import time
from pathlib import Path

from flask import before_render_template, template_rendered
from sqlalchemy import event

from bench import dataset
from bench.web_scenarios import submit_forms, trainee_states
from bench.web_servers import SECRET_KEY, USER_AGENT, forged_sessions

OUT = Path(__file__).resolve().parent / "out"
PAGES = ("hello", "home", "course", "lesson", "quiz", "save", "submit", "result")


class Meter:
    """Counts SQL statements and their time, and template rendering time, per request."""

    def __init__(self, app, engine):
        self.reset()
        self._started: list[float] = []

        @event.listens_for(engine, "before_cursor_execute")
        def before(*_args):
            self._sql_start = time.perf_counter()

        @event.listens_for(engine, "after_cursor_execute")
        def after(*_args):
            self.statements += 1
            self.sql += time.perf_counter() - self._sql_start

        before_render_template.connect(self._before_render, app, weak=False)
        template_rendered.connect(self._after_render, app, weak=False)

    def _before_render(self, *_args, **_kwargs):
        self._started.append(time.perf_counter())

    def _after_render(self, *_args, **_kwargs):
        self.render += time.perf_counter() - self._started.pop()

    def reset(self):
        self.statements, self.sql, self.render = 0, 0.0, 0.0


def make_app(url: str):
    from portal import create_app

    return create_app({"PORTAL_ENV": "production", "SECRET_KEY": SECRET_KEY, "SQLALCHEMY_DATABASE_URI": url,
                       "LOGIN_LIMIT_PER_ADDRESS": "100000 per minute", "LOGIN_BACKOFF_AFTER": 100000,
                       "PROXY_COUNT": 0})


def log_in(client, login: str) -> str:
    client.environ_base["HTTP_REFERER"] = "https://localhost/"  # Flask-WTF checks it on HTTPS
    page = client.get("/auth/login", base_url="https://localhost").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post("/auth/login", data={"login": login, "password": dataset.PASSWORD, "csrf_token": token},
                           base_url="https://localhost")
    assert response.status_code == 302, response.status_code
    page = client.get("/me/", base_url="https://localhost").get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=dataset.DEFAULT_DATABASE)
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--pages", default=",".join(PAGES))
    args = parser.parse_args(argv)
    url = dataset.ensure(args.database)
    submits = dataset.reset_bench_state(args.database, submitters=2 * args.n + 20)
    users = dataset.bench_users(args.database)
    state = trainee_states(args.database, users.page[:1])[0]
    sessions = forged_sessions(url, list(submits))  # user id = person id = trainee id in the bench data set
    app = make_app(url)
    from portal.extensions import db

    with app.app_context():
        meter = Meter(app, db.engine)
    OUT.mkdir(exist_ok=True)
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = USER_AGENT
    token = log_in(client, state.login)
    submit_client = app.test_client(use_cookies=False)  # each submitter's session comes in its Cookie header
    submit_client.environ_base.update(HTTP_USER_AGENT=USER_AGENT, HTTP_REFERER="https://localhost/")
    pending = list(submits.items())
    forms = dict(zip(submits.values(), submit_forms(args.database, list(submits.values()),
                                                    [sessions[trainee][1] for trainee in submits])))
    graded: list[tuple[int, int]] = []

    from bench.web_baseline import app as hello_app

    hello = hello_app.test_client()

    def request(page: str):
        if page == "hello":  # the baseline's bare endpoint, for scale
            return hello.get("/")
        if page == "save":
            response = client.post(state.path("save"), data=state.save_form(token), base_url="https://localhost",
                                   headers={"Accept": "application/json"})
        elif page in ("submit", "result"):
            trainee_id, attempt_id = pending.pop() if page == "submit" else graded[len(graded) // 2]
            cookie = sessions[trainee_id][0]
            if page == "submit":
                graded.append((trainee_id, attempt_id))
                response = submit_client.post(state.path("submit", attempt_id), data=forms[attempt_id],
                                       base_url="https://localhost", headers={"Cookie": cookie})
            else:
                response = submit_client.get(state.path("result", attempt_id), base_url="https://localhost",
                                      headers={"Cookie": cookie})
        else:
            response = client.get(state.path(page), base_url="https://localhost")
        assert response.status_code in (200, 302), (page, response.status_code)
        return response

    print("| page | ms/request (median) | CPU ms (this process) | SQL statements | SQL ms | template ms | other ms |")
    print("|---|---|---|---|---|---|---|")
    for page in args.pages.split(","):
        for _ in range(0 if page == "submit" else 10):
            request(page)
        samples, cpu, statements, sql, render = [], [], [], [], []
        for _ in range(args.n):
            meter.reset()
            started, cpu_started = time.perf_counter(), time.process_time()
            request(page)
            samples.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
            statements.append(meter.statements)
            sql.append(meter.sql * 1000)
            render.append(meter.render * 1000)
        median = statistics.median(samples)
        print(f"| {page} | {median:.2f} | {statistics.median(cpu):.2f} | {statistics.median(statements):.0f} | "
              f"{statistics.median(sql):.2f} | "
              f"{statistics.median(render):.2f} | {median - statistics.median(sql) - statistics.median(render):.2f} |")
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.n // 2 if page == "submit" else args.n):
            request(page)
        profiler.disable()
        buffer = io.StringIO()
        stats = pstats.Stats(profiler, stream=buffer)
        stats.sort_stats("cumulative").print_stats(40)
        stats.sort_stats("tottime").print_stats(40)  # where the time is spent, not only passed through
        (OUT / f"profile-{page}.txt").write_text(buffer.getvalue(), encoding="utf-8")


if __name__ == "__main__":
    main()
