"""Scale-out proof: two gunicorn nodes on one PostgreSQL database and one Redis.

Runs in both CI passes: it always makes its own PostgreSQL database (PostgreSQL and Redis are
started before CI), whatever DATABASE_URL the rest of the suite uses.
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
import redis
import requests
from sqlalchemy import func, make_url, select

from portal import create_app
from portal.domain.content.sync import sync_content
from portal.domain.reference import ensure_reference_data
from portal.extensions import db
from portal.models import Assignment, Attempt, AttemptItem, RuleSet
from tests.conftest import FIXTURE_CONTENT
from tests.factories import DEFAULT_PASSWORD, make_org, make_trainee, make_user

BASE = make_url(os.environ.get("TWO_NODE_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
DATABASE = "portal_two_nodes"
REDIS_URL = "redis://127.0.0.1:6379/15"
ROOT = Path(__file__).resolve().parents[2]
RULES = (ROOT / "tests" / "views" / "test_company.py").read_text(encoding="utf-8").split('RULES = """')[1].split('"""')[0]


def _admin_connection():
    return psycopg.connect(f"host={BASE.host} port={BASE.port or 5432} user={BASE.username} dbname={BASE.database}",
                           autocommit=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A fresh database migrated to head, seeded, and two nodes serving it."""
    with _admin_connection() as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE}"')
    url = BASE.set(database=DATABASE).render_as_string(hide_password=False)
    shared = tmp_path_factory.mktemp("shared")
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": REDIS_URL, "SECRET_KEY": "two-nodes-" + "x" * 40,
           "PORTAL_ENV": "development", "CONTENT_ROOT": str(FIXTURE_CONTENT), "STORAGE_PATH": str(shared / "storage"),
           "SIGNING_KEY_PATH": str(shared / "signing-key.pem"), "PORTAL_INSTANCE_PATH": str(shared / "instance"),
           "LOGIN_LIMIT_PER_ACCOUNT": "5 per 5 minutes", "FLASK_APP": "portal"}
    redis.Redis.from_url(REDIS_URL).flushdb()
    subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    app = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url, "CONTENT_ROOT": FIXTURE_CONTENT,
                      "STORAGE_PATH": str(shared / "storage"), "SIGNING_KEY_PATH": str(shared / "signing-key.pem")})
    with app.app_context():
        ensure_reference_data(db.session)
        sync_content(db.session, FIXTURE_CONTENT)
        db.session.add(RuleSet(text=RULES, note="two nodes"))
        org = make_org()
        user = make_user("trainee", org=org, username="node-trainee")
        for n in range(20):
            make_trainee(org, name=f"员工{n}")
        db.session.commit()
        org_id, username = org.id, user.username
    nodes = []
    for _ in range(2):
        port = _free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "2", "--no-control-socket", "-b", f"127.0.0.1:{port}",
             "portal:create_app()"],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        nodes.append((process, f"http://127.0.0.1:{port}"))
    for _process, base in nodes:
        _wait_until_up(base)
    yield {"app": app, "env": env, "a": nodes[0][1], "b": nodes[1][1], "org_id": org_id, "username": username}
    for process, _base in nodes:
        process.terminate()
        process.wait(timeout=20)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    with _admin_connection() as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def _wait_until_up(base: str) -> None:
    for _ in range(100):
        try:
            if requests.get(f"{base}/healthz", timeout=10).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(0.2)
    raise AssertionError(f"{base} did not start")


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def _login(browser: requests.Session, base: str, login: str, password: str) -> requests.Response:
    token = _csrf(browser.get(f"{base}/auth/login").text)
    return browser.post(f"{base}/auth/login", data={"login": login, "password": password, "csrf_token": token},
                        allow_redirects=False)


def test_a_quiz_started_on_node_a_continues_on_node_b(cluster):
    browser = requests.Session()
    assert _login(browser, cluster["a"], cluster["username"], DEFAULT_PASSWORD).status_code == 302
    course_page = browser.get(f"{cluster['a']}/me/courses/sample-course").text
    started = browser.post(f"{cluster['a']}/me/courses/sample-course/quiz", data={"csrf_token": _csrf(course_page)},
                           allow_redirects=False)
    attempt_url = started.headers["Location"]
    attempt_id = int(attempt_url.rstrip("/").split("/")[-1])
    quiz_page = browser.get(f"{cluster['b']}{attempt_url}").text  # node B knows the session
    items = re.findall(r'name="item" value="(\d+)"', quiz_page)
    token = _csrf(quiz_page)
    for index, item in enumerate(items):
        node = cluster["a"] if index % 2 == 0 else cluster["b"]
        choice = re.search(rf'name="answer-{item}" value="([^"]+)"', quiz_page).group(1)
        saved = browser.post(f"{node}/me/attempts/{attempt_id}/answers",
                             data={"csrf_token": token, "item": item, f"answer-{item}": choice},
                             headers={"Accept": "application/json"})
        assert saved.json()["saved"] is True
    submitted = browser.post(f"{cluster['b']}/me/attempts/{attempt_id}/submit", data={"csrf_token": token},
                             allow_redirects=False)
    assert submitted.headers["Location"].endswith(f"/me/attempts/{attempt_id}/result")
    with cluster["app"].app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.status == "graded"
        answered = db.session.scalar(select(func.count()).select_from(AttemptItem).where(
            AttemptItem.attempt_id == attempt_id, AttemptItem.answer.is_not(None)))
        assert answered == len(items) == 4
        db.session.remove()


def test_login_throttling_counts_attempts_across_both_nodes(cluster):
    statuses = []
    for n in range(6):
        node = cluster["a"] if n % 2 == 0 else cluster["b"]
        statuses.append(_login(requests.Session(), node, cluster["username"], "wrong-password").status_code)
    assert statuses[:5] == [200] * 5 and statuses[5] == 429


def test_schedule_started_on_both_nodes_at_once_creates_each_assignment_once(cluster):
    runs = [subprocess.Popen([sys.executable, "-m", "flask", "schedule", "run"], env=cluster["env"], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert all(run.returncode == 0 for run in runs), outputs
    created = sorted(int(re.search(r"(\d+) assignments created", out).group(1)) for out, _err in outputs)
    with cluster["app"].app_context():
        rows = db.session.execute(select(Assignment.trainee_id, Assignment.course_id).where(
            Assignment.status == "open")).all()
        db.session.remove()
    assert len(rows) == len(set(rows)) == 21  # 20 roster people + the trainee, one course each
    assert created == [0, 21]
