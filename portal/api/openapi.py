"""The OpenAPI 3.1 description of the HR API, and the request-body check that follows from it.

The request schemas below are the one definition of a valid body: check() enforces them with
precise messages, /api/v1/openapi.json publishes them, and the tests validate every response
against the response schemas.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Any

from portal.domain.validators import EARLIEST_DATE, LATEST_DATE, is_plausible_date

ERROR_CODES = (
    "invalid_json", "unsupported_media_type", "payload_too_large", "idempotency_key_missing",
    "idempotency_key_invalid", "idempotency_conflict", "employed_elsewhere", "invalid_parameter", "missing_field",
    "unknown_field",
    "wrong_type", "invalid_value", "validation_failed", "unknown_post", "unauthorized", "not_found", "method_not_allowed",
    "rate_limited", "internal_error",
)
STANDINGS = ("compliant", "due_soon", "overdue", "never_trained", "left")
ASSIGNMENT_FILTERS = ("open", "completed", "closed", "overdue")
EMPLOYEE_FILTERS = ("active", "left", "all")
PER_PAGE_MAX = 100


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


DATE = {"type": "string", "format": "date", "description": "ISO date, such as 2026-03-01."}
NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}
NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
MOBILE_IN = {"type": "string", "minLength": 1, "maxLength": 20,
             "description": "Mainland China mobile number (11 digits, 13 to 19); +86, spaces and dashes are ignored."}
GROUPS_IN = {"type": "array", "maxItems": 20, "items": {"type": "string", "minLength": 1, "maxLength": 40},
             "description": "Key group codes (all_staff is always added)."}
POST_IN = {"type": "string", "maxLength": 100,
           "description": "The post, by its name or another name in the district's post catalogue (GET /posts); "
                          "some posts carry their own courses. A post the catalogue does not know is refused "
                          "(unknown_post)."}


def _object(properties: dict, required: tuple[str, ...] = (), description: str = "") -> dict:
    schema = {"type": "object", "additionalProperties": False, "properties": properties, "required": list(required)}
    if description:
        schema["description"] = description
    return schema


def _event(kind: str, properties: dict, required: tuple[str, ...], description: str) -> dict:
    return _object({"type": {"type": "string", "const": kind}, "mobile": MOBILE_IN, **properties},
                   ("type", "mobile", *required), description)


SCHEMAS: dict[str, dict] = {
    "Error": _object({"error": _object({
        "code": {"type": "string", "enum": list(ERROR_CODES)},
        "message": {"type": "string", "description": "What is wrong, in English, precise enough to fix it."},
        "field": {"type": "string", "description": "The body field, path or query parameter at fault."},
    }, ("code", "message"))}, ("error",)),
    "EmployeeInput": _object({
        "real_name": {"type": "string", "minLength": 1, "maxLength": 50},
        "post": POST_IN,
        "start_date": NULLABLE_DATE,
        "groups": GROUPS_IN,
        "id_number": {"type": ["string", "null"], "maxLength": 18, "writeOnly": True,
                      "description": "18-character resident ID number; null or absent keeps the one on file."},
    }, ("real_name", "post"), "The whole record of one person (groups default to all_staff)."),
    "HireEvent": _event("hire", {
        "real_name": {"type": "string", "minLength": 1, "maxLength": 50}, "post": POST_IN, "start_date": DATE,
        "groups": GROUPS_IN, "id_number": {"type": ["string", "null"], "maxLength": 18, "writeOnly": True},
    }, ("real_name", "post", "start_date"), "A hire (or re-hire of someone who left): onboarding is assigned."),
    "TransferEvent": _event("transfer", {
        "post": {**POST_IN, "minLength": 1}, "effective_on": DATE,
        "groups": {**GROUPS_IN, "description": "The key groups of the new post; absent keeps the current ones."},
    }, ("post", "effective_on"), "A move to a new post: its training is due before it starts."),
    "LeaveEvent": _event("leave", {"left_on": DATE}, ("left_on",),
                         "The person leaves: open training closes, history is kept."),
    "Event": {
        "oneOf": [_ref("HireEvent"), _ref("TransferEvent"), _ref("LeaveEvent")],
        "discriminator": {"propertyName": "type", "mapping": {
            "hire": "#/components/schemas/HireEvent", "transfer": "#/components/schemas/TransferEvent",
            "leave": "#/components/schemas/LeaveEvent"}},
    },
    "Employee": _object({
        "mobile": {"type": "string", "pattern": "^1[3-9][0-9]{9}$"},
        "real_name": {"type": "string"},
        "post": {"type": "string"},
        "groups": {"type": "array", "items": {"type": "string"}},
        "start_date": NULLABLE_DATE,
        "status": {"type": "string", "enum": ["active", "left"]},
        "left_on": NULLABLE_DATE,
        "standing": {"type": "string", "enum": list(STANDINGS)},
        "open_assignments": {"type": "integer", "minimum": 0},
        "next_due_on": NULLABLE_DATE,
    }, ("mobile", "real_name", "post", "groups", "start_date", "status", "left_on", "standing", "open_assignments",
        "next_due_on")),
    "Course": _object({"code": {"type": "string"}, "title_zh": {"type": "string"}, "title_en": {"type": "string"}},
                      ("code", "title_zh", "title_en")),
    "Assignment": _object({
        "id": {"type": "integer"},
        "mobile": {"type": "string"},
        "course": _ref("Course"),
        "status": {"type": "string", "enum": ["open", "completed", "closed"]},
        "due_on": NULLABLE_DATE,
        "overdue": {"type": "boolean", "description": "Open and past its due date."},
        "overdue_since": NULLABLE_DATE,
        "rule": {"type": "string", "description": "The training rule that made it due, e.g. onboarding, group:grid_worker."},
        "legal_basis": {"type": "string"},
        "closed_reason": {"type": ["string", "null"]},
        "created_at": {"type": "string", "format": "date-time"},
        "closed_at": NULLABLE_TIME,
    }, ("id", "mobile", "course", "status", "due_on", "overdue", "overdue_since", "rule", "legal_basis",
        "closed_reason", "created_at", "closed_at")),
    "Post": _object({
        "name": {"type": "string", "description": "The catalogue's name; the API answers with it."},
        "other_names": {"type": "array", "items": {"type": "string"}, "description": "Accepted as the same post."},
        "courses": {"type": "array", "items": {"type": "string"},
                    "description": "Course codes required before working in the post."},
    }, ("name", "other_names", "courses")),
    "PostList": _object({"items": {"type": "array", "items": _ref("Post")}}, ("items",)),
    "EventResult": _object({
        "type": {"type": "string", "enum": ["hire", "transfer", "leave"]},
        "employee": _ref("Employee"),
        "opened": {"type": "array", "items": _ref("Assignment"), "description": "Assignments the event opened."},
        "closed": {"type": "array", "items": _ref("Assignment"), "description": "Assignments the event closed."},
    }, ("type", "employee", "opened", "closed")),
}


def _page_of(item: str) -> dict:
    return _object({"items": {"type": "array", "items": _ref(item)}, "page": {"type": "integer", "minimum": 1},
                    "per_page": {"type": "integer", "minimum": 1, "maximum": PER_PAGE_MAX},
                    "total": {"type": "integer", "minimum": 0}}, ("items", "page", "per_page", "total"))


SCHEMAS["EmployeeList"] = _page_of("Employee")
SCHEMAS["AssignmentList"] = _page_of("Assignment")


RATE_HEADERS = {
    "X-RateLimit-Limit": {"description": "Requests allowed per window.", "schema": {"type": "integer"}},
    "X-RateLimit-Remaining": {"description": "Requests left in this window.", "schema": {"type": "integer"}},
    "X-RateLimit-Reset": {"description": "When the window resets (Unix time).", "schema": {"type": "integer"}},
    "Retry-After": {"description": "Seconds until the window resets.", "schema": {"type": "integer"}},
}


def _error(description: str, headers: dict | None = None) -> dict:
    return {"description": description, "headers": {**RATE_HEADERS, **(headers or {})},
            "content": {"application/json": {"schema": _ref("Error")}}}


RESPONSES = {
    "BadRequest": _error("Malformed request: not JSON, a missing or invalid Idempotency-Key, or a bad query or "
                         "path parameter (code invalid_json, idempotency_key_missing, idempotency_key_invalid, "
                         "invalid_parameter)."),
    "Unauthorized": _error("No token, an unknown token or a revoked token.",
                           {"WWW-Authenticate": {"description": "The Bearer challenge (RFC 6750).",
                                                 "schema": {"type": "string"}}}),
    "NotFound": _error("No such person on your organization's roster."),
    "Conflict": _error("The Idempotency-Key was already used for a different request (idempotency_conflict), or "
                       "the person is employed at another organization and the office allows no second jobs "
                       "(employed_elsewhere): that employer releases them first, or the person confirms the move "
                       "from their own account."),
    "PayloadTooLarge": _error("The body is larger than 64 KiB."),
    "UnsupportedMediaType": _error("The body is not sent as application/json."),
    "Unprocessable": _error("The body breaks the schema (missing_field, unknown_field, wrong_type, invalid_value) "
                            "or a roster rule (validation_failed), or names a post the catalogue does not know "
                            "(unknown_post: see GET /posts); nothing was changed."),
    "TooManyRequests": _error("Too many requests for this token; wait for Retry-After seconds."),
    "InternalError": _error("Unexpected error; nothing was changed. Retry with the same Idempotency-Key."),
}

PARAMETERS = {
    "IdempotencyKey": {"name": "Idempotency-Key", "in": "header", "required": True,
                       "description": "1 to 100 visible ASCII characters, unique per change (a UUID). A retry with "
                                      "the same key and body replays the first answer.",
                       "schema": {"type": "string", "minLength": 1, "maxLength": 100}},
    "Mobile": {"name": "mobile", "in": "path", "required": True, "description": "The person's mobile number.",
               "schema": {"type": "string"}},
    "Page": {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
    "PerPage": {"name": "per_page", "in": "query",
                "schema": {"type": "integer", "minimum": 1, "maximum": PER_PAGE_MAX, "default": 50}},
}

REPLAY_HEADERS = {**RATE_HEADERS, "Idempotent-Replayed": {
    "description": "true when this is the stored answer to an earlier request with the same key.",
    "schema": {"type": "string", "enum": ["true"]}}}


def _ok(description: str, schema: str, headers: dict | None = None) -> dict:
    return {"description": description, "headers": headers or RATE_HEADERS,
            "content": {"application/json": {"schema": _ref(schema)}}}


def _errors(*codes: str) -> dict:
    names = {"400": "BadRequest", "401": "Unauthorized", "404": "NotFound", "409": "Conflict",
             "413": "PayloadTooLarge", "415": "UnsupportedMediaType", "422": "Unprocessable",
             "429": "TooManyRequests", "500": "InternalError"}
    return {code: {"$ref": f"#/components/responses/{names[code]}"} for code in (*codes, "401", "429", "500")}


def _ref_parameter(name: str) -> dict:
    return {"$ref": f"#/components/parameters/{name}"}


def _body(schema: str) -> dict:
    return {"required": True, "content": {"application/json": {"schema": _ref(schema)}}}


PATHS = {
    "/employees": {"get": {
        "operationId": "listEmployees", "tags": ["employees"], "summary": "List the roster",
        "parameters": [
            {"name": "status", "in": "query", "description": "Active staff (default), people who left, or all.",
             "schema": {"type": "string", "enum": list(EMPLOYEE_FILTERS), "default": "active"}},
            {"name": "standing", "in": "query", "description": "Only active people with this training standing.",
             "schema": {"type": "string", "enum": list(STANDINGS[:-1])}},
            _ref_parameter("Page"), _ref_parameter("PerPage")],
        "responses": {"200": _ok("One page of the roster, by name.", "EmployeeList"), **_errors("400")},
    }},
    "/employees/{mobile}": {
        "parameters": [_ref_parameter("Mobile")],
        "get": {"operationId": "getEmployee", "tags": ["employees"], "summary": "Read one person",
                "responses": {"200": _ok("The person.", "Employee"), **_errors("400", "404")}},
        "put": {"operationId": "upsertEmployee", "tags": ["employees"], "summary": "Create or update one person",
                "description": "Creates the person (a hire: onboarding is assigned) when the mobile is not on the "
                               "roster, otherwise replaces their details (not a transfer: no transfer training). "
                               "To re-hire someone who left, post a hire event.",
                "parameters": [_ref_parameter("IdempotencyKey")], "requestBody": _body("EmployeeInput"),
                "responses": {"200": _ok("Updated.", "Employee", REPLAY_HEADERS),
                              "201": _ok("Created (hired).", "Employee", REPLAY_HEADERS),
                              **_errors("400", "409", "413", "415", "422")}},
    },
    "/events": {"post": {
        "operationId": "recordEvent", "tags": ["events"], "summary": "Record a hire, transfer or leave",
        "parameters": [_ref_parameter("IdempotencyKey")], "requestBody": _body("Event"),
        "responses": {"201": _ok("Recorded; the assignments it opened or closed.", "EventResult", REPLAY_HEADERS),
                      **_errors("400", "404", "409", "413", "415", "422")},
    }},
    "/assignments": {"get": {
        "operationId": "listAssignments", "tags": ["assignments"], "summary": "Training assignments and their status",
        "parameters": [
            {"name": "mobile", "in": "query", "description": "Only this person's assignments.",
             "schema": {"type": "string"}},
            {"name": "status", "in": "query", "description": "overdue: open and past the due date.",
             "schema": {"type": "string", "enum": list(ASSIGNMENT_FILTERS)}},
            _ref_parameter("Page"), _ref_parameter("PerPage")],
        "responses": {"200": _ok("One page of assignments, oldest first.", "AssignmentList"), **_errors("400", "404")},
    }},
    "/posts": {"get": {
        "operationId": "listPosts", "tags": ["posts"], "summary": "The district's post catalogue",
        "description": "Every post a roster may name, with the other names accepted for it.",
        "responses": {"200": _ok("The catalogue, by name.", "PostList"), **_errors()},
    }},
    "/openapi.json": {"get": {
        "operationId": "openapi", "tags": ["meta"], "summary": "This document", "security": [],
        "responses": {"200": {"description": "The OpenAPI document.",
                              "content": {"application/json": {"schema": {"type": "object"}}}}},
    }},
}

DESCRIPTION = """\
For HR systems: push hires, transfers and departures to the Fire Safety Training Portal and read
who must train, by when and why.

* **Authentication**: `Authorization: Bearer <token>`. An organization's administrator creates and
  revokes tokens on the portal (Company > HR API); a token sees only its own organization.
* **Idempotency**: every PUT and POST needs an `Idempotency-Key` header. Repeating a request with
  the same key replays the first answer (header `Idempotent-Replayed: true`); the same key with a
  different request answers 409. Refused requests change nothing and are not remembered.
* **Errors**: JSON `{"error": {"code", "message", "field"}}`; see the Error schema for the codes.
* **Rate limit**: 120 requests a minute per token; 429 with Retry-After beyond it.
"""

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Fire Safety Training Portal HR API", "version": "1.0.0", "description": DESCRIPTION},
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearerAuth": []}],
    "tags": [{"name": "employees"}, {"name": "events"}, {"name": "assignments"}, {"name": "posts"},
             {"name": "meta"}],
    "paths": PATHS,
    "components": {
        "schemas": SCHEMAS, "responses": RESPONSES, "parameters": PARAMETERS,
        "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                           "description": "A token from Company > HR API, starting fstp_."}},
    },
}


def document() -> dict[str, Any]:
    """The OpenAPI document served at /api/v1/openapi.json."""
    return DOCUMENT


# --- checking request bodies against the schemas ---------------------------------------------

class SchemaViolation(Exception):
    """A request body that breaks its schema: a code, an English message and the field at fault."""

    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.code, self.message, self.field = code, message, field


DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PYTHON_TYPES = {"string": str, "array": list, "object": dict, "boolean": bool}


def check(body: Any, schema_name: str) -> dict[str, Any]:
    """Check a JSON body against one of SCHEMAS; returns its values with dates parsed."""
    return _check(body, SCHEMAS[schema_name], "")


def _resolve(schema: dict) -> dict:
    while "$ref" in schema:
        schema = SCHEMAS[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _check(value: Any, schema: dict, path: str) -> Any:
    schema = _resolve(schema)
    if "discriminator" in schema:
        return _check_variant(value, schema, path)
    _check_type(value, schema, path)
    if value is None:
        return None
    if "const" in schema and value != schema["const"]:
        raise SchemaViolation("invalid_value", f"'{path}' must be {schema['const']!r}.", path)
    if "enum" in schema and value not in schema["enum"]:
        raise SchemaViolation("invalid_value", f"'{path}' must be one of: {', '.join(schema['enum'])}.", path)
    if isinstance(value, str):
        return _check_string(value, schema, path)
    if isinstance(value, list):
        if len(value) > schema.get("maxItems", len(value)):
            raise SchemaViolation("invalid_value", f"'{path}' may have at most {schema['maxItems']} items.", path)
        return [_check(item, schema["items"], f"{path}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, dict):
        return _check_object(value, schema, path)
    return value


def _check_type(value: Any, schema: dict, path: str) -> None:
    types = schema.get("type")
    if types is None:
        return
    types = [types] if isinstance(types, str) else types
    if value is None and "null" in types:
        return
    if any(t in PYTHON_TYPES and isinstance(value, PYTHON_TYPES[t]) for t in types):
        return
    if "integer" in types and isinstance(value, int) and not isinstance(value, bool):
        return
    if path == "":
        raise SchemaViolation("invalid_json", "The request body must be a JSON object.")
    raise SchemaViolation("wrong_type", f"'{path}' must be {_describe(schema, types)}, not {_json_type(value)}.", path)


def _describe(schema: dict, types: list[str]) -> str:
    if schema.get("format") == "date":
        words = ["a date such as 2026-03-01"]
    else:
        items = schema.get("items", {}).get("type")
        words = [{"string": "a string", "integer": "a whole number", "boolean": "true or false",
                  "array": f"an array of {items}s" if items else "an array", "object": "an object"}[t]
                 for t in types if t != "null"]
    return " or ".join(words + (["null"] if "null" in types else []))


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return {str: "a string", list: "an array", dict: "an object"}[type(value)]


def _check_string(value: str, schema: dict, path: str) -> Any:
    if len(value) < schema.get("minLength", 0):
        raise SchemaViolation("invalid_value", f"'{path}' must not be empty.", path)
    if len(value) > schema.get("maxLength", len(value)):
        raise SchemaViolation("invalid_value", f"'{path}' must have at most {schema['maxLength']} characters.", path)
    if schema.get("format") == "date":
        if not DATE_PATTERN.match(value):
            raise SchemaViolation("invalid_value", f"'{path}' must be a date in the form YYYY-MM-DD, such as "
                                                   f"2026-03-01, not {value!r}.", path)
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise SchemaViolation("invalid_value", f"'{path}' is not a real date: {value}.", path) from None
        if not is_plausible_date(day):
            raise SchemaViolation("invalid_value", f"'{path}' must be a date from {EARLIEST_DATE} to {LATEST_DATE}, "
                                                   f"not {value}.", path)
        return day
    return value


def _check_object(value: dict, schema: dict, path: str) -> dict:
    properties = schema.get("properties", {})
    prefix = f"{path}." if path else ""
    for name in value:
        if name not in properties:
            allowed = ", ".join(properties)
            raise SchemaViolation("unknown_field", f"Unknown field '{prefix}{name}'; the fields are: {allowed}.",
                                  prefix + name)
    for name in schema.get("required", ()):
        if name not in value:
            raise SchemaViolation("missing_field", f"'{prefix}{name}' is required.", prefix + name)
    return {name: _check(item, properties[name], prefix + name) for name, item in value.items()}


def _check_variant(value: Any, schema: dict, path: str) -> Any:
    _check_type(value, {"type": "object"}, path)
    discriminator = schema["discriminator"]
    name, mapping = discriminator["propertyName"], discriminator["mapping"]
    if name not in value:
        raise SchemaViolation("missing_field", f"'{name}' is required: one of {', '.join(mapping)}.", name)
    kind = value[name]
    if not isinstance(kind, str) or kind not in mapping:
        shown = repr(kind) if isinstance(kind, str) else _json_type(kind)
        raise SchemaViolation("invalid_value", f"'{name}' must be one of: {', '.join(mapping)}, not {shown}.", name)
    return _check(value, {"$ref": mapping[kind]}, path)
