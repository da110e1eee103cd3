"""The OpenAPI 3.1 description of the HR API.

The request schemas and parameters come from the models the views validate with (portal.api.schemas), so
the document cannot promise what the API refuses; the prose, the responses and the error codes are written
here. The served document also lists the key group codes the portal knows (data the office may add to).
"""
from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from portal.api import schemas
from portal.domain.workforce import compliance
from portal.domain.platform.idempotency import KEY_MAX, KEY_PATTERN
from portal.domain.platform.validators import MOBILE_PATTERN

ERROR_CODES = (
    "invalid_json", "unsupported_media_type", "payload_too_large", "idempotency_key_missing",
    "idempotency_key_invalid", "idempotency_conflict", "employed_elsewhere", "invalid_parameter", "missing_field",
    "unknown_field",
    "wrong_type", "invalid_value", "validation_failed", "unknown_post", "unauthorized", "not_found", "method_not_allowed",
    "rate_limited", "internal_error",
)
STANDINGS = (*compliance.STATUSES, "left")


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}
NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}


def _object(properties: dict, required: tuple[str, ...] = (), description: str = "") -> dict:
    schema = {"type": "object", "additionalProperties": False, "properties": properties, "required": list(required)}
    if description:
        schema["description"] = description
    return schema


SCHEMAS: dict[str, dict] = {
    "Error": _object({"error": _object({
        "code": {"type": "string", "enum": list(ERROR_CODES)},
        "message": {"type": "string", "description": "What is wrong, in English, precise enough to fix it."},
        "field": {"type": "string", "description": "The body field, path or query parameter at fault."},
    }, ("code", "message"))}, ("error",)),
    "Employee": _object({
        "mobile": {"type": "string", "pattern": MOBILE_PATTERN.pattern},
        "real_name": {"type": "string"},
        "post": {"type": "string"},
        "department": {"type": "string", "description": "The person's department here; empty when none is recorded."},
        "groups": {"type": "array", "items": {"type": "string"}},
        "start_date": NULLABLE_DATE,
        "status": {"type": "string", "enum": ["active", "left"]},
        "left_on": NULLABLE_DATE,
        "standing": {"type": "string", "enum": list(STANDINGS)},
        "open_assignments": {"type": "integer", "minimum": 0},
        "next_due_on": dict(NULLABLE_DATE, description=(
            "The earliest due date of an open assignment; with none open, the day the first of the person's valid "
            "trainings expires (its renewal falls due then); null when neither exists. The roster page's 'next due'.")),
    }, ("mobile", "real_name", "post", "department", "groups", "start_date", "status", "left_on", "standing", "open_assignments",
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
    "Commitment": _object({
        "mobile": {"type": "string"},
        "real_name": {"type": "string"},
        "role": {"type": "string", "description": "The role that signs, e.g. responsible_person, safety_manager."},
        "role_label": {"type": "string", "description": "The role in words (English)."},
        "status": {"type": "string", "enum": ["to_sign", "expired", "training_first", "signed"]},
        "signed_at": NULLABLE_TIME,
        "valid_until": dict(NULLABLE_DATE, description="Signed: the day the commitment lapses with the training "
                                                       "behind it (null: as long as that training, which has no "
                                                       "expiry)."),
        "courses_missing": {"type": "array", "items": {"type": "string"},
                            "description": "training_first: the course codes still to complete."},
    }, ("mobile", "real_name", "role", "role_label", "status", "signed_at", "valid_until", "courses_missing")),
    "Drill": _object({
        "id": {"type": "integer"},
        "held_on": {"type": "string", "format": "date"},
        "kind": {"type": "string", "enum": list(schemas.DRILL_KINDS)},
        "scenario": {"type": "string"}, "places": {"type": "string"},
        "duration_minutes": {"type": ["integer", "null"]},
        "participants": {"type": "integer", "minimum": 0, "description": "People recorded as taking part."},
        "next_drill_due": {"type": "string", "format": "date",
                           "description": "The organization's next drill falls due on this day (the rules' "
                                          "interval for its kind, from its last drill)."},
    }, ("id", "held_on", "kind", "scenario", "places", "duration_minutes", "participants", "next_drill_due")),
    "CommitmentList": _object({
        "items": {"type": "array", "items": _ref("Commitment")},
        "counts": _object({status: {"type": "integer", "minimum": 0}
                           for status in ("to_sign", "expired", "training_first", "signed")},
                          ("to_sign", "expired", "training_first", "signed")),
    }, ("items", "counts")),
    "EventResult": _object({
        "type": {"type": "string", "enum": ["hire", "transfer", "leave"]},
        "employee": _ref("Employee"),
        "opened": {"type": "array", "items": _ref("Assignment"), "description": "Assignments the event opened."},
        "closed": {"type": "array", "items": _ref("Assignment"), "description": "Assignments the event closed."},
    }, ("type", "employee", "opened", "closed")),
}


def _page_of(item: str) -> dict:
    return _object({"items": {"type": "array", "items": _ref(item)}, "page": {"type": "integer", "minimum": 1},
                    "per_page": {"type": "integer", "minimum": 1, "maximum": schemas.PER_PAGE_MAX},
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
    "Unprocessable": _error("The body breaks the schema (missing_field, unknown_field, wrong_type, invalid_value), "
                            "or a roster rule (validation_failed: the person is already on the roster or has left, "
                            "the ID number is someone else's, a key group the portal does not know), or names a "
                            "post the catalogue does not know (unknown_post: see GET /posts); nothing was changed. "
                            "The roster, the catalogue and the key groups are data: a request the schemas allow "
                            "can still meet these."),
    "TooManyRequests": _error("Too many requests for this token; wait for Retry-After seconds."),
    "InternalError": _error("Unexpected error; nothing was changed. Retry with the same Idempotency-Key."),
}

IDEMPOTENCY_KEY = {"name": "Idempotency-Key", "in": "header", "required": True,
                   "description": f"1 to {KEY_MAX} visible ASCII characters, unique per change (a UUID). A retry "
                                  "with the same key and body replays the first answer.",
                   "schema": {"type": "string", "minLength": 1, "maxLength": KEY_MAX, "pattern": KEY_PATTERN.pattern}}
PARAMETERS = {"IdempotencyKey": IDEMPOTENCY_KEY}

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


def parameters(model: type[BaseModel], where: str) -> list[dict]:
    """The path or query parameters of a model, each field's schema as the model states it."""
    schema = schemas.json_schema(model)
    found = []
    for name, field in schema["properties"].items():
        field = dict(field)
        parameter = {"name": name, "in": where, "required": name in schema.get("required", ())}
        if "description" in field:
            parameter["description"] = field.pop("description")
        found.append({**parameter, "schema": field})
    return found


BODIES = {"EmployeeInput": schemas.EmployeeInput, "Event": schemas.Event, "DrillInput": schemas.DrillInput}


def _body(name: str) -> dict:
    return {"required": True, "content": {"application/json": {"schema": _ref(name)}}}


PATHS = {
    "/employees": {"get": {
        "operationId": "listEmployees", "tags": ["employees"], "summary": "List the roster",
        "parameters": parameters(schemas.EmployeeFilter, "query"),
        "responses": {"200": _ok("One page of the roster, by name.", "EmployeeList"), **_errors("400")},
    }},
    "/employees/{mobile}": {
        "parameters": parameters(schemas.EmployeePath, "path"),
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
        "parameters": parameters(schemas.AssignmentFilter, "query"),
        "responses": {"200": _ok("One page of assignments, oldest first.", "AssignmentList"), **_errors("400", "404")},
    }},
    "/posts": {"get": {
        "operationId": "listPosts", "tags": ["posts"], "summary": "The district's post catalogue",
        "description": "Every post a roster may name, with the other names accepted for it.",
        "responses": {"200": _ok("The catalogue, by name.", "PostList"), **_errors("400")},
    }},
    "/drills": {"post": {
        "operationId": "recordDrill", "tags": ["drills"], "summary": "Record a fire drill held",
        "description": "A drill already held, with who took part (by mobile). The organization's drill schedule "
                       "counts from it; follow-up actions and photos are added on the portal.",
        "parameters": [_ref_parameter("IdempotencyKey")], "requestBody": _body("DrillInput"),
        "responses": {"201": _ok("Recorded.", "Drill", REPLAY_HEADERS), **_errors("400", "409", "413", "415", "422")},
    }},
    "/commitments": {"get": {
        "operationId": "listCommitments", "tags": ["commitments"], "summary": "Duty commitments (履职承诺) and who has signed",
        "description": "Every role holder on the active roster who must sign a duty commitment, where they stand "
                       "today (the company's Commitments page), by standing then name; counts of the whole roster.",
        "parameters": parameters(schemas.CommitmentFilter, "query"),
        "responses": {"200": _ok("The role holders and their commitments.", "CommitmentList"), **_errors("400")},
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



def request_schemas() -> dict[str, dict]:
    """The components the request bodies refer to, from their models (the events' variants included)."""
    found = {}
    for name, model in BODIES.items():
        schema = copy.deepcopy(schemas.json_schema(model))
        found.update(schema.pop("$defs", {}))
        found[name] = schema
    return found


def _with_group_codes(components: dict[str, dict], codes: Sequence[str]) -> None:
    """List the portal's key group codes (data the office may add to) in every `groups` of a request body."""
    for schema in components.values():
        groups = schema.get("properties", {}).get("groups")
        if groups is not None:
            groups["items"]["enum"] = list(codes)


def document(group_codes: Sequence[str] | None = None) -> dict[str, Any]:
    """The OpenAPI document served at /api/v1/openapi.json, with the key group codes the portal knows (without
    them, `groups` takes any code and the portal answers 422 for one it does not know)."""
    components = request_schemas()
    if group_codes is not None:
        _with_group_codes(components, group_codes)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Fire Safety Training Portal HR API", "version": "1.0.0", "description": DESCRIPTION},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}],
        "tags": [{"name": "employees"}, {"name": "events"}, {"name": "assignments"}, {"name": "posts"},
                 {"name": "drills"},
                 {"name": "commitments"}, {"name": "meta"}],
        "paths": copy.deepcopy(PATHS),
        "components": {
            "schemas": {**components, **copy.deepcopy(SCHEMAS)}, "responses": copy.deepcopy(RESPONSES),
            "parameters": copy.deepcopy(PARAMETERS),
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                               "description": "A token from Company > HR API, starting fstp_."}},
        },
    }
