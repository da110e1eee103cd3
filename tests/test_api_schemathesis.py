"""schemathesis against the HR API served on 127.0.0.1 (the test's app and database, a live token, the rate limits
lifted), with its own command line: every phase (coverage, fuzzing, stateful) and the checks

- not_a_server_error: never a 500;
- response_schema_conformance: every answer as the document says (status, content type, body schema);
- positive_data_acceptance: what the document allows is accepted (the reading operations: never a 400 or 422);
- negative_data_rejection: what the document forbids is refused;
- refused_only_for_stored_data (tests/schemathesis_hooks.py): the writing operations refuse schema-valid data only
  for what is stored (the roster, the post catalogue), as their documented 422 says (tests/schemathesis.toml).

About 30 to 45 s with a fixed seed and 25 examples per operation. `make api-fuzz` runs it alone with a random
seed and more examples (API_FUZZ_SEED=random, API_FUZZ_EXAMPLES=200); a failure prints schemathesis' report, with
a curl line for each failing request.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.test_api_fuzz import open_api_account

ROOT = Path(__file__).resolve().parent.parent
CHECKS = ("not_a_server_error", "response_schema_conformance", "positive_data_acceptance", "negative_data_rejection",
          "refused_only_for_stored_data")
EXAMPLES = os.environ.get("API_FUZZ_EXAMPLES", "25")
SEED = os.environ.get("API_FUZZ_SEED", "1")

pytestmark = pytest.mark.api_fuzz


@pytest.fixture
def app_config():
    return {"API_RATE_LIMIT": "100000 per minute", "API_AUTH_FAILURE_LIMIT": "100000 per minute"}


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # thousands of requests: schemathesis reports what matters
        pass


@pytest.fixture
def served(app):
    """The app on a free port of 127.0.0.1, one request at a time, for as long as the test runs."""
    server = make_server("127.0.0.1", 0, app, threaded=False, request_handler=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    server.server_close()


def test_schemathesis_finds_the_api_as_its_document_says(served, session, tmp_path):
    token = open_api_account(session)
    command = [str(Path(sys.executable).parent / "schemathesis"),
               "--config-file", str(ROOT / "tests/schemathesis.toml"), "run", f"{served}/api/v1/openapi.json", "--header", f"Authorization: Bearer {token}",
               "--checks", ",".join(CHECKS), "--max-examples", EXAMPLES, "--workers", "1",
               "--generation-database", "none", "--no-color", *(() if SEED == "random" else ("--seed", SEED))]
    environment = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.schemathesis_hooks", "PYTHONPATH": str(ROOT)}
    # Run where schemathesis and hypothesis may leave their caches (.schemathesis/, .hypothesis/).
    result = subprocess.run(command, cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-30000:] + result.stderr[-5000:]
