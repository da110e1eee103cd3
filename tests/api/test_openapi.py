"""The OpenAPI document: valid OpenAPI 3.1, served without a token, and in step with the routes."""
from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate

from portal.api.openapi import SchemaViolation, check, document


def test_the_document_is_valid_openapi_3_1():
    validate(document())


def test_the_served_document_is_the_document(api):
    response = api.get("/openapi.json", token=None)
    assert response.json == document()


def test_every_route_is_documented_and_every_documented_path_exists(app):
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api_v1."):
            path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
            routes |= {(path, method.lower()) for method in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(path, method) for path, item in document()["paths"].items()
                  for method in item if method != "parameters"}
    assert routes == documented


def test_every_operation_documents_its_errors():
    for path, item in document()["paths"].items():
        for method, operation in item.items():
            if method == "parameters" or path == "/openapi.json":
                continue
            assert {"401", "429", "500"} <= set(operation["responses"]), (method, path)
            if method in ("put", "post"):
                assert {"400", "409", "413", "415", "422"} <= set(operation["responses"]), (method, path)


@pytest.mark.parametrize("body", [
    {"type": "hire", "mobile": "13900000000", "real_name": "张伟", "post": "", "start_date": "2026-03-01"},
    {"type": "transfer", "mobile": "13900000000", "post": "保安员", "effective_on": "2026-03-01", "groups": []},
    {"type": "leave", "mobile": "13900000000", "left_on": "2026-03-01"},
])
def test_check_accepts_what_the_schema_accepts(body):
    values = check(body, "Event")
    assert set(values) == set(body)


def test_check_parses_dates():
    assert str(check({"type": "leave", "mobile": "1", "left_on": "2026-03-01"}, "Event")["left_on"]) == "2026-03-01"


def test_check_reports_the_first_problem_with_its_path():
    with pytest.raises(SchemaViolation) as caught:
        check({"real_name": "x", "post": "y", "groups": [[]]}, "EmployeeInput")
    assert (caught.value.code, caught.value.field) == ("wrong_type", "groups[0]")
