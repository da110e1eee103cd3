"""The OpenAPI document: valid OpenAPI 3.1, served without a token, in step with the routes, and every
request schema the one the view validates with (portal.api.schemas), so the document and the API cannot drift."""
from __future__ import annotations

import re

import jsonschema_rs
import pytest
from openapi_spec_validator import validate
from sqlalchemy import select

from portal.api import parsing, schemas
from portal.api.openapi import document
from portal.api.parsing import SchemaViolation
from portal.domain.platform.idempotency import KEY_PATTERN
from portal.models import KeyGroup


def _codes(session) -> list[str]:
    return list(session.scalars(select(KeyGroup.code).order_by(KeyGroup.sort_order, KeyGroup.id)))


def test_the_document_is_valid_openapi_3_1(session):
    validate(document())
    validate(document(_codes(session)))


def test_the_served_document_is_the_document_with_the_portals_key_groups(api, session):
    session.add(KeyGroup(code="fire_marshal", name_zh="消防引导员", name_en="Fire marshals", sort_order=99))
    session.commit()
    served = api.get("/openapi.json", token=None).json
    assert served == document(_codes(session))
    for name in ("EmployeeInput", "HireEvent", "TransferEvent"):
        assert served["components"]["schemas"][name]["properties"]["groups"]["items"]["enum"][-1] == "fire_marshal"


def _api_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api_v1."):
            path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                yield path, method.lower(), app.view_functions[rule.endpoint]


def test_every_route_is_documented_and_every_documented_path_exists(app):
    routes = {(path, method) for path, method, _view in _api_routes(app)}
    documented = {(path, method) for path, item in document()["paths"].items()
                  for method in item if method != "parameters"}
    assert routes == documented


def test_every_operation_documents_its_errors():
    for path, item in document()["paths"].items():
        for method, operation in item.items():
            if method == "parameters" or path == "/openapi.json":
                continue
            assert {"400", "401", "429", "500"} <= set(operation["responses"]), (method, path)
            if method in ("put", "post"):
                assert {"409", "413", "415", "422"} <= set(operation["responses"]), (method, path)


def _expected_parameters(model, where: str) -> list[tuple]:
    if model is None:
        return []
    schema = schemas.json_schema(model)
    return [(name, where, name in schema.get("required", ()), {k: v for k, v in field.items() if k != "description"})
            for name, field in schema["properties"].items()]


def _documented_parameters(item: dict, operation: dict, where: str) -> list[tuple]:
    return [(p["name"], p["in"], p["required"], p["schema"])
            for p in (*item.get("parameters", ()), *operation.get("parameters", ())) if p.get("in") == where]


def _without_group_codes(schema: dict) -> dict:
    groups = schema.get("properties", {}).get("groups")
    if groups is not None:
        groups["items"].pop("enum")
    return schema


def test_every_request_schema_is_the_one_the_view_validates_with(app, session):
    """Path, query string and body of every operation: the served document states exactly the models the view
    checks the request against (plus the portal's key group codes, which are data)."""
    spec = document(_codes(session))
    components = spec["components"]["schemas"]
    for path, method, view in _api_routes(app):
        if path == "/openapi.json":
            continue
        accepts, item = view.accepts, spec["paths"][path]
        operation = item[method]
        assert _documented_parameters(item, operation, "path") == _expected_parameters(accepts["path"], "path")
        assert _documented_parameters(item, operation, "query") == _expected_parameters(accepts["query"], "query")
        if accepts["body"] is None:
            assert "requestBody" not in operation, (method, path)
            continue
        reference = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        expected = dict(schemas.json_schema(accepts["body"]))
        for name, schema in {reference.rsplit("/", 1)[1]: expected, **expected.pop("$defs", {})}.items():
            assert _without_group_codes(components[name]) == schema, (method, path, name)
        header = next(p for p in operation["parameters"] if p.get("$ref", "").endswith("/IdempotencyKey"))
        assert spec["components"]["parameters"]["IdempotencyKey"]["schema"]["pattern"] == KEY_PATTERN.pattern, header


# The patterns are read by several regex engines: Rust's (pydantic), ECMA's (clients, and schemathesis through
# jsonschema_rs), Python's (hypothesis). They use no shorthand classes (\s, \d), whose meaning differs between
# them; these values probe that. (Python's jsonschema lets `$` match before a final newline, unlike ECMA-262.)
EDGES = ["张伟", " 张伟 ", "   ", "\u3000", "\ufeff", "\x1c", "\x85", "\u200b", "a\n", "\n", "a\x00b", "x" * 51]
MOBILES = ["13900000001", "+86 139-0000-0001", "+ 8 6 13900000001", "13900000001\n", "１３９００００００01",
           "139٠0000001", "12900000001", "1390000000", "+86+8613900000001", ""]
DATES = ["2026-03-01", "1900-01-01", "2199-12-31", "1899-12-31", "2200-01-01", "2026-3-01", "2026-03-01\n",
         "２０２６-03-01", "20260301"]


@pytest.mark.parametrize("field, value", [*(("real_name", v) for v in EDGES), *(("mobile", v) for v in MOBILES),
                                          *(("start_date", v) for v in DATES)])
def test_the_document_and_the_model_agree_on_edge_values(session, field, value):
    body = {"type": "hire", "mobile": "13900000001", "real_name": "张伟", "post": "", "start_date": "2026-03-01",
            field: value}
    spec = document()
    schema = {**spec["components"]["schemas"]["HireEvent"], "components": spec["components"]}
    in_document = jsonschema_rs.Draft202012Validator(schema, validate_formats=True).is_valid(body)
    try:
        parsing.body(schemas.Event, body)
        in_model = True
    except SchemaViolation:
        in_model = False
    assert in_document == in_model


@pytest.mark.parametrize("body", [
    {"type": "hire", "mobile": "13900000000", "real_name": "张伟", "post": "", "start_date": "2026-03-01"},
    {"type": "transfer", "mobile": "13900000000", "post": "保安员", "effective_on": "2026-03-01", "groups": []},
    {"type": "leave", "mobile": "13900000000", "left_on": "2026-03-01"},
])
def test_an_event_is_checked_by_the_model_its_type_names(app, body):
    with app.test_request_context():
        values = parsing.body(schemas.Event, body)
    assert type(values).__name__.lower().startswith(body["type"]) and values.model_fields_set == set(body)


def test_checking_parses_dates_and_mobiles(app):
    with app.test_request_context():
        values = parsing.body(schemas.Event, {"type": "leave", "mobile": "+86 139-0000-0000", "left_on": "2026-03-01"})
    assert (str(values.left_on), values.mobile) == ("2026-03-01", "13900000000")


def test_checking_reports_the_first_problem_with_its_path(app):
    with app.test_request_context(), pytest.raises(SchemaViolation) as caught:
        parsing.body(schemas.EmployeeInput, {"real_name": "x", "post": "y", "groups": [[]], "nickname": 1})
    assert (caught.value.code, caught.value.field) == ("unknown_field", "nickname")
    with app.test_request_context(), pytest.raises(SchemaViolation) as caught:
        parsing.body(schemas.EmployeeInput, {"real_name": "x", "post": "y", "groups": [[]]})
    assert (caught.value.code, caught.value.field, caught.value.message) == (
        "wrong_type", "groups[0]", "'groups[0]' must be a string, not an array.")
