"""What a worker loads at start: the libraries only a few pages need (PDFs, QR codes, spreadsheets, photos,
signatures: about 24 MB in every gunicorn worker) load at their first use, so a worker serving trainees stays
small (bench/RESULTS.md, "Worker memory and the refused quiz starts")."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOADED_AT_FIRST_USE = ("reportlab", "qrcode", "PIL", "openpyxl", "xlsxwriter", "cryptography", "zxcvbn")


def test_create_app_loads_no_library_that_few_pages_use(tmp_path):
    script = ("import json, sys\nfrom portal import create_app\ncreate_app()\n"
              f"print(json.dumps(sorted(name for name in {LOADED_AT_FIRST_USE!r} if name in sys.modules)))")
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "PORTAL_ENV")}
    env.update(PORTAL_INSTANCE_PATH=str(tmp_path / "instance"), PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120, check=True)
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
