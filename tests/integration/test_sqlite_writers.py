"""SQLite under several gunicorn workers: concurrent writers never show 'database is locked' to a user."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import func, select

from portal import create_app
from portal.domain.content.sync import sync_content
from portal.domain.workforce.reference import ensure_reference_data
from portal.extensions import db
from portal.models import AttemptItem
from tests.conftest import FIXTURE_CONTENT
from tests.factories import DEFAULT_PASSWORD, make_org, make_user
from tests.integration.servers import ROOT, csrf, gunicorn, log_in

PEOPLE = 8
ROUNDS = 25


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sqlite-writers")
    url = f"sqlite:///{folder / 'portal.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "writers-" + "x" * 40, "PORTAL_ENV": "development",
           "CONTENT_ROOT": str(FIXTURE_CONTENT), "STORAGE_PATH": str(folder / "storage"), "FLASK_APP": "portal",
           "PORTAL_INSTANCE_PATH": str(folder / "instance"), "LOGIN_LIMIT_PER_ADDRESS": "1000 per minute"}
    env.pop("REDIS_URL", None)
    subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    app = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url, "CONTENT_ROOT": FIXTURE_CONTENT})
    with app.app_context():
        ensure_reference_data(db.session)
        sync_content(db.session, FIXTURE_CONTENT)
        org = make_org()
        names = [make_user("trainee", org=org).username for _ in range(PEOPLE)]
        db.session.commit()
    with gunicorn(env, workers=4, threads=2) as base:
        yield {"app": app, "base": base, "names": names}
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _one_trainee(base: str, name: str) -> list[int]:
    browser = requests.Session()
    assert log_in(browser, base, name, DEFAULT_PASSWORD).status_code == 302
    course = browser.get(f"{base}/me/courses/sample-course").text
    attempt_url = browser.post(f"{base}/me/courses/sample-course/quiz", data={"csrf_token": csrf(course)},
                               allow_redirects=False).headers["Location"]
    page = browser.get(f"{base}{attempt_url}").text
    items = re.findall(r'name="item" value="(\d+)"', page)
    statuses = []
    for round_number in range(ROUNDS):
        item = items[round_number % len(items)]
        choices = re.findall(rf'name="answer-{item}" value="([^"]+)"', page)
        response = browser.post(f"{base}{attempt_url}/answers", headers={"Accept": "application/json"},
                                data={"csrf_token": csrf(page), "item": item,
                                      f"answer-{item}": choices[round_number % len(choices)]})
        statuses.append(response.status_code if response.json().get("saved") else -response.status_code)
    return statuses


def test_concurrent_answer_saves_all_succeed(server):
    with ThreadPoolExecutor(max_workers=PEOPLE) as pool:
        results = list(pool.map(lambda name: _one_trainee(server["base"], name), server["names"]))
    assert all(status == 200 for statuses in results for status in statuses)
    with server["app"].app_context():
        answered = db.session.scalar(select(func.count()).select_from(AttemptItem).where(AttemptItem.answer.is_not(None)))
        db.session.remove()
    assert answered == PEOPLE * 4
