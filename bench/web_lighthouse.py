"""Lighthouse (mobile preset) on the served demo: the trainee's home, a lesson, the quiz, the certificates.

    make lighthouse      # or: .venv/bin/python -m bench.web_lighthouse [--no-write]

Builds the demo (`flask db upgrade`, `setup`, `content sync`, `demo seed`) in a temporary instance
folder, serves it with gunicorn and the production settings, logs the demo trainee in through the form,
starts a quiz, and runs Lighthouse from bench/node_modules (`npm ci --prefix bench`) against Debian's
Chromium (CHROME_PATH=/usr/bin/chromium). Target: at least 95 for performance, accessibility and best
practices on every page. Writes "## Lighthouse" in bench/RESULTS.md, with the audits that cost points;
the full reports are in bench/out/lighthouse-*.json.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.results import write_section  # noqa: E402
from bench.web_servers import Browser, csrf_token, gunicorn  # noqa: E402

OUT = ROOT / "bench" / "out"
LIGHTHOUSE = ROOT / "bench" / "node_modules" / ".bin" / "lighthouse"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --disable-background-networking "
                "--disable-component-update --disable-sync --no-first-run --disable-quic")
CATEGORIES = ("performance", "accessibility", "best-practices")
TARGET = 95
DEMO_LOGIN, DEMO_PASSWORD = "trainee", "Demo-Pass-2026"


def log(message: str) -> None:
    print(f"[lighthouse {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def demo_environment(instance: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PORTAL_", "GUNICORN_"))}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    env.update(PORTAL_ENV="production", SECRET_KEY=secrets.token_hex(32), PORTAL_INSTANCE_PATH=str(instance),
               FLASK_APP="portal", GUNICORN_WORKERS="2")
    return env


def build_demo(env: dict[str, str]) -> None:
    flask = [sys.executable, "-m", "flask"]
    for command in (["db", "upgrade"], ["setup"], ["content", "sync"], ["demo", "seed", "--people", "120"]):
        subprocess.run(flask + command, env=env, cwd=ROOT, check=True, capture_output=True)


def pages(base: str) -> tuple[dict[str, str], str]:
    """The pages to audit and the logged-in trainee's cookie."""
    browser = Browser(base)
    browser.log_in(DEMO_LOGIN, DEMO_PASSWORD)
    home = browser.request("GET", "/me/").text
    course = re.search(r'href="(/me/courses/[^"/]+)"', home).group(1)
    course_page = browser.request("GET", course).text
    lessons = list(dict.fromkeys(re.findall(r'href="(/me/courses/[^"]+/lessons/[^"#]+)"', course_page)))
    lesson = lessons[0]
    for each in lessons:  # the lessons come before the quiz
        browser.request("POST", each, data={"csrf_token": csrf_token(course_page)})
    started = browser.request("POST", course + "/quiz", data={"csrf_token": csrf_token(course_page)})
    quiz = re.search(r"(/me/attempts/\d+)", started.headers.get("Location", "")) or re.search(
        r'href="(/me/attempts/\d+)"', browser.request("GET", course).text)
    found = {"home": "/me/", "lesson": lesson, "quiz": quiz.group(1), "certificates": "/me/certificates"}
    certificates = browser.request("GET", "/me/certificates").text
    verify = re.search(r'href="((?:https?://[^/"]+)?/verify/[^"]+)"', certificates)
    if verify:
        found["certificate check (public)"] = re.sub(r"^https?://[^/]+", "", verify.group(1))
    return found, browser.cookie_header


def audit(base: str, name: str, path: str, cookie: str) -> dict:
    report = OUT / f"lighthouse-{re.sub(r'[^a-z]+', '-', name)}.json"
    command = [str(LIGHTHOUSE), base + path, "--quiet", "--output=json", f"--output-path={report}",
               f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={CHROME_FLAGS}",
               "--extra-headers", json.dumps({"Cookie": cookie}), "--max-wait-for-load=60000"]
    subprocess.run(command, env=dict(os.environ, CHROME_PATH=CHROME), check=True, capture_output=True, timeout=300)
    data = json.loads(report.read_text(encoding="utf-8"))
    if not data.get("finalDisplayedUrl", "").endswith(path):  # e.g. sent to the login page
        raise RuntimeError(f"{name}: Lighthouse ended on {data.get('finalDisplayedUrl')}, not {path}")
    scores = {c: round(100 * (data["categories"][c]["score"] or 0)) for c in CATEGORIES}
    lost = []
    for category in CATEGORIES:
        for ref in data["categories"][category]["auditRefs"]:
            result = data["audits"][ref["id"]]
            if ref["weight"] and result.get("score") is not None and result["score"] < 1:
                lost.append(f"{ref['id']} ({result['score']:.2f})")
    metrics = data["audits"]
    return {"name": name, "path": path, "scores": scores, "lost": lost,
            "fcp": metrics["first-contentful-paint"]["displayValue"],
            "lcp": metrics["largest-contentful-paint"]["displayValue"],
            "bytes": metrics["total-byte-weight"]["numericValue"] / 1024}


def render(results: list[dict], version: str, elapsed: float) -> str:
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    rows = []
    for r in results:
        ok = all(score >= TARGET for score in r["scores"].values())
        rows.append(f"| {r['name']} (`{r['path']}`) | {r['scores']['performance']} | {r['scores']['accessibility']} | "
                    f"{r['scores']['best-practices']} | {r['fcp']} | {r['lcp']} | {r['bytes']:.0f} KB | "
                    f"{'✅' if ok else '❌'} | {', '.join(r['lost']) or '—'} |")
    return "\n".join([
        "## Lighthouse", "",
        f"`make lighthouse` (`.venv/bin/python -m bench.web_lighthouse`), {when}, {elapsed / 60:.1f} min: Lighthouse "
        f"{version}, mobile preset (simulated slow 4G, 4× CPU slowdown), Debian's Chromium, against the demo "
        "(`flask demo seed`) served by gunicorn with the production settings, logged in as the demo trainee. "
        f"Target: ≥ {TARGET} in each category.", "",
        "| page | performance | accessibility | best practices | FCP | LCP | bytes | target | audits below 1 |",
        "|---|---|---|---|---|---|---|---|---|", *rows, "",
    ]) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-write", action="store_true", help="do not update bench/RESULTS.md")
    args = parser.parse_args(argv)
    if not LIGHTHOUSE.exists():
        raise SystemExit("Lighthouse is missing: npm ci --prefix bench")
    started = time.perf_counter()
    OUT.mkdir(exist_ok=True)
    version = subprocess.run([str(LIGHTHOUSE), "--version"], capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory() as instance:
        env = demo_environment(Path(instance))
        build_demo(env)
        log("demo built")
        with gunicorn("portal:create_app()", env, OUT / "gunicorn-lighthouse.log", probe="/healthz") as server:
            found, cookie = pages(server.base)
            results = []
            for name, path in found.items():
                results.append(audit(server.base, name, path, cookie))
                log(f"{name}: {results[-1]['scores']}")
    section = render(results, version, time.perf_counter() - started)
    print(section)
    if not args.no_write:
        write_section("Lighthouse", section)
    return 0 if all(score >= TARGET for r in results for score in r["scores"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
