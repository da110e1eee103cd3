"""Simulated trainees studying and taking quizzes: the scenario of `make load` and `make kill-test`.

Each simulated trainee logs in with its own account (load0001, load0002... made by harness.py), opens
its home page, picks a course (the one it is studying, else one it has not taken yet), reads the next 1 to 3
lessons it has not read (marking them read as static/js/lesson.js does), and once every lesson is read starts
or resumes the quiz (the portal offers a quiz only then: quiz.eligibility, "Read the lessons first"), saves its
answers one at a time with `Accept: application/json` as static/js/quiz.js does (every input of a question:
choices, the parts of a case, the steps of an ordering), sometimes changes an answer or leaves a quiz half
done to resume it later, submits, reads the result and moves on to another course. A course it has taken, or
whose quiz the portal refuses now (cooldown, attempts used), is only read again.

Everything the server acknowledged is appended to LOAD_RECORD (JSON lines), and every answer is
written there before it is sent, so verify.py can check afterwards that each acknowledged answer is
in the database, allowing for a later answer the server stored but whose reply was lost.

A login answered "busy, try again in a moment" (503 with Retry-After: too many password checks at once) is sent
again after the time it names, as a person would, and counted under its own name ("busy: sent again"), not as a
failure. The class `Login` only logs in and opens the home page once (the login storm, run_storm.py).

Environment: LOAD_RECORD (file), LOAD_PASSWORD, LOAD_ACCOUNT_PREFIX (default load), LOAD_ACCOUNT_START (the first
account's number, default 1), LOAD_THINK ("low,high" seconds between answers, default 3,8), LOAD_RETRY_SECONDS (kill
test: how long to keep retrying a request that found no server; 0 = never), LOAD_TIMINGS (a file: every request's
time, name and duration, for percentiles over part of a run).
"""
from __future__ import annotations

import errno
import itertools
import json
import os
import random
import re
import time
from html.parser import HTMLParser
from urllib.parse import urlencode

import gevent
from geventhttpclient.response import HTTPConnectionClosed as ConnectionClosed
from geventhttpclient.useragent import EmptyResponse
from locust import FastHttpUser, constant, events, task
from locust.contrib.fasthttp import LocustBadStatusCode
from locust.exception import RescheduleTask

ACCOUNT_PREFIX = os.environ.get("LOAD_ACCOUNT_PREFIX", "load")
PASSWORD = os.environ.get("LOAD_PASSWORD", "")
RECORD_PATH = os.environ.get("LOAD_RECORD", "")
THINK_LOW, THINK_HIGH = (float(x) for x in os.environ.get("LOAD_THINK", "3,8").split(","))
RETRY_SECONDS = float(os.environ.get("LOAD_RETRY_SECONDS", "0"))
TIMINGS_PATH = os.environ.get("LOAD_TIMINGS", "")
BUSY = "(busy: sent again)"
BUSY_WAIT_AT_MOST = 10.0  # seconds: a person tries again soon, whatever Retry-After says

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
COURSE_LINK = re.compile(r'href="/me/courses/([A-Za-z0-9_.-]+)"')
LESSON_LINK = re.compile(r'href="/me/courses/[A-Za-z0-9_.-]+/lessons/([A-Za-z0-9_.-]+)"')
# A lesson of the course page's list and its badge: "ok" read, "warn" not read yet.
LESSON_STATE = re.compile(r'class="lesson-link" href="/me/courses/[A-Za-z0-9_.-]+/lessons/([A-Za-z0-9_.-]+)">'
                          r'<span>.*?</span>\s*<span class="badge (ok|warn)">', re.S)
RESUME_LINK = re.compile(r'href="/me/attempts/(\d+)"')
ATTEMPT_URL = re.compile(r"/me/attempts/(\d+)$")
ITEM = re.compile(r'<input type="hidden" name="item" value="(\d+)">')
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
AS_SCRIPT = {**FORM, "Accept": "application/json"}

_accounts = itertools.count(int(os.environ.get("LOAD_ACCOUNT_START", "1")))


def closed_before_answering(response) -> bool:
    """The connection was closed or reset with no answer at all (not refused: that is a server that is down)."""
    error = getattr(response, "error", None)
    error = getattr(error, "original", None) or error  # geventhttpclient's RetriesExceeded wraps the cause
    if isinstance(error, ConnectionRefusedError):
        return False
    return isinstance(error, (ConnectionResetError, BrokenPipeError, EmptyResponse, ConnectionClosed)) or (
        isinstance(error, OSError) and error.errno in (errno.ECONNRESET, errno.EPIPE))
_record = None


def record(event: str, **fields) -> None:
    """One line per event; flushed at once, so a killed server or an interrupted run loses no line."""
    global _record
    if not RECORD_PATH:
        return
    if _record is None:
        _record = open(RECORD_PATH, "a", encoding="utf-8", buffering=1)
    _record.write(json.dumps({"e": event, "t": round(time.time(), 3), **fields}, ensure_ascii=False) + "\n")


@events.quitting.add_listener
def _close_record(**_kwargs) -> None:
    if _record is not None:
        _record.close()
    if _timings is not None:
        _timings.close()


_timings = None


@events.request.add_listener
def _time_request(request_type, name, response_time, exception=None, **_kwargs) -> None:
    """Every request's end, name and duration (ms), for percentiles over a window of the run (run_storm.py)."""
    global _timings
    if not TIMINGS_PATH:
        return
    if _timings is None:
        _timings = open(TIMINGS_PATH, "a", encoding="utf-8", buffering=1 << 16)
    _timings.write(f"{time.time():.3f}\t{request_type} {name}\t{response_time:.1f}\t{0 if exception is None else 1}\n")


@events.user_error.add_listener
def _count_task_errors(user_instance, exception, tb, **_kwargs) -> None:
    """An exception in the scenario itself (a page it could not read) counts as a failure, not only a log line."""
    events.request.fire(request_type="TASK", name=type(exception).__name__, response_time=0, response_length=0,
                        exception=exception, context={})


class Trainee(FastHttpUser):
    wait_time = constant(0)  # each task paces itself with think()
    network_timeout = 90.0
    connection_timeout = 30.0

    def on_start(self) -> None:
        self.login = f"{ACCOUNT_PREFIX}{next(_accounts):04d}"
        self.csrf = ""
        self.exhausted: set[str] = set()  # courses whose quiz was taken, or that the portal will not start now
        self.studying: str | None = None  # the course whose lessons it is reading, or whose quiz it left half done
        self.log_in()

    # --- the scenario ------------------------------------------------------------------------

    @task
    def study_a_course(self) -> None:
        home = self.call("GET", "/me/", "/me/").text
        courses = sorted(set(COURSE_LINK.findall(home)))
        if not courses:
            self.fail_task("GET", "/me/", "the home page lists no course")
        self.think()
        fresh = [code for code in courses if code not in self.exhausted]
        code = self.studying if self.studying in fresh else random.choice(fresh or courses)
        page = self.call("GET", f"/me/courses/{code}", "/me/courses/[code]").text
        if not fresh:  # every course taken: this round is reading again only
            lessons = list(dict.fromkeys(LESSON_LINK.findall(page)))
            for slug in random.sample(lessons, k=min(len(lessons), random.randint(1, 3))):
                self.read_lesson(code, slug)
            return
        self.studying = code
        resume = RESUME_LINK.search(page)
        if resume is None:
            unread = [slug for slug, badge in LESSON_STATE.findall(page) if badge == "warn"]
            count = random.randint(1, 3)
            for slug in unread[:count]:  # in the course's order, as "Continue where you left off" leads
                self.read_lesson(code, slug)
            if len(unread) > count:
                return  # lessons left to read: the course page offers no quiz yet
        attempt_id = int(resume.group(1)) if resume else self.start_quiz(code)
        if attempt_id is not None and self.take_quiz(attempt_id):
            self.exhausted.add(code)  # taken: on to another course
            self.studying = None

    def log_in(self) -> None:
        self.call("GET", "/auth/login", "/auth/login")  # for the CSRF token
        response = self.call("POST", "/auth/login", "/auth/login [POST]", form={
            "login": self.login, "password": PASSWORD, "csrf_token": self.csrf}, expect=(302,))
        if not response.headers.get("Location", "").endswith("/me/"):
            self.fail_task("POST", "/auth/login [POST]", f"login of {self.login} failed")

    def read_lesson(self, code: str, slug: str) -> None:
        self.call("GET", f"/me/courses/{code}/lessons/{slug}", "/me/courses/[code]/lessons/[slug]")
        self.think(2)
        reply = self.call("POST", f"/me/courses/{code}/lessons/{slug}", "/me/courses/[code]/lessons/[slug] [read]",
                          form={"csrf_token": self.csrf}, headers=AS_SCRIPT)
        if reply.json().get("read") is True:
            record("read", u=self.login, c=code, s=slug)

    def start_quiz(self, code: str) -> int | None:
        response = self.call("POST", f"/me/courses/{code}/quiz", "/me/courses/[code]/quiz [start]",
                             form={"csrf_token": self.csrf}, expect=(302,))
        found = ATTEMPT_URL.search(response.headers.get("Location", ""))
        if found is None:  # not allowed now (cooldown after a failed attempt, all attempts used)
            self.exhausted.add(code)
            self.studying = None
            return None
        record("started", u=self.login, c=code, a=int(found.group(1)))
        return int(found.group(1))

    def take_quiz(self, attempt_id: int) -> bool:
        """Answer every page and submit (True), or leave the quiz half done to resume it next time (False)."""
        seen: dict[int, list[tuple[str, list[str]]]] = {}  # item: its inputs
        page_number = 1
        leave_half_done = random.random() < 0.05
        while True:
            page = self.call("GET", f"/me/attempts/{attempt_id}?page={page_number}", "/me/attempts/[id]").text
            options = self.options(page)
            for item in ITEM.findall(page):
                self.think()
                self.answer(attempt_id, int(item), options[int(item)])
                seen[int(item)] = options[int(item)]
                if random.random() < 0.08:  # a change of mind about an earlier question
                    earlier = random.choice(list(seen))
                    self.answer(attempt_id, earlier, seen[earlier])
            if leave_half_done and page_number >= 2:
                return False  # the course page offers to resume it next time
            if f'name="next_page" value="{page_number + 1}"' not in page:
                break
            page_number += 1
        self.think()
        response = self.call("POST", f"/me/attempts/{attempt_id}/submit", "/me/attempts/[id]/submit",
                             form={"csrf_token": self.csrf}, expect=(302,))
        if response.headers.get("Location", "").endswith(f"/me/attempts/{attempt_id}/result"):
            record("submitted", u=self.login, a=attempt_id)
        self.call("GET", f"/me/attempts/{attempt_id}/result", "/me/attempts/[id]/result")
        self.think()
        return True

    def answer(self, attempt_id: int, item: int, inputs: list[tuple[str, list[str]]]) -> None:
        chosen = []
        for kind, values in inputs:  # a question's choices, or each part of a case, or the steps of an ordering
            if kind == "checkbox":
                chosen += sorted(random.sample(values, k=random.randint(1, min(3, len(values)))))
            elif kind == "steps":
                chosen += random.sample(values, k=len(values))
            else:
                chosen.append(random.choice(values))
        record("sent", u=self.login, a=attempt_id, i=item, v=chosen)
        body = [("csrf_token", self.csrf), ("item", str(item))] + [(f"answer-{item}", v) for v in chosen]
        reply = self.call("POST", f"/me/attempts/{attempt_id}/answers", "/me/attempts/[id]/answers", form=body,
                          headers=AS_SCRIPT, keep_csrf=True)
        if reply.json().get("saved") is True:
            record("ack", u=self.login, a=attempt_id, i=item, v=chosen)
        else:
            self.fail_task("POST", "/me/attempts/[id]/answers", f"not saved: {reply.text[:200]}")

    @staticmethod
    def options(page: str) -> dict[int, list[tuple[str, list[str]]]]:
        """Each question's inputs as quiz.js finds them (`data-answer`), one (kind, values) per group of radio
        buttons or checkboxes (a case has one per part); an ordering's selects as ("steps", its choices)."""
        reader = QuizInputs()
        reader.feed(page)
        found: dict[int, list[tuple[str, list[str]]]] = {}
        for (item, _name), (kind, values) in reader.groups.items():
            found.setdefault(item, []).append((kind, values))
        return found

    # --- one request, checked, retried while the server is down (kill test) -------------------

    def call(self, method: str, path: str, name: str, *, form=None, headers=None, expect=(200,), keep_csrf=False):
        body = urlencode(form) if form is not None else None
        sent_headers = headers or (FORM if form is not None else None)
        give_up_at = time.monotonic() + RETRY_SECONDS
        resent = False
        while True:
            with self.client.request(method, path, name=name, data=body, headers=sent_headers, catch_response=True,
                                     allow_redirects=False) as response:
                if response.status_code == 0 and not resent and closed_before_answering(response):
                    # What a browser does when the server closes a kept-alive connection as the request goes out
                    # (Chromium resends any method then): send it once more, at once. Reported under its own name.
                    resent = True
                    response.request_meta["name"] = f"{name} (connection closed by the server: resent)"
                    response.success()
                    continue
                if response.status_code == 503 and response.headers.get("Retry-After"):
                    # "Busy, try again in a moment" (password checks): a person sends the form again after a while.
                    response.request_meta["name"] = f"{name} {BUSY}"
                    response.success()
                    gevent.sleep(min(float(response.headers["Retry-After"]), BUSY_WAIT_AT_MOST))
                    continue
                error = getattr(response, "error", None)
                cut_off = response.status_code != 0 and error is not None and not isinstance(error, LocustBadStatusCode)
                if (response.status_code == 0 or cut_off) and time.monotonic() < give_up_at:
                    # No server, or one killed half-way through its answer (kill test): no answer, as a browser sees
                    # it; quiz.js sends an unsaved answer again, and so do we.
                    response.failure("no server (connection refused or reset): retrying")
                    gevent.sleep(1.0)
                    continue
                if response.status_code not in expect:
                    error = getattr(response, "error", None)
                    response.failure(f"status {response.status_code}, expected {' or '.join(map(str, expect))}"
                                     + (f" ({type(error).__name__}: {error})" if error else ""))
                    raise RescheduleTask()
                if response.status_code == 302 and "/auth/login" in response.headers.get("Location", ""):
                    response.failure("the session was lost: sent to the login page")
                    raise RescheduleTask()
                if not keep_csrf and response.headers.get("Content-Type", "").startswith("text/html"):
                    token = CSRF.search(response.text)
                    if token:
                        self.csrf = token.group(1)
                return response

    def fail_task(self, method: str, name: str, message: str) -> None:
        events.request.fire(request_type=method, name=name, response_time=0, response_length=0,
                            exception=AssertionError(message), context={})
        raise RescheduleTask()

    def think(self, factor: float = 1.0) -> None:
        gevent.sleep(factor * random.uniform(THINK_LOW, THINK_HIGH))


class QuizInputs(HTMLParser):
    """The answer inputs of a quiz page, grouped by (item, input name) in page order."""

    def __init__(self) -> None:
        super().__init__()
        self.groups: dict[tuple[int, str], tuple[str, list[str]]] = {}
        self.select: tuple[int, str] | None = None

    def handle_starttag(self, tag: str, attrs) -> None:
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") in ("radio", "checkbox") and attrs.get("data-answer"):
            key = (int(attrs["data-answer"]), attrs["name"])
            self.groups.setdefault(key, (attrs["type"], []))[1].append(attrs["value"])
        elif tag == "select" and attrs.get("data-answer"):
            self.select = (int(attrs["data-answer"]), attrs["name"])
        elif tag == "option" and self.select is not None and attrs.get("value"):
            values = self.groups.setdefault(self.select, ("steps", []))[1]
            if attrs["value"] not in values:  # every step's select offers the same choices
                values.append(attrs["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.select = None


class Login(Trainee):
    """One login and the home page, then nothing more: the login storm's people (run_storm.py)."""

    @task
    def study_a_course(self) -> None:
        self.call("GET", "/me/", "/me/")
        while True:
            gevent.sleep(3600)
