"""Property-based tests of the HR API's outside input: whatever an HR system sends (bodies, bytes,
headers, paths, query strings), the answer is a documented, schema-conforming JSON response, never a
500; a refused request changes nothing; an accepted one did what it says.

tests/api/ checks each known mistake and its exact message; here hypothesis looks for the ones nobody
listed. Row counts stand in for tests/api's full snapshot, which would be too slow per example.
"""
from __future__ import annotations

import uuid
from datetime import date
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, currently_in_test_context, event, example, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from sqlalchemy import func, select

from portal.api.openapi import document
from portal.domain.platform import api_tokens
from portal.domain.platform.errors import ValidationError
from portal.domain.platform.validators import normalize_mobile
from portal.domain.workforce.posts import catalogue
from portal.extensions import db
from portal.models import (Assignment, AuditEvent, Course, EmploymentEvent, IdempotencyRecord, Trainee,
                           utcnow)
from tests.factories import make_org, make_trainee, make_user

# The courses the repository's training rules name, so hires and transfers open real assignments.
RULE_COURSES = ("all-staff-basics", "public-gathering-staff", "key-unit-staff", "job-transfer", "grid-worker",
                "security-micro-station", "safety-manager", "responsible-person")
ON_ROSTER = ("13900000001", "13900000002", "13900000003")
# The statuses each operation may answer here (never 500; no 429: the limits are raised for these tests).
DOCUMENTED = {"POST /events": {201, 400, 401, 404, 409, 413, 415, 422},
              "PUT /employees/{mobile}": {200, 201, 400, 401, 409, 413, 415, 422},
              "GET /employees": {200, 400, 401}, "GET /employees/{mobile}": {200, 400, 401, 404},
              "GET /assignments": {200, 400, 401, 404}}
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                    database=None)  # no example database: the suite leaves no files behind


@pytest.fixture
def app_config():
    return {"API_RATE_LIMIT": "1000000 per minute", "API_AUTH_FAILURE_LIMIT": "1000000 per minute"}


def open_api_account(session) -> str:
    """An organization with a live API token, the rules' courses and three people on its roster."""
    known = set(session.scalars(select(Course.code)))
    for code in RULE_COURSES:
        if code not in known:
            session.add(Course(code=code, slug=code, title_zh=f"课程{code}", title_en=f"Course {code}", level="basic",
                               credit_hours=1.0, quiz={"pools": [], "pass_mark": 80}))
    org = make_org(kind="public_gathering")
    admin = make_user("org_admin", org=org)
    for mobile in ON_ROSTER:
        make_trainee(org, mobile=mobile)
    _token, plain = api_tokens.create(session, org, name="HR system", actor_id=admin.id, address="", now=utcnow())
    session.commit()
    return plain


@pytest.fixture
def token(session) -> str:
    return open_api_account(session)


# --- what an HR system might send ----------------------------------------------------------------

# Every code point, NUL and lone surrogates included: valid in JSON, storable in no database (they once got a 500).
CHARACTERS = st.characters(exclude_categories=())


def texts(min_size: int = 0, max_size: int = 30) -> st.SearchStrategy[str]:
    return st.text(CHARACTERS, min_size=min_size, max_size=max_size)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | texts(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts(max_size=12), inner, max_size=4),
    max_leaves=10)
mobiles = st.one_of(st.sampled_from(ON_ROSTER), st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
                    st.from_regex(r"(\+86 ?)?1[3-9][0-9]{1,3}[- ]?[0-9]{4}[- ]?[0-9]{4}", fullmatch=True),
                    texts(max_size=25), json_values)
dates = st.one_of(st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31)).map(date.isoformat),
                  st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True), texts(max_size=12), json_values)
names = st.one_of(texts(1, 55), st.just("   "), json_values)
posts = st.one_of(st.sampled_from(["收银员", "保安员", "消防控制室值班员", ""]), texts(max_size=110), json_values)
groups = st.one_of(st.lists(st.sampled_from(["all_staff", "grid_worker", "security_staff", "responsible_person",
                                             "no_such_group", ""]), max_size=22),
                   st.lists(json_values, max_size=3), json_values)
id_numbers = st.one_of(st.none(), st.just("11010519491231002X"), st.from_regex(r"[0-9]{17}[0-9X]", fullmatch=True),
                       texts(max_size=20), json_values)
junk_fields = st.dictionaries(texts(1, 10), json_values, max_size=2)


valid_names = texts(1, 50).filter(str.strip)
valid_posts = st.one_of(st.sampled_from(["收银员", "保安员", "消防控制室值班员", "电工"]), texts(max_size=100))
valid_dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)).map(date.isoformat)
valid_groups = st.lists(st.sampled_from(["all_staff", "grid_worker", "security_staff", "responsible_person",
                                         "safety_manager"]), max_size=4)
new_mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
JUNK = {"type": st.one_of(texts(max_size=8), json_values), "mobile": mobiles, "real_name": names, "post": posts,
        "start_date": dates, "effective_on": dates, "left_on": dates, "groups": groups, "id_number": id_numbers}


def valid(required: dict, optional: dict) -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries(required, optional=optional)


def mutated(bodies: st.SearchStrategy[dict]) -> st.SearchStrategy[dict]:
    """Mostly valid bodies, then up to three mistakes: a field dropped, given a wrong value, or one too many."""

    @st.composite
    def build(draw):
        body = dict(draw(bodies))
        for _ in range(draw(st.integers(0, 3))):
            action = draw(st.sampled_from(["drop", "replace", "add"]))
            if action == "add" or not body:
                body[draw(texts(1, 10))] = draw(json_values)
            elif action == "drop":
                del body[draw(st.sampled_from(sorted(body)))]
            else:
                name = draw(st.sampled_from(sorted(body)))
                body[name] = draw(JUNK.get(name, json_values))
        return body

    return build()


events = mutated(st.one_of(
    valid({"type": st.just("hire"), "mobile": st.one_of(new_mobiles, st.sampled_from(ON_ROSTER)),
           "real_name": valid_names, "post": valid_posts, "start_date": valid_dates},
          {"groups": valid_groups, "id_number": st.sampled_from([None, "", "11010519491231002X"])}),
    valid({"type": st.just("transfer"), "mobile": st.one_of(st.sampled_from(ON_ROSTER), new_mobiles),
           "post": valid_posts.filter(str.strip), "effective_on": valid_dates}, {"groups": valid_groups}),
    valid({"type": st.just("leave"), "mobile": st.one_of(st.sampled_from(ON_ROSTER), new_mobiles),
           "left_on": valid_dates}, {})))
people = mutated(valid({"real_name": valid_names, "post": valid_posts},
                       {"start_date": st.one_of(st.none(), valid_dates), "groups": valid_groups,
                        "id_number": st.sampled_from([None, "", "11010519491231002X"])}))
keys = st.one_of(st.builds(lambda: str(uuid.uuid4())), st.just("fixed-key-1"), st.just(""),
                 st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=110))
content_types = st.sampled_from(["application/json", "application/json; charset=utf-8", "text/plain",
                                 "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""])


# --- what must hold for every answer ------------------------------------------------------------

def _validator(status_schema: dict) -> Draft202012Validator:
    spec = document()
    return Draft202012Validator({**status_schema, "components": spec["components"]},
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


def _response_schema(operation: str, status: int) -> dict:
    spec = document()
    method, path = operation.split(" ", 1)
    answer = spec["paths"][path][method.lower()]["responses"][str(status)]
    while "$ref" in answer:
        answer = spec["components"]["responses"][answer["$ref"].rsplit("/", 1)[1]]
    return answer["content"]["application/json"]["schema"]


def assert_documented(operation: str, response) -> None:
    """A documented status, JSON, and a body that conforms to the schema for that status."""
    if currently_in_test_context():
        event(f"{operation}: {response.status_code}")
    assert response.status_code in DOCUMENTED[operation], (operation, response.status_code, response.get_data()[:300])
    assert response.mimetype == "application/json", (operation, response.status_code, response.mimetype)
    errors = list(_validator(_response_schema(operation, response.status_code)).iter_errors(response.get_json()))
    assert not errors, (operation, response.status_code, errors[0].message, response.get_json())


def counts() -> tuple[int, ...]:
    """Rows of what a change writes: people, their events, assignments, audit, idempotency records."""
    db.session.rollback()  # a fresh transaction sees every commit of the requests
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Trainee, EmploymentEvent, Assignment, AuditEvent, IdempotencyRecord))


def send(client, method: str, path: str, token: str, *, body=None, raw: bytes | None = None,
         content_type: str = "application/json", key: str | None = "new", headers: dict | None = None):
    sent = {"Authorization": f"Bearer {token}", **(headers or {})}
    if key is not None:
        sent["Idempotency-Key"] = str(uuid.uuid4()) if key == "new" else key
    if raw is None and body is not None:
        return client.open(f"/api/v1{path}", method=method, json=body, headers=sent)
    return client.open(f"/api/v1{path}", method=method, data=raw, content_type=content_type or None, headers=sent)


def _person_of_id_number(session, id_number) -> tuple[str, str] | None:
    """(mobile, name) of the person who already has this ID number, if any."""
    from portal.domain.platform.validators import canonical_id_number
    from portal.models import Person

    if not isinstance(id_number, str) or not id_number.strip():
        return None
    row = session.execute(select(Person.mobile, Person.real_name)
                          .where(Person.id_number == canonical_id_number(id_number))).first()
    return tuple(row) if row else None


def _normalized(mobile) -> str | None:
    try:
        return normalize_mobile(mobile) if isinstance(mobile, str) else None
    except ValidationError:
        return None


# --- the properties -----------------------------------------------------------------------------

def test_any_event_gets_a_documented_answer_and_a_refusal_changes_nothing(client, session, token):
    @SETTINGS
    @given(body=events)
    def check(body):
        before = counts()
        # a hire whose ID number a person already has (who left here, or works elsewhere) is about that person:
        # the answer names them with the mobile they have
        known = _person_of_id_number(session, body.get("id_number")) if body.get("type") == "hire" else None
        response = send(client, "POST", "/events", token, body=body)
        assert_documented("POST /events", response)
        if response.status_code != 201:
            assert counts() == before, response.get_json()
            return
        result = response.get_json()
        assert result["type"] == body["type"]
        assert result["employee"]["mobile"] in ({_normalized(body["mobile"])} | ({known[0]} if known else set()))
        if body["type"] == "hire":  # a re-hire without an account takes the name sent
            assert result["employee"]["real_name"] in ({body["real_name"].strip()} | ({known[1]} if known else set()))
            assert result["employee"]["status"] == "active"
        elif body["type"] == "transfer":
            assert result["employee"]["post"] == catalogue_name(body["post"])
        else:
            assert result["employee"]["status"] == "left"
            assert result["employee"]["left_on"] == body["left_on"]

    check()


def catalogue_name(post: str) -> str:
    """What the API answers for a post it took: the catalogue's own name, when sent by another (门卫 -> 保安员)."""
    return catalogue(db.session).resolve(post) or ""


def test_any_person_record_gets_a_documented_answer_and_a_refusal_changes_nothing(client, session, token):
    @SETTINGS
    @given(mobile=mobiles.filter(lambda m: isinstance(m, str) and m.strip(" ./") != ""), body=people)
    @example(mobile="13900000001", body={"real_name": "0", "post": "门卫"})  # another name of 保安员
    @example(mobile="\ud800", body={"real_name": "0", "post": "门卫"})  # bytes that are not UTF-8 in the path
    def check(mobile, body):
        before = counts()
        # a lone surrogate goes out as the bytes it stands for (%ED%A0%80), which no UTF-8 decoder accepts
        response = send(client, "PUT", "/employees/" + quote(mobile, safe="", errors="surrogatepass"), token, body=body)
        if "/" in mobile or "%" in mobile:  # a slash or escape in the path may reach another route: still no 500
            # (repeated slashes get the router's 308 to the merged path, before any route answers in JSON)
            assert response.status_code < 500
            assert response.mimetype == "application/json" or response.status_code == 308
            return
        assert_documented("PUT /employees/{mobile}", response)
        if response.status_code not in (200, 201):
            assert counts() == before, response.get_json()
            return
        person = response.get_json()
        assert person["mobile"] == _normalized(mobile)
        assert person["real_name"] == body["real_name"].strip()
        assert person["post"] == catalogue_name(body["post"])

    check()


def test_any_bytes_with_any_content_type_get_a_clean_error(client, session, token):
    @SETTINGS
    @given(raw=st.one_of(st.binary(max_size=300), json_values.map(lambda v: repr(v).encode("utf-8", "surrogatepass")),
                         texts(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass"))),
           content_type=content_types, put=st.booleans())
    def check(raw, content_type, put):
        before = counts()
        operation, path = (("PUT /employees/{mobile}", "/employees/13900000001") if put else ("POST /events", "/events"))
        response = send(client, operation.split()[0], path, token, raw=raw, content_type=content_type)
        assert_documented(operation, response)
        if response.status_code >= 400:
            assert counts() == before

    check()


def test_any_idempotency_key_or_authorization_header_gets_a_documented_answer(client, session, token):
    @SETTINGS
    @given(key=st.one_of(st.none(), keys),
           authorization=st.one_of(st.just(None), st.text(st.characters(min_codepoint=32, max_codepoint=255),
                                                          max_size=60)),
           body=st.sampled_from([{"type": "leave", "mobile": "13900000003", "left_on": "2026-03-01"},
                                 {"type": "hire", "mobile": "13911112222", "real_name": "张伟", "post": "收银员",
                                  "start_date": "2026-03-01"}]))
    def check(key, authorization, body):
        before = counts()
        headers = {} if authorization is None else {"Authorization": authorization}
        response = send(client, "POST", "/events", token, body=body, key=key, headers=headers)
        assert_documented("POST /events", response)
        if authorization is not None and authorization.strip() != f"Bearer {token}":
            assert response.status_code == 401
        if response.status_code != 201:
            assert counts() == before

    check()


# A URL carries UTF-8 bytes, which cannot spell a lone surrogate (the test client could not even encode one, in a
# query value or in the path's mobile);
# NUL and every other code point can be sent, percent-encoded.
query_values = st.one_of(st.sampled_from(["1", "2", "100", "101", "0", "-1", "active", "left", "all", "open",
                                          "overdue", "compliant", ""]),
                         st.text(st.characters(exclude_categories=("Cs",)), max_size=12))


def test_any_query_string_gets_a_documented_answer(client, session, token):
    @SETTINGS
    @given(operation=st.sampled_from(["GET /employees", "GET /assignments", "GET /employees/{mobile}"]),
           query=st.lists(st.tuples(st.sampled_from(["status", "standing", "page", "per_page", "mobile", "sort", ""]),
                                    query_values), max_size=4),
           mobile=mobiles.filter(lambda m: isinstance(m, str) and m.strip(" ./") != "" and "/" not in m
                                 and "%" not in m and not any("\ud800" <= c <= "\udfff" for c in m)))
    def check(operation, query, mobile):
        path = operation.split()[1].replace("{mobile}", quote(mobile, safe=""))
        response = client.get(f"/api/v1{path}", query_string=query, headers={"Authorization": f"Bearer {token}"})
        assert_documented(operation, response)
        if response.status_code == 200 and operation != "GET /employees/{mobile}":
            page = response.get_json()
            assert len(page["items"]) <= page["per_page"]

    check()


@pytest.mark.parametrize("raw", ["status=%ED%A0%80", "mobile=%FF%FE", "standing=%00", "page=1%00", "sort=%C0%AF"])
@pytest.mark.parametrize("operation", ["GET /employees", "GET /assignments"])
def test_bytes_no_text_can_hold_in_a_query_string_get_a_documented_answer(client, session, token, raw, operation):
    """Invalid UTF-8 (an encoded surrogate, stray bytes, an overlong slash) and NUL, sent as a browser would."""
    response = client.get(f"/api/v1{operation.split()[1]}?{raw}", headers={"Authorization": f"Bearer {token}"})
    assert_documented(operation, response)
    assert response.status_code in (200, 400, 422)


UNSTORABLE = [
    # (method, path, operation, JSON text): NUL, which PostgreSQL refuses in text, and an unpaired surrogate
    # escape, valid JSON syntax that decodes to a string no UTF-8 encoder accepts.
    ("PUT", "/employees/13911110000", "PUT /employees/{mobile}", '{"real_name": "张\\u0000伟", "post": "收银员"}'),
    ("PUT", "/employees/13911110000", "PUT /employees/{mobile}", '{"real_name": "张伟", "post": "收\\u0000银员"}'),
    ("POST", "/events", "POST /events", '{"type": "hire", "mobile": "13911110002", "real_name": "张伟", "post": "收银员", '
                                        '"start_date": "2026-03-01", "groups": ["all_staff\\u0000"]}'),
    ("PUT", "/employees/13911110000", "PUT /employees/{mobile}", '{"real_name": "张\\udfe0伟", "post": "收银员"}'),
    ("POST", "/events", "POST /events", '{"type": "leave", "mobile": "13900000001", "left_on": "2026-03-01", "\\ud800": 1}'),
]


@pytest.mark.parametrize("method, path, operation, text", UNSTORABLE,
    ids=["nul-in-name", "nul-in-post", "nul-in-group", "surrogate-in-name", "surrogate-as-field-name"])
def test_text_the_database_cannot_store_gets_a_clean_answer(client, session, token, method, path, operation, text):
    before = counts()
    response = send(client, method, path, token, raw=text.encode("utf-8"))
    assert_documented(operation, response)
    if response.status_code >= 400:
        assert counts() == before
