"""The production files in deploy/: nginx accepts the site, systemd accepts the units, gunicorn's config loads."""
from __future__ import annotations

import grp
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"


def test_nginx_accepts_the_site(tmp_path):
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=test",
                    "-keyout", str(tmp_path / "privkey.pem"), "-out", str(tmp_path / "fullchain.pem")],
                   check=True, capture_output=True)
    site = (DEPLOY / "nginx-portal.conf").read_text(encoding="utf-8").replace("/etc/ssl/portal", str(tmp_path))
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  include /etc/nginx/mime.types;\n  access_log off;\n  client_body_temp_path {tmp_path};\n"
        f"  include {tmp_path}/site.conf;\n}}\n", encoding="utf-8")
    result = subprocess.run(["nginx", "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _worker_user() -> str:
    """nginx's `user` line that runs its workers as whoever runs the tests.

    The workers read this checkout's static/ folder: started by root they would run as `nobody`, who cannot
    enter a checkout in a private folder (a home directory with mode 700, a clone under `mktemp -d`) and
    answers 403. Only root may name a user; anybody else's workers already run as themselves.
    """
    if os.geteuid() != 0:
        return ""
    return f"user {pwd.getpwuid(os.geteuid()).pw_name} {grp.getgrgid(os.getegid()).gr_name};\n"


def test_nginx_serves_hashed_static_names_for_a_year_and_plain_ones_briefly(tmp_path):
    """The site as written, on local ports, serving this checkout's static/ folder."""
    from portal.web.assets import StaticAssets

    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=test",
                    "-keyout", str(tmp_path / "privkey.pem"), "-out", str(tmp_path / "fullchain.pem")],
                   check=True, capture_output=True)
    https, http = free_port(), free_port()
    site = (DEPLOY / "nginx-portal.conf").read_text(encoding="utf-8")
    site = (site.replace("/etc/ssl/portal", str(tmp_path)).replace("/srv/portal/static/", f"{ROOT}/static/")
            .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl;").replace("listen 80;", f"listen 127.0.0.1:{http};"))
    site = "\n".join(line for line in site.splitlines() if "listen [::]" not in line)
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(
        f"{_worker_user()}pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\ndaemon off;\nevents {{}}\n"
        f"http {{\n  include /etc/nginx/mime.types;\n  access_log off;\n  client_body_temp_path {tmp_path};\n"
        f"  proxy_temp_path {tmp_path};\n  include {tmp_path}/site.conf;\n}}\n", encoding="utf-8")
    server = subprocess.Popen(["nginx", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", https), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        context = ssl._create_unverified_context()

        def get(path: str):
            with urllib.request.urlopen(f"https://127.0.0.1:{https}{path}", context=context, timeout=5) as response:
                return response.read(), response.headers

        hashed = StaticAssets(str(ROOT / "static")).hashed_name("css/portal.css")
        assert hashed != "css/portal.css"
        body, headers = get(f"/static/{hashed}")
        assert body == (ROOT / "static" / "css" / "portal.css").read_bytes()
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert headers["Content-Type"].startswith("text/css")
        body, headers = get("/static/css/portal.css")
        assert body == (ROOT / "static" / "css" / "portal.css").read_bytes()
        assert headers["Cache-Control"] == "public, max-age=300"
        with pytest.raises(urllib.error.HTTPError) as missing:
            get("/static/css/nothing.0123abcd.css")
        assert missing.value.code == 404
        missing.value.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_systemd_units_verify(tmp_path):
    units = sorted(DEPLOY.glob("portal-*.service")) + sorted(DEPLOY.glob("portal-*.timer"))
    assert len(units) == 7
    # systemd-analyze checks that ExecStart binaries exist: point them at this checkout's venv.
    for unit in units:
        text = unit.read_text(encoding="utf-8").replace("/srv/portal", str(ROOT))
        (tmp_path / unit.name).write_text(text, encoding="utf-8")
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", *[str(tmp_path / u.name) for u in units]],
                            capture_output=True, text=True)
    assert result.returncode == 0 and "portal" not in result.stderr, result.stderr


def test_gunicorn_config_loads():
    namespace: dict = {}
    exec(compile((DEPLOY / "gunicorn.conf.py").read_text(encoding="utf-8"), "gunicorn.conf.py", "exec"), namespace)
    assert namespace["workers"] >= 2 and namespace["worker_class"] == "gthread"
    assert shutil.which("gunicorn", path=str(ROOT / ".venv" / "bin")) is not None


def test_example_environment_names_every_production_setting():
    text = (DEPLOY / "portal.env.example").read_text(encoding="utf-8")
    for name in ("PORTAL_ENV=production", "SECRET_KEY=", "DATABASE_URL=", "REDIS_URL=", "STORAGE_PATH=",
                 "DATABASE_REPLICA_URL", "MAIL_SERVER=", "PROXY_COUNT="):
        assert name in text
