"""What the web benchmark asks for: the trainee pages and actions, for one logged-in bench trainee.

Shared by bench/web.py (load through gunicorn) and bench/web_profile.py (in-process profile).
"""
from __future__ import annotations

from dataclasses import dataclass

import psycopg

from bench.dataset import QUIZ_COURSE, SERVER


@dataclass(frozen=True)
class Scenario:
    name: str
    label: str
    method: str
    expect: int  # the status every response must have
    target: float  # minimum share of the floor's throughput (one indexed lookup, bench/web_baseline.py)


SCENARIOS = (
    Scenario("home", "trainee home (`/me/`)", "GET", 200, 0.35),
    Scenario("course", "course page", "GET", 200, 0.35),
    Scenario("lesson", "lesson page", "GET", 200, 0.35),
    Scenario("quiz", "quiz page (open attempt, page 1)", "GET", 200, 0.35),
    Scenario("save", "save an answer (autosave, JSON)", "POST", 200, 0.50),
    Scenario("submit", "save the last page and submit a quiz (grade, completion, certificate)", "POST", 302, 0.12),
)


@dataclass
class TraineeState:
    """What one bench trainee's requests need: their open attempt, a lesson, an item to answer."""

    trainee_id: int
    login: str
    attempt_id: int | None
    item_id: int | None
    choice: str | None
    lessons: list[str]

    def path(self, scenario: str, attempt_id: int | None = None) -> str:
        if scenario == "home":
            return "/me/"
        if scenario == "course":
            return f"/me/courses/{QUIZ_COURSE}"
        if scenario == "lesson":
            # the next lesson to read: half of them are read
            return f"/me/courses/{QUIZ_COURSE}/lessons/{self.lessons[len(self.lessons) // 2]}"
        if scenario == "quiz":
            return f"/me/attempts/{self.attempt_id}"
        if scenario == "save":
            return f"/me/attempts/{self.attempt_id}/answers"
        if scenario == "submit":  # "Save and submit the quiz" posts the last page's answers here
            return f"/me/attempts/{attempt_id}/answers"
        if scenario == "result":
            return f"/me/attempts/{attempt_id}/result"
        raise KeyError(scenario)

    def save_form(self, csrf_token: str) -> dict[str, str]:
        return {"csrf_token": csrf_token, "item": str(self.item_id), f"answer-{self.item_id}": self.choice}


def trainee_states(database: str, users: list[tuple[int, str]]) -> list[TraineeState]:
    """Each page user's open attempt on the bench course, its first item and an option to pick."""
    states = []
    with psycopg.connect(f"{SERVER}/{database}") as connection:
        lessons = [slug for (slug,) in connection.execute(
            "SELECT l.slug FROM lesson l JOIN course c ON c.id = l.course_id WHERE c.code = %s AND NOT l.retired "
            "ORDER BY l.position", (QUIZ_COURSE,))]
        for trainee_id, login in users:
            row = connection.execute(
                "SELECT a.id, i.id, i.option_order FROM attempt a JOIN course c ON c.id = a.course_id "
                "JOIN trainee t ON t.person_id = a.person_id JOIN attempt_item i ON i.attempt_id = a.id "
                "WHERE t.id = %s AND c.code = %s AND a.status = 'open' ORDER BY i.position LIMIT 1",
                (trainee_id, QUIZ_COURSE)).fetchone()
            attempt_id, item_id, order = row if row else (None, None, None)
            states.append(TraineeState(trainee_id, login, attempt_id, item_id, order[0] if order else None, lessons))
    return states


def submit_forms(database: str, attempts: list[int], csrf_tokens: list[str]) -> list[dict[str, object]]:
    """What each attempt's "Save and submit the quiz" button posts: the last page's items with the answers
    they hold (as the browser shows them checked), then=submit."""
    from portal.trainee.views import QUESTIONS_PER_PAGE

    with psycopg.connect(f"{SERVER}/{database}") as connection:
        rows = connection.execute(
            "SELECT attempt_id, id, answer FROM (SELECT attempt_id, id, answer, row_number() OVER "
            "(PARTITION BY attempt_id ORDER BY position DESC) AS from_end FROM attempt_item "
            "WHERE attempt_id = ANY(%s)) last WHERE from_end <= %s ORDER BY attempt_id, id",
            (attempts, QUESTIONS_PER_PAGE)).fetchall()
    forms = {attempt_id: {"csrf_token": token, "then": "submit", "item": []}
             for attempt_id, token in zip(attempts, csrf_tokens)}
    for attempt_id, item_id, answer in rows:
        forms[attempt_id]["item"].append(str(item_id))
        forms[attempt_id][f"answer-{item_id}"] = list(answer or [])
    return [forms[attempt_id] for attempt_id in attempts]
