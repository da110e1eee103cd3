"""Scale-out proof: two gunicorn nodes on one PostgreSQL database and one Redis.

Runs in both CI passes: it always makes its own PostgreSQL database (PostgreSQL and Redis are
started before CI), whatever DATABASE_URL the rest of the suite uses.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
import redis
import requests
from sqlalchemy import func, make_url, select

from portal import create_app
from portal.domain.content.sync import sync_content
from portal.domain.workforce.reference import ensure_reference_data
from portal.extensions import db
from portal.models import Assignment, Attempt, AttemptItem, RuleSet
from tests.conftest import FIXTURE_CONTENT
from tests.factories import DEFAULT_PASSWORD, make_org, make_trainee, make_user
from tests.integration.servers import csrf, gunicorn, log_in

BASE = make_url(os.environ.get("TWO_NODE_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
# Per run, so that two checkouts testing at once on one machine do not drop each other's database or counters.
DATABASE = f"portal_two_nodes_{os.getpid()}"
REDIS_URL = f"redis://127.0.0.1:6379/{1 + os.getpid() % 12}"  # 13 and 14 are the coverage cache test's
ROOT = Path(__file__).resolve().parents[2]
RULES = (ROOT / "tests" / "views" / "test_company.py").read_text(encoding="utf-8").split('RULES = """')[1].split('"""')[0]


def _admin_connection():
    return psycopg.connect(f"host={BASE.host} port={BASE.port or 5432} user={BASE.username} dbname={BASE.database}",
                           autocommit=True)


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
           "LOGIN_BACKOFF_AFTER": "5", "FLASK_APP": "portal"}
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
        make_user("trainee", org=org, username="node-graduate")
        for n in range(20):
            make_trainee(org, name=f"员工{n}")
        db.session.commit()
        org_id, username = org.id, user.username
    with gunicorn(env) as node_a, gunicorn(env) as node_b:
        yield {"app": app, "env": env, "a": node_a, "b": node_b, "org_id": org_id, "username": username}
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    with _admin_connection() as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def test_a_quiz_started_on_node_a_continues_on_node_b(cluster):
    browser = requests.Session()
    assert log_in(browser, cluster["a"], cluster["username"], DEFAULT_PASSWORD).status_code == 302
    course_page = browser.get(f"{cluster['a']}/me/courses/sample-course").text
    started = browser.post(f"{cluster['a']}/me/courses/sample-course/quiz", data={"csrf_token": csrf(course_page)},
                           allow_redirects=False)
    attempt_url = started.headers["Location"]
    attempt_id = int(attempt_url.rstrip("/").split("/")[-1])
    quiz_page = browser.get(f"{cluster['b']}{attempt_url}").text  # node B knows the session
    items = re.findall(r'name="item" value="(\d+)"', quiz_page)
    token = csrf(quiz_page)
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


def test_the_wait_after_wrong_passwords_counts_tries_on_both_nodes(cluster):
    statuses = []
    for n in range(6):
        node = cluster["a"] if n % 2 == 0 else cluster["b"]
        statuses.append(log_in(requests.Session(), node, cluster["username"], "wrong-password").status_code)
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
    assert len(rows) == len(set(rows)) == 22  # 20 roster people + two trainees, one course each
    assert created == [0, 22]


def test_a_certificate_issued_on_node_a_verifies_on_node_b(cluster):
    from portal.domain.content import questions as qtypes
    from portal.models import Certificate

    a, b = cluster["a"], cluster["b"]
    browser = requests.Session()
    assert log_in(browser, a, "node-graduate", DEFAULT_PASSWORD).status_code == 302
    page = browser.get(f"{a}/me/courses/sample-course").text
    for slug in ("01-first", "02-second"):
        browser.post(f"{a}/me/courses/sample-course/lessons/{slug}", data={"csrf_token": csrf(page)})
    attempt_url = browser.post(f"{a}/me/courses/sample-course/quiz", data={"csrf_token": csrf(page)},
                               allow_redirects=False).headers["Location"]
    attempt_id = int(attempt_url.rstrip("/").split("/")[-1])
    with cluster["app"].app_context():
        items = db.session.get(Attempt, attempt_id).items
        answers = {item.id: qtypes.get(item.question_version.qtype).correct(item.question_version.data) for item in items}
        db.session.remove()
    data = {"csrf_token": csrf(page), "item": list(answers), "then": "submit"}
    for item_id, values in answers.items():
        data[f"answer-{item_id}"] = values
    browser.post(f"{a}{attempt_url}/answers", data=data)
    with cluster["app"].app_context():
        cert = db.session.scalar(select(Certificate).order_by(Certificate.id.desc()).limit(1))
        token, serial = cert.token, cert.serial
        db.session.remove()
    anonymous = requests.Session()
    verified = anonymous.get(f"{b}/verify/{token}", headers={"Accept-Language": "en"}, cookies={"lang": "en"})
    assert verified.status_code == 200 and serial in verified.text and "currently valid" in verified.text
    key_a = requests.get(f"{a}/.well-known/portal-signing-key.json").json()
    key_b = requests.get(f"{b}/.well-known/portal-signing-key.json").json()
    assert key_a == key_b
    document = anonymous.get(f"{b}/verify/{token}.json").json()
    assert serial in str(document)
