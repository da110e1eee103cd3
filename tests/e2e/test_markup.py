"""The Nu HTML checker (vnu.jar from npm) on the HTML of every page the journeys checked.

One Java run for the whole session, after the journeys (the JVM takes seconds to start).
"""
from __future__ import annotations

import json
import subprocess

import pytest

from tests.e2e.page_checks import E2E_DIR, VNU_JAR

pytestmark = [pytest.mark.e2e, pytest.mark.after_journeys]


CANARY = '<!doctype html><html lang="en"><head><title>canary</title></head><body><p><div></p></body></html>'


def test_every_visited_page_is_valid_html(e2e_findings, tmp_path):
    files = list(e2e_findings.html_files)
    if not files:
        pytest.skip("no journey ran in this session, so there is no page to check")
    canary = tmp_path / "canary.html"  # a broken page, to prove the checker is really looking
    canary.write_text(CANARY)
    files.append(canary)
    result = subprocess.run(
        ["java", "-Xss8m", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--stdout", *map(str, files)],
        capture_output=True, text=True, timeout=300)
    assert result.stdout.strip(), f"the checker did not answer: {result.stderr[-2000:]}"
    messages = json.loads(result.stdout)["messages"]
    errors = [m for m in messages if m.get("type") == "error" or m.get("subType") == "fatal"]
    assert any(m["url"].endswith("/canary.html") for m in errors), "the checker missed the canary's error"
    errors = [m for m in errors if not m["url"].endswith("/canary.html")]
    report = "\n".join(
        f"{m['url'].removeprefix('file:').removeprefix(str(E2E_DIR) + '/')}:{m.get('lastLine', '?')}: {m['message']}"
        for m in errors)
    assert not errors, f"{len(errors)} HTML error(s) in {len(files) - 1} pages:\n{report}"
