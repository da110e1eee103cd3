"""Starting real gunicorn servers for integration tests, and a small browser-like client."""
from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(base: str) -> None:
    for _ in range(150):
        try:
            if requests.get(f"{base}/healthz", timeout=10).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(0.2)
    raise AssertionError(f"{base} did not start")


@contextmanager
def gunicorn(env: dict[str, str], *, workers: int = 2, threads: int = 1):
    """A gunicorn serving the portal with `env`; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "--threads", str(threads), "--no-control-socket",
         "-b", f"127.0.0.1:{port}", "portal:create_app()"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def log_in(browser: requests.Session, base: str, login: str, password: str) -> requests.Response:
    token = csrf(browser.get(f"{base}/auth/login").text)
    return browser.post(f"{base}/auth/login", data={"login": login, "password": password, "csrf_token": token},
                        allow_redirects=False)
