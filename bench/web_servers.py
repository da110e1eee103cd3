"""Serving the portal and the baseline under gunicorn for the web benchmark, and talking to them."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import requests

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
SECRET_KEY = "bench-" + "k" * 40
USER_AGENT = "portal-bench/1"  # the session's identifier (Flask-Login) includes it: every client sends the same
BROWSER_ENCODINGS = "gzip, deflate, br, zstd"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def portal_environment(database_url: str, instance: Path) -> dict[str, str]:
    """Production mode on the bench database; logins are not throttled (50 users log in from one address)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PORTAL_", "GUNICORN_"))}
    env.update(PORTAL_ENV="production", SECRET_KEY=SECRET_KEY, DATABASE_URL=database_url,
               PORTAL_INSTANCE_PATH=str(instance), STORAGE_PATH=str(instance / "storage"),
               SIGNING_KEY_PATH=str(instance / "signing-key.pem"), CONTENT_ROOT=str(ROOT),
               LOGIN_LIMIT_PER_ADDRESS="100000 per minute", LOGIN_BACKOFF_AFTER="100000")
    env.pop("REDIS_URL", None)
    return env


class Server:
    def __init__(self, process: subprocess.Popen, base: str):
        self.process, self.base = process, base

    def worker_rss_mb(self) -> list[float]:
        """Resident memory of each gunicorn worker (children of the master)."""
        sizes = []
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        for pid in children:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except FileNotFoundError:
                continue
            match = re.search(r"VmRSS:\s+(\d+) kB", status)
            if match:
                sizes.append(int(match.group(1)) / 1024)
        return sizes


@contextmanager
def gunicorn(app_spec: str, env: dict[str, str], log_path: Path, probe: str = "/"):
    """gunicorn with the production settings (deploy/gunicorn.conf.py) on a free port."""
    port = free_port()
    env = dict(env, GUNICORN_BIND=f"127.0.0.1:{port}")
    with open(log_path, "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONFIG), app_spec],
                                   env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                if process.poll() is not None:
                    raise RuntimeError(f"gunicorn {app_spec} exited; see {log_path}")
                try:
                    if requests.get(base + probe, timeout=5).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                time.sleep(0.2)
            else:
                raise RuntimeError(f"gunicorn {app_spec} did not start; see {log_path}")
            yield Server(process, base)
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


class Browser:
    """A minimal client that keeps its cookies itself (production cookies are Secure; we speak plain HTTP)."""

    def __init__(self, base: str):
        self.base, self.cookies, self.http = base, {}, requests.Session()
        self.http.headers.update({"User-Agent": USER_AGENT, "Accept-Encoding": BROWSER_ENCODINGS})

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}), Cookie=self.cookie_header)
        response = self.http.request(method, self.base + path, headers=headers, allow_redirects=False, **kwargs)
        self.http.cookies.clear()
        for cookie in response.cookies:
            self.cookies[cookie.name] = cookie.value
        return response

    def log_in(self, login: str, password: str) -> str:
        """Log in through the form; returns a CSRF token for later posts."""
        for _ in range(20):  # "busy, try again in a moment" (503 with Retry-After): as a person would, once it has passed
            token = csrf_token(self.request("GET", "/auth/login").text)
            response = self.request("POST", "/auth/login",
                                    data={"login": login, "password": password, "csrf_token": token})
            if response.status_code != 503:
                break
            time.sleep(float(response.headers.get("Retry-After", "1")))
        if response.status_code != 302:
            raise RuntimeError(f"login of {login} failed: {response.status_code}")
        return csrf_token(self.request("GET", "/me/").text)


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def forged_sessions(database_url: str, user_ids: list[int]) -> dict[int, tuple[str, str]]:
    """Session cookies (and CSRF tokens) exactly as a form login would leave them, for many users at once.

    Logging thousands of submitters in through the form would spend most of the run on argon2; the
    page users do log in through the form."""
    from flask import session
    from flask_login.utils import _create_identifier
    from flask_wtf.csrf import generate_csrf

    from portal import create_app

    from portal.domain.platform import login_sessions
    from portal.extensions import db
    from portal.models import utcnow

    app = create_app({"PORTAL_ENV": "production", "SECRET_KEY": SECRET_KEY, "SQLALCHEMY_DATABASE_URI": database_url})
    serializer = app.session_interface.get_signing_serializer(app)
    cookies = {}
    for user_id in user_ids:
        with app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"},
                                      headers={"User-Agent": USER_AGENT}):
            _row, login_token = login_sessions.start(db.session, user_id, remembered=False, now=utcnow(),
                                                     user_agent=USER_AGENT, address="127.0.0.1")
            db.session.commit()
            session["_user_id"], session["_fresh"], session["_id"] = login_token, True, _create_identifier()
            token = generate_csrf()
            cookies[user_id] = (f"{app.config['SESSION_COOKIE_NAME']}={serializer.dumps(dict(session))}", token)
    return cookies


def request_line(method: str, path: str, cookie: str, form: dict | None = None, accept: str = "") -> str:
    """One line of the request file bench/web.lua replays."""
    return "\t".join((method, path, cookie, urlencode(form or {}, doseq=True), accept)) + "\n"
