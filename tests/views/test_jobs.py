"""Long jobs' files: kept in the storage folder under names of their own, and gone after a day."""
from __future__ import annotations

import json
import os
import time

from portal.web import jobs


def test_job_files_are_read_back_by_name_only_and_cleared_after_a_day(app):
    with app.app_context():
        name = jobs.save_file(b"%PDF-1.7 report", "pdf")
        assert jobs.read_file(name) == b"%PDF-1.7 report"
        for forged in ("../signing-key.pem", "x/../../y.pdf", "", "name.PDF", name + "/"):
            assert jobs.read_file(forged) is None, forged
        old = jobs._files() / name
        a_day_ago = time.time() - jobs.FILE_MAX_AGE - 60
        os.utime(old, (a_day_ago, a_day_ago))
        newer = jobs.save_file(b"second", "pdf")
        assert jobs.read_file(name) is None and jobs.read_file(newer) == b"second"


def test_wait_returns_the_state_once_the_job_has_ended(app):
    with app.app_context():
        app.config["JOBS_SYNCHRONOUS"] = True
        job_id = jobs.start({"user": 1}, lambda progress: progress(1, 1) or {"answer": 42})
        state = jobs.wait(job_id, 0)
        assert (state["status"], state["result"], state["done"], state["total"]) == ("done", {"answer": 42}, 1, 1)



def test_a_job_whose_worker_died_reads_as_failed_not_running_for_ever(app):
    with app.test_request_context():
        app.config["JOBS_SYNCHRONOUS"] = True
        job_id = jobs.start({"user": 1}, lambda progress: {})
        jobs.write_state(app, job_id, status="running")  # as a worker killed in the middle leaves it
        assert jobs.read_state(job_id)["status"] == "running"
        path = jobs._path(job_id)
        state = json.loads(path.read_text())
        path.write_text(json.dumps(dict(state, updated_at=time.time() - jobs.STALE_AFTER - 1)))
        stale = jobs.read_state(job_id)
        assert stale["status"] == "failed" and "重新" in stale["error"]
