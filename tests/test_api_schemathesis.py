"""schemathesis against /api/v1/openapi.json, in process on the app's WSGI callable: for every operation,
requests generated from the document (valid ones and ones that break it) never get a 500, and every
response conforms to the document (status, content type, headers, body schema).

Kept small (a few dozen examples per operation) so it fits in `make test`; raise MAX_EXAMPLES to dig.
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from portal import create_app
from tests.test_api_fuzz import ON_ROSTER, open_api_account

MAX_EXAMPLES = 30


@pytest.fixture
def app_config():
    return {"API_RATE_LIMIT": "1000000 per minute", "API_AUTH_FAILURE_LIMIT": "1000000 per minute"}


# The document is read from the served /api/v1/openapi.json of an app made for that alone (at collection,
# when no test database exists yet); each test then sends its cases to the test's own app (a fresh
# database). schemathesis.pytest.from_fixture would do this lazily but fails under pytest 9
# (it sets Function._nodeid, which pytest 9 no longer has).
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"}))


# The document gives mobile numbers as free strings (+86, spaces and dashes are allowed), so nearly every
# generated one is refused before anything else is looked at. Half the time, put in a real-looking one,
# or one of the people on the roster, so generated requests also get past that check.
MOBILES = st.one_of(st.sampled_from(ON_ROSTER), st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    if "mobile" not in (path_parameters or {}):
        return st.just(path_parameters)
    return st.one_of(st.just(path_parameters), MOBILES.map(lambda m: {**path_parameters, "mobile": m}))


@schema.hook
def flatmap_body(context, body):
    if not isinstance(body, dict) or "mobile" not in body:
        return st.just(body)
    return st.one_of(st.just(body), MOBILES.map(lambda m: {**body, "mobile": m}))


@schema.hook
def flatmap_headers(context, headers):
    if not headers or "Idempotency-Key" not in headers:
        return st.just(headers)
    return st.one_of(st.just(headers), st.uuids().map(lambda key: {**headers, "Idempotency-Key": str(key)}))


@pytest.fixture
def token(session) -> str:
    return open_api_account(session)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture])
def test_the_api_answers_as_its_document_says(case, app, token):
    # identity: the WSGI transport hands schemathesis the body as sent, and flask-compress would compress it
    case.call_and_validate(app=app, headers={"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"},
                           checks=[not_a_server_error, response_schema_conformance])
