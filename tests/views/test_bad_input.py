"""Bad input answers 4xx, never 500 (issue #19, item 5), on SQLite and PostgreSQL: every GET route of the URL
map with oversized ids and mangled text in its path; every query parameter a view reads with extreme dates,
control characters, huge numbers and long text; every POST route with such values in each form field its
view reads. SQLite refuses integers past 2**63 - 1, PostgreSQL's INTEGER columns end at 2**31 - 1.

Nothing is listed by hand: the routes come from the URL map (their example URLs from the role x route matrix
of test_access), and the query parameters and form fields each view reads are found in its source (and in the
functions it calls) and in its forms' classes, so a parameter a new view reads is tried without anyone adding it.
"""
from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy import select
from werkzeug.exceptions import NotFound
from wtforms import DateField, DecimalField, FloatField, IntegerField
from wtforms.validators import NumberRange

from portal.domain.learning import quiz
from portal.models import Course, utcnow
from portal.web.forms import FiniteDecimalField, TypedDateField
from portal.web.navigation import safe_next
from portal.web.parameters import MAX_ID, is_token, record_id, record_ids, typed_date, whole_number
from tests.views.test_access import ROUTES, world  # noqa: F401 (world is a fixture)
from tests.views.view_sources import forms, reads

ROLES = ("anonymous", "trainee", "org_admin", "superuser")
OVERSIZED_IDS = (2**31, 10**20)  # past PostgreSQL's INTEGER, past SQLite's (and int64's) limit
BAD_VALUES = (
    "9999-12-31", "0001-01-01", "-1", str(2**31), str(10**20),
    "²",  # str.isdigit() says yes, int() says no
    "/\r\nX-Injected: 1", "\x00", "x" * 3000,
)
BAD_FORM_VALUES = (*BAD_VALUES, "sNaN")
BAD_PATH_TEXT = ("\r\nX-Injected: 1", "x" * 3000, "²", "\x00")
PATH_ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")  # <int:org_id> -> ("int", "org_id")
POST_SKIPPED = {"auth.logout"}  # it would end the test's session
# Better example URLs than the matrix's (which shows a trainee only another person's attempt).
OWN = {"trainee.attempt": "/me/attempts/{own_attempt}", "trainee.result": "/me/attempts/{own_attempt}/result",
       "trainee.save_answers": "/me/attempts/{own_attempt}/answers",
       "trainee.submit": "/me/attempts/{own_attempt}/submit"}


def test_the_search_finds_what_views_read(app):
    assert {"since", "until", "actor", "action", "format", "page"} <= reads(app, "office.audit_log")[0]
    assert {"group", "locality", "sector", "organization", "page", "format"} <= \
        reads(app, "coverage.missing_people")[0]
    assert "next" in reads(app, "public.set_language")[0] and "next" in reads(app, "auth.login")[0]
    assert {"trainee", "mobiles"} <= reads(app, "coverage.session_detail")[1]
    assert {"item", "then", "next_page"} <= reads(app, "trainee.save_answers")[1]
    assert {"start_date", "mobile", "groups"} <= reads(app, "company.hire")[1]


# ------------------------------------------------------------------------------ walking the routes


@pytest.fixture
def walk(world, session):
    """The matrix's world, plus an attempt of the trainee's own."""
    course = session.scalar(select(Course).where(Course.code == "sample-course"))
    world["own_attempt"] = quiz.start_attempt(session, world["users"]["trainee"].trainee, course, now=utcnow()).id
    session.commit()
    return world


def _runs_for(app, endpoint: str, role: str, expected: dict[str, int]) -> bool:
    """Whether the view itself runs for the role: it answers, redirects or finds nothing (404), where the access
    policy would have refused (403) or sent an anonymous user to the login page first."""
    access = getattr(app.view_functions[endpoint], "access", ())
    if expected[role] in (200, 404) or (expected[role] == 302 and ("public" in access or role != "anonymous")):
        return True
    if expected[role] == 405:  # a POST route: who may post to it
        return "public" in access or (role != "anonymous" and ("signed_in" in access or role in access))
    return False


def _examples(app, role: str, world, method: str) -> list[tuple[str, str]]:
    """(endpoint, URL) for every route of the method whose view runs for the role."""
    examples = []
    for rule in app.url_map.iter_rules():
        if method not in rule.methods or rule.endpoint == "static" or (method == "POST" and
                                                                       rule.endpoint in POST_SKIPPED):
            continue
        cases = ROUTES[rule.endpoint]  # test_access fails first when a route is missing there
        if role == "trainee" and rule.endpoint in OWN:
            cases = [(OWN[rule.endpoint], {role: 200 if method == "GET" else 405})]
        runs = [(template, expected[role]) for template, expected in cases
                if _runs_for(app, rule.endpoint, role, expected)]
        if runs:  # an example the view answers with 200 goes furthest into it
            template = min(runs, key=lambda run: run[1] != 200)[0]
            examples.append((rule.endpoint, template.format(**world)))
    return examples


def _mangled_paths(app, url: str, method: str) -> list[str]:
    """The URL once per path argument and bad value: an int argument oversized, a text argument mangled."""
    adapter = app.url_map.bind("localhost")
    parts = urlsplit(url)
    endpoint, args = adapter.match(parts.path, method=method)
    rule = next(r for r in app.url_map.iter_rules(endpoint) if method in r.methods)
    urls = []
    for converter, name in PATH_ARGUMENT.findall(rule.rule):
        for value in {"int": OVERSIZED_IDS, "path": ()}.get(converter, BAD_PATH_TEXT):
            urls.append(adapter.build(endpoint, {**args, name: value}, method=method)
                        + (f"?{parts.query}" if parts.query else ""))
    return urls


def _check(response, label: str, failures: list[str]) -> None:
    status = response.status_code
    body = response.get_data()
    response.close()
    if status >= 500:
        failures.append(f"{label}: {status}")
    # The portal's page (its error page, or a view's own: the certificate check's "not found", a form shown again
    # with its errors), never werkzeug's bare one.
    elif status in (400, 404) and response.mimetype == "text/html" and b"<main" not in body:
        failures.append(f"{label}: {status} without the usual page")


@pytest.mark.parametrize("role", ROLES)
def test_no_get_route_answers_500_to_bad_input(app, client, login, walk, role):
    if role != "anonymous":
        login(walk["users"][role])
    failures: list[str] = []
    for endpoint, url in _examples(app, role, walk, "GET"):
        for bad in _mangled_paths(app, url, "GET"):
            _check(client.get(bad), f"{role} GET {bad[:100]!r}", failures)
        base, _sep, query = url.partition("?")
        for name in sorted(reads(app, endpoint)[0]):
            for value in BAD_VALUES:
                # The bad value comes first: it is the one request.args.get() returns.
                target = f"{base}?{urlencode({name: value})}" + (f"&{query}" if query else "")
                _check(client.get(target), f"{role} GET {base} {name}={value[:20]!r}", failures)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ROLES)
def test_no_post_route_answers_500_to_bad_input(app, client, login, walk, role):
    if role != "anonymous":
        login(walk["users"][role])
    failures: list[str] = []
    for endpoint, url in _examples(app, role, walk, "POST"):
        for bad in _mangled_paths(app, url, "POST"):
            _check(client.post(bad), f"{role} POST {bad[:100]!r}", failures)
        for name in sorted(reads(app, endpoint)[1]):
            for value in BAD_FORM_VALUES:  # one field at a time: another field's error could hide it
                _check(client.post(url, data={name: value}), f"{role} POST {url} {name}={value[:20]!r}", failures)
    assert not failures, "\n".join(failures)


# ------------------------------------------------------------------------------ the fields themselves


def test_every_date_and_number_field_is_bounded():
    """Dates refuse years nobody types, decimals refuse NaN, integers have a range: a new field of the plain
    WTForms kinds fails here."""
    loose = []
    for form, fields in forms().items():
        for name, field in fields.items():
            kind, label = field.field_class, f"{form.__name__}.{name}"
            if issubclass(kind, DateField) and not issubclass(kind, TypedDateField):
                loose.append(f"{label}: use portal.web.forms.TypedDateField")
            if issubclass(kind, DecimalField) and not issubclass(kind, FiniteDecimalField):
                loose.append(f"{label}: use portal.web.forms.FiniteDecimalField")
            if issubclass(kind, FloatField):
                loose.append(f"{label}: a FloatField takes nan and inf")
            if issubclass(kind, IntegerField) and not any(
                    isinstance(validator, NumberRange) for validator in field.kwargs.get("validators", ())):
                loose.append(f"{label}: an IntegerField needs a NumberRange")
    assert loose == []


def test_a_typed_date_outside_the_plausible_years_is_refused_with_a_message(app):
    from portal.company.forms import ReleaseForm

    with app.test_request_context(method="POST", data={"left_on": "9999-12-31"}):
        form = ReleaseForm()
        assert not form.validate()
        [error] = form.left_on.errors
        assert "1900-01-01" in error and "2199-12-31" in error
    with app.test_request_context(method="POST", data={"left_on": "2026-03-01"}):
        assert ReleaseForm().validate()


@pytest.mark.parametrize("hours", ["NaN", "sNaN", "Infinity", "-inf"])
def test_class_hours_that_are_no_number_are_asked_for_again(app, hours):
    from portal.company.forms import PriorTrainingForm

    with app.test_request_context(method="POST", data={"hours": hours}):
        form = PriorTrainingForm()
        form.validate()
        assert form.hours.data is None and len(form.hours.errors) == 1


# ------------------------------------------------------------------------------ the readers themselves


@pytest.mark.parametrize("text, number", [
    ("0", 0), ("42", 42), (str(MAX_ID), MAX_ID), (str(MAX_ID + 1), None), (str(10**20), None), ("", None),
    (None, None), ("-1", None), ("+1", None), (" 1", None), ("1.0", None), ("²", None), ("١٢", None), ("１２", None),
])
def test_whole_numbers_are_ascii_digits_up_to_the_id_columns_limit(text, number):
    assert whole_number(text) == number
    assert record_id(text) == (number or None)


def test_repeated_ids_keep_those_that_can_name_a_record():
    assert record_ids(["3", "x", str(2**63), "0", "²", "7"]) == [3, 7]


@pytest.mark.parametrize("text, day", [
    ("2026-03-01", date(2026, 3, 1)), ("1900-01-01", date(1900, 1, 1)), ("2199-12-31", date(2199, 12, 31)),
    ("1899-12-31", None), ("2200-01-01", None), ("9999-12-31", None), ("0001-01-01", None), ("2026-02-30", None),
    ("", None), (None, None), ("x" * 3000, None),
])
def test_typed_dates_stay_within_the_years_people_type(text, day):
    assert typed_date(text) == day


@pytest.mark.parametrize("text, ok", [
    ("Zq3-_x", True), ("a" * 64, True), ("a" * 65, False), ("", False), (None, False), ("²", False),
    ("../x", False), ("a.json", False),
])
def test_tokens_are_what_token_urlsafe_makes(text, ok):
    assert is_token(text) is ok


@pytest.mark.parametrize("target", ["/\r\nX-Injected: 1", "/a\nb", "/a\x00b", "/a\x1bb", "/a\x7fb"])
def test_a_next_address_with_control_characters_is_not_followed(target):
    assert safe_next(target, "/home") == "/home"
    assert safe_next("/office/users?page=2", "/home") == "/office/users?page=2"


def test_an_id_past_the_integer_columns_matches_no_route(app):
    adapter = app.url_map.bind("localhost")
    assert adapter.match(f"/company/{MAX_ID}/")[1] == {"org_id": MAX_ID}
    for path in (f"/company/{MAX_ID + 1}/", f"/company/{10**20}/", "/company/١/"):
        with pytest.raises(NotFound):
            adapter.match(path)
