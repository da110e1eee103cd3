"""Long jobs started from a page: run in a background thread, progress kept in the storage folder.

The progress file lives in STORAGE_PATH (a shared volume when several nodes run), so any node can
answer the status request; the page polls it with static/js/progress.js, and without script the
page refreshes itself.
"""
from __future__ import annotations

import hashlib
import json
import re
import secrets
import threading
import time
from pathlib import Path
from typing import Any, Callable

from flask import Flask, current_app

from portal.web.parameters import is_token


def _folder(*parts: str) -> Path:
    """STORAGE_PATH/jobs (or a folder below it), made when missing."""
    folder = Path(current_app.config["STORAGE_PATH"]).joinpath("jobs", *parts)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _path(job_id: str) -> Path:
    return _folder() / f"{job_id}.json"


def write_state(app: Flask, job_id: str, **state: Any) -> None:
    with app.app_context():
        path = _path(job_id)
        current = json.loads(path.read_text()) if path.exists() else {}
        current.update(state, updated_at=time.time())
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(current, ensure_ascii=False, default=str))
        tmp.replace(path)


# A running job that has not said anything for this long is gone (its worker restarted or was killed):
# its page says so instead of waiting for ever. Jobs report progress far more often than this.
STALE_AFTER = 15 * 60


def read_state(job_id: str) -> dict[str, Any] | None:
    if not is_token(job_id):
        return None
    path = _path(job_id)
    if not path.exists():
        return None
    state = json.loads(path.read_text())
    if state.get("status") == "running" and time.time() - state.get("updated_at", time.time()) > STALE_AFTER:
        from flask_babel import gettext as _

        state.update(status="failed", error=_("it stopped before the end (the server restarted); please start "
                                              "it again"))
    return state


def start(owner: dict[str, Any], work: Callable[[Callable[[int, int], None]], dict[str, Any]], *,
          same_work: dict[str, Any] | None = None) -> str:
    """Run work(progress) in a thread inside an app context; returns the job id.

    `owner` (e.g. user and organization ids) is stored so the status page can check who asks. `same_work`
    describes what the work makes (for a report: who, which year, language, scope): while a job for the
    same description runs, asking again (a second click while the first is still loading) gives that
    job instead of doing the work twice.
    """
    app = current_app._get_current_object()
    key = _work_key(same_work) if same_work is not None else None
    running = _running_job(key) if key else None
    if running is not None:
        return running
    job_id = secrets.token_urlsafe(16)
    write_state(app, job_id, status="running", done=0, total=0, owner=owner)
    if key:
        _work_path(key).write_text(job_id)

    def progress(done: int, total: int) -> None:
        write_state(app, job_id, done=done, total=total)

    def run() -> None:
        with app.app_context():
            try:
                result = work(progress)
            except Exception as error:  # reported to the user on the status page
                app.logger.exception("job %s failed", job_id)
                from portal.extensions import db

                db.session.rollback()
                write_state(app, job_id, status="failed", error=str(getattr(error, "message", error)))
            else:
                write_state(app, job_id, status="done", result=result)
            finally:
                from portal.extensions import db

                db.session.remove()

    if app.config.get("JOBS_SYNCHRONOUS"):
        run()
    else:
        threading.Thread(target=run, name=f"job-{job_id}", daemon=True).start()
    return job_id


def _work_key(same_work: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(same_work, sort_keys=True, default=str).encode()).hexdigest()[:32]


def _work_path(key: str) -> Path:
    return _folder("work") / key


def _running_job(key: str) -> str | None:
    """The job last started for this work, if it is still running."""
    path = _work_path(key)
    job_id = path.read_text().strip() if path.exists() else ""
    state = read_state(job_id) if job_id else None
    return job_id if state is not None and state.get("status") == "running" else None


def progress_of(state: dict[str, Any]) -> dict[str, Any]:
    """What static/js/progress.js polls for: the job's status and how far it is."""
    return {key: state.get(key) for key in ("status", "done", "total")}


def wait(job_id: str, seconds: float) -> dict[str, Any]:
    """The job's state once it has ended, or as it stands after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        state = read_state(job_id) or {}
        if state.get("status") != "running" or time.monotonic() >= deadline:
            return state
        time.sleep(0.05)


FILE_MAX_AGE = 24 * 3600  # a job's file (a report to download) is kept a day
_FILE_NAME = re.compile(r"^[A-Za-z0-9_-]+\.[a-z]+$")


def _files() -> Path:
    return _folder("files")


def save_file(body: bytes, extension: str) -> str:
    """Keep a job's output (in STORAGE_PATH, so any node can send it); returns its name for read_file.
    Files older than FILE_MAX_AGE go on the way."""
    folder = _files()
    for old in folder.iterdir():
        try:
            if time.time() - old.stat().st_mtime > FILE_MAX_AGE:
                old.unlink()
        except FileNotFoundError:  # another worker removed it first
            pass
    name = f"{secrets.token_urlsafe(16)}.{extension}"
    tmp = folder / f"{name}.tmp"
    tmp.write_bytes(body)
    tmp.replace(folder / name)
    return name


def read_file(name: str) -> bytes | None:
    """A file save_file kept, or None when the name is not one of ours or the file has gone."""
    if not _FILE_NAME.match(name or ""):
        return None
    path = _files() / name
    return path.read_bytes() if path.exists() else None
