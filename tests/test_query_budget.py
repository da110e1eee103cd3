"""SQL statements per page: each hot page has a budget, and none grows with the data it lists (no N+1).

Every request runs in an application context of its own, as in production (fresh session, fresh `g`),
with the real curriculum loaded. A page that needs more statements than its budget fails here: load
what it lists with selectinload / joinedload or one aggregate query instead of one query per row.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import bindparam, event, select, text

from portal.domain.learning import progress, quiz
from portal.domain.workforce import schedule
from portal.domain.content.sync import sync_content
from portal.domain.workforce.rules import current_rules
from portal.extensions import db
from portal.models import Attempt, Course, Lesson
from tests.factories import DEFAULT_PASSWORD, key_groups, make_completion, make_org, make_trainee, make_user

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)

# Statements per request, including the session's user (user, grants, trainee and key groups: one statement).
BUDGETS = {
    # one is the key groups' names, when an assignment is due for a group; one the claims waiting; one the completions
    # that count today (the courses marked completed, and the commitments card's training: read once for both); one
    # the quizzes the person is locked out of; one the rules in force (whether a key group of the person signs a
    # duty commitment) and, for someone who does, their commitments and the texts (the missing courses' titles come
    # with the course list)
    "trainee home": 11,
    # one is the valid completion and its certificate, one the 错题本's count (courses with practice), one the
    # study time counted
    "course": 8,
    "lesson": 4,  # on PostgreSQL one is SET LOCAL synchronous_commit (see progress.open_lesson)
    "quiz page": 3,
    "save answer": 3,
    # the course; the open attempt, the attempts so far and the lessons read (eligibility: three); the questions seen
    # before, every pool's questions (one), the versions drawn (one), the attempt's number; the attempt and its items
    # (two INSERTs). It was 59: each pool's questions with their tags, each drawn version and each item on its own.
    "start a quiz": 11,
    # passing, every lesson read: the attempt and its items (two), the grade with the claim (one UPDATE) and the
    # items' answers and points (one batch); the best passed attempt, the lessons read and the latest completion
    # (one); the rules in force and the post catalogue's courses (two), the person's jobs with their organization
    # and key groups (one) decide how long the completion counts, written with it (one INSERT); the assignments
    # closed (one UPDATE); the certificate: its serial (here the year's first, which also starts the counter:
    # two more), the study time counted (one sum), its INSERT and the older ones it supersedes (one)
    "save and submit": 17,
    # (here the year's first, which also starts its serial counter: two statements)
    "result": 6,
    "company roster": 14,
    "office overview": 6,
    "office organizations": 8,
}


@contextmanager
def counted(app):
    """Count the SQL statements of the requests made inside (each in a fresh application context)."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", count)
            db.session.remove()


class Statements(list):
    """The statements of one request; compares and prints as their number, listed on failure."""

    def __int__(self) -> int:
        return len(self)

    def __le__(self, budget) -> bool:
        return len(self) <= budget

    def __eq__(self, other) -> bool:
        return len(self) == len(other)

    def __repr__(self) -> str:
        return f"{len(self)} statements:\n" + "\n".join(" ".join(s.split())[:160] for s in self)


def statements_for(app, browser, method: str, path: str, **kwargs) -> tuple[Statements, object]:
    db.session.commit()
    with counted(app) as statements:
        response = browser.open(path, method=method, **kwargs)
        status = response.status_code
    assert status in (200, 302), (path, status)
    return Statements(statements), response


def browser_for(app, user):
    """A test client that keeps no contexts between requests (pytest-flask's `client` does)."""
    browser = app.test_client()
    response = browser.post("/auth/login", data={"login": user.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    return browser


CONTENT_TABLES = ("course", "course_group", "lesson", "question", "question_version", "question_tag")


@pytest.fixture(scope="module")
def curriculum_rows(tmp_path_factory) -> dict[str, list[dict]]:
    """The real curriculum's rows, synced once per module (a sync takes seconds) and copied into each test."""
    from portal import create_app
    from portal.domain.workforce.reference import ensure_reference_data

    path = tmp_path_factory.mktemp("curriculum") / "content.sqlite3"
    app = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        db.create_all(bind_key=None)
        ensure_reference_data(db.session)
        sync_content(db.session, ROOT)
        db.session.commit()
        with db.engine.connect() as connection:
            rows = {name: [dict(row._mapping) for row in connection.execute(db.metadata.tables[name].select())]
                    for name in CONTENT_TABLES}
        db.engine.dispose()
    return rows


def load_curriculum(session, rows: dict[str, list[dict]]) -> None:
    """Insert the synced rows (same key-group ids: reference data is created the same way everywhere)."""
    tables = db.metadata.tables
    questions = [dict(row, current_version_id=None) for row in rows["question"]]
    for name, table_rows in (("course", rows["course"]), ("course_group", rows["course_group"]),
                             ("lesson", rows["lesson"]), ("question", questions),
                             ("question_version", rows["question_version"]), ("question_tag", rows["question_tag"])):
        session.execute(tables[name].insert(), table_rows)
    question = tables["question"]
    session.execute(question.update().where(question.c.id == bindparam("qid")).values(
        current_version_id=bindparam("version")),
        [{"qid": row["id"], "version": row["current_version_id"]} for row in rows["question"]])
    if session.get_bind().dialect.name == "postgresql":
        for name in ("course", "lesson", "question", "question_version"):
            session.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                 f"(SELECT MAX(id) FROM {name}))"))
    session.flush()


@pytest.fixture
def district(session, curriculum_rows):
    """The real curriculum, a key unit, a trainee in three key groups with assignments, reading and quizzes."""
    load_curriculum(session, curriculum_rows)
    org = make_org(kind="key_unit")
    user = make_user("trainee", org=org)
    trainee = user.trainee
    trainee.groups = key_groups("all_staff", "safety_manager", "key_unit_staff")
    for n in range(5):
        colleague = make_trainee(org, groups=("all_staff",))
        if n % 2:
            make_completion(colleague, session.scalar(select(Course).where(Course.code == "all-staff-basics")),
                            on=date(2026, 1, 5), valid_until=date(2027, 1, 5))
    session.flush()
    schedule.run_all(session, current_rules(session), now=NOW)
    basics = session.scalar(select(Course).where(Course.code == "all-staff-basics"))
    lessons = progress.live_lessons(basics)
    other = session.scalar(select(Course).where(Course.code == "safety-manager"))
    for lesson in lessons + progress.live_lessons(other):  # lessons come before the quiz
        progress.mark_read(session, trainee, lesson, now=NOW)
    graded = quiz.start_attempt(session, trainee, other, now=NOW)
    quiz.submit(session, graded, now=NOW + timedelta(minutes=5))
    attempt = quiz.start_attempt(session, trainee, basics, now=datetime.now(timezone.utc))
    session.commit()
    return {"user": user, "trainee": trainee, "org": org, "attempt_id": attempt.id, "graded_id": graded.id,
            "lesson": lessons[2].slug, "item": attempt.items[0]}


def trainee_pages(district) -> dict[str, tuple[str, str, dict]]:
    item = district["item"]
    return {
        "trainee home": ("GET", "/me/", {}),
        "course": ("GET", "/me/courses/all-staff-basics", {}),
        "lesson": ("GET", f"/me/courses/all-staff-basics/lessons/{district['lesson']}", {}),
        "quiz page": ("GET", f"/me/attempts/{district['attempt_id']}", {}),
        "save answer": ("POST", f"/me/attempts/{district['attempt_id']}/answers",
                        {"data": {"item": item.id, f"answer-{item.id}": item.option_order[0]},
                         "headers": {"Accept": "application/json"}}),
        "result": ("GET", f"/me/attempts/{district['graded_id']}/result", {}),
    }


def test_trainee_pages_stay_within_their_budget(app, district):
    client = browser_for(app, district["user"])
    over = []
    for page, (method, path, kwargs) in trainee_pages(district).items():
        statements_for(app, client, method, path, **kwargs)  # warm: a lesson's first opening inserts its row
        count, _response = statements_for(app, client, method, path, **kwargs)
        if not count <= BUDGETS[page]:
            over.append(f"{page}: budget {BUDGETS[page]}, {count!r}")
    assert not over, "\n\n".join(over)


def test_starting_a_quiz_stays_within_budget_and_does_not_grow_with_questions(app, district, session):
    """Drawing 18 questions from six pools reads each pool once, and the versions drawn at once."""
    user = make_user("trainee", org=district["org"])
    user.trainee.groups = key_groups("all_staff")
    basics = session.scalar(select(Course).where(Course.code == "all-staff-basics"))
    for lesson in progress.live_lessons(basics):
        progress.mark_read(session, user.trainee, lesson, now=NOW)
    session.commit()
    client = browser_for(app, user)
    count, response = statements_for(app, client, "POST", "/me/courses/all-staff-basics/quiz")
    attempt_id = int(response.headers["Location"].rsplit("/", 1)[1])
    drawn = len(db.session.get(Attempt, attempt_id).items)
    assert drawn == sum(pool["count"] for pool in basics.quiz["pools"]) == 18
    assert count <= BUDGETS["start a quiz"], f"start a quiz: budget {BUDGETS['start a quiz']}, {count!r}"


def test_trainee_home_does_not_grow_with_courses_or_lessons(app, district, session):
    client = browser_for(app, district["user"])
    before, _ = statements_for(app, client, "GET", "/me/")
    trainee = district["trainee"]
    trainee.groups = key_groups("all_staff", "safety_manager", "key_unit_staff", "security_staff", "grid_worker",
                                "property_staff", "responsible_person")
    session.flush()
    schedule.run_all(session, current_rules(session), now=NOW)
    for lesson in session.scalars(select(Lesson).limit(20)):
        progress.mark_read(session, trainee, lesson, now=NOW)
    session.commit()
    after, response = statements_for(app, client, "GET", "/me/")
    assert len(re.findall(r'class="card"', response.get_data(as_text=True))) >= 6
    assert after == before, f"before: {before!r}\nafter: {after!r}"


def test_company_roster_stays_within_budget_and_does_not_grow_with_people(app, district, session):
    org = district["org"]
    admin = make_user("org_admin", org=org)
    session.commit()
    client = browser_for(app, admin)
    few, _ = statements_for(app, client, "GET", f"/company/{org.id}/people")
    basics = session.scalar(select(Course).where(Course.code == "all-staff-basics"))
    for n in range(25):
        person = make_trainee(org, groups=("all_staff", "security_staff") if n % 3 else ("all_staff",))
        if n % 2:
            make_completion(person, basics, on=date(2026, 1, 5), valid_until=date(2027, 1, 5))
    session.flush()
    schedule.run_all(session, current_rules(session), now=NOW)
    session.commit()
    many, response = statements_for(app, client, "GET", f"/company/{org.id}/people")
    assert response.get_data(as_text=True).count("<tr") >= 20
    assert many <= BUDGETS["company roster"], f"company roster: budget {BUDGETS['company roster']}, {many!r}"
    assert many == few, f"few: {few!r}\nmany: {many!r}"


@pytest.mark.parametrize("name, path", [
    ("office overview", "/office/"),
    ("office organizations", "/office/organizations"),
])
def test_office_pages_stay_within_budget_and_do_not_grow_with_organizations(app, district, session, name, path):
    office = make_user("office_admin")
    session.commit()
    client = browser_for(app, office)
    few, _ = statements_for(app, client, "GET", path)
    for n in range(12):
        org = make_org(kind=("key_unit", "public_gathering", "general")[n % 3])
        for _ in range(3):
            make_trainee(org)
    session.commit()
    many, _ = statements_for(app, client, "GET", path)
    assert many <= BUDGETS[name], f"{name}: budget {BUDGETS[name]}, {many!r}"
    assert many == few, f"few: {few!r}\nmany: {many!r}"


def test_save_and_submit_stays_within_budget_and_does_not_grow_with_questions(app, district, session):
    """The last page's "Save and submit the quiz", passing and completing the course: one certificate."""
    from portal.domain.content import questions as qtypes
    from portal.models import Attempt, Certificate

    client = browser_for(app, district["user"])
    trainee, attempt = district["trainee"], session.get(Attempt, district["attempt_id"])
    for lesson in progress.live_lessons(attempt.course):
        progress.mark_read(session, trainee, lesson, now=NOW)
    data = {"item": [item.id for item in attempt.items], "then": "submit"}
    for item in attempt.items:
        data[f"answer-{item.id}"] = qtypes.get(item.question_version.qtype).correct(item.question_version.data)
    session.commit()
    count, response = statements_for(app, client, "POST", f"/me/attempts/{attempt.id}/answers", data=data)
    assert response.headers["Location"] == f"/me/attempts/{attempt.id}/result"
    assert session.scalar(select(Certificate).where(Certificate.person_id == trainee.person_id)) is not None
    assert len(attempt.items) >= 10  # one statement per question would show
    assert count <= BUDGETS["save and submit"], f"save and submit: budget {BUDGETS['save and submit']}, {count!r}"
