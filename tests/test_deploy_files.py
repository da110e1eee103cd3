"""The production files in deploy/: nginx accepts the site, systemd accepts the units, gunicorn's config loads."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

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


def test_systemd_units_verify(tmp_path):
    units = sorted(DEPLOY.glob("portal-*.service")) + sorted(DEPLOY.glob("portal-*.timer"))
    assert len(units) == 5
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
