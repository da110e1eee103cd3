"""Reading an HR API request: the JSON body, then its path, query string and body checked against their models
(portal.api.schemas), every refusal a SchemaViolation with a precise English message and the field at fault."""
from __future__ import annotations

import json
from typing import Any

from flask import Request
from flask_babel import force_locale
from pydantic import BaseModel, TypeAdapter
from pydantic import ValidationError as PydanticError

from portal.api import schemas

MAX_BODY_BYTES = 64 * 1024


class SchemaViolation(Exception):
    """A request that breaks its schema: HTTP status, error code, English message, the field at fault."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


def _invalid_json(message: str, field: str | None = None) -> SchemaViolation:
    return SchemaViolation(400, "invalid_json", message, field)


# --- the body as JSON ------------------------------------------------------------------------------------------------

class _DuplicateField(ValueError):
    pass


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for name, value in pairs:
        if name in seen:
            raise _DuplicateField(name)
        seen[name] = value
    return seen


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not allowed in JSON")


def json_body(request: Request) -> dict[str, Any]:
    """The body as a JSON object, or a precise 400/413/415."""
    if request.mimetype != "application/json":
        raise SchemaViolation(415, "unsupported_media_type", "Send the body as JSON with the header "
                                                             "'Content-Type: application/json'.")
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise SchemaViolation(413, "payload_too_large",
                              f"The request body is larger than {MAX_BODY_BYTES // 1024} KiB.")
    request.max_content_length = MAX_BODY_BYTES  # also for bodies sent without a Content-Length (chunked)
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise _invalid_json("The request body is empty; send a JSON object.")
    try:
        body = json.loads(raw.decode("utf-8"), object_pairs_hook=_object_without_duplicates,
                          parse_constant=_refuse_constant)
    except UnicodeDecodeError:
        raise _invalid_json("The request body is not UTF-8 text.") from None
    except _DuplicateField as error:
        raise _invalid_json(f"The field '{error}' appears more than once.", str(error)) from None
    except json.JSONDecodeError as error:
        raise _invalid_json(f"The request body is not valid JSON: {error.msg} at line {error.lineno}, "
                            f"column {error.colno}.") from None
    except (ValueError, RecursionError) as error:
        raise _invalid_json(f"The request body is not valid JSON: {error or 'nested too deeply'}.") from None
    if not isinstance(body, dict):
        raise _invalid_json("The request body must be a JSON object.")
    _refuse_unstorable_text(body)
    return body


def _refuse_unstorable_text(value: Any, field: str | None = None) -> None:
    """NUL characters and unpaired surrogates are valid JSON but no database stores them: refuse them."""
    if isinstance(value, dict):
        for key, item in value.items():
            _refuse_unstorable_text(key, field)
            _refuse_unstorable_text(item, key)
    elif isinstance(value, list):
        for item in value:
            _refuse_unstorable_text(item, field)
    elif isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise _invalid_json("The request body holds an unpaired surrogate (\\ud800-\\udfff), which is not text.",
                                field) from None
        if "\x00" in value:
            raise _invalid_json("The request body holds a NUL character (\\u0000), which is not allowed in text.",
                                field)


# --- path, query string and body against their models --------------------------------------------------------------

def path(model: type[BaseModel], values: dict[str, str]) -> BaseModel:
    """Path parameters: a value that breaks the schema is a 400 invalid_parameter."""
    return _validate(model, values, status=400, code="invalid_parameter")


def query(model: type[BaseModel], args) -> BaseModel:
    """The query string (a MultiDict): unknown or repeated parameters and bad values are 400 invalid_parameter."""
    for name in args:
        if name in model.model_fields and len(args.getlist(name)) > 1:
            raise SchemaViolation(400, "invalid_parameter", f"Give the query parameter '{name}' only once.", name)
    return _validate(model, args.to_dict(), status=400, code="invalid_parameter")


def body(model: type[BaseModel] | TypeAdapter, value: dict[str, Any]) -> BaseModel:
    """A JSON body: what breaks the schema is a 422 (missing_field, unknown_field, wrong_type, invalid_value)."""
    if isinstance(model, TypeAdapter):  # the events: the type picks the model, and says so if it cannot
        kind = value.get("type")
        if "type" not in value:
            raise SchemaViolation(422, "missing_field", f"'type' is required: one of {', '.join(schemas.EVENT_TYPES)}.",
                                  "type")
        if not isinstance(kind, str) or kind not in schemas.EVENT_TYPES:
            shown = repr(kind) if isinstance(kind, str) else _json_type(kind)
            raise SchemaViolation(422, "invalid_value", f"'type' must be one of: {', '.join(schemas.EVENT_TYPES)}, "
                                                        f"not {shown}.", "type")
        model = schemas.EVENTS[schemas.EVENT_TYPES.index(kind)]
    return _validate(model, value, status=422, code=None)


def _validate(model: type[BaseModel], value: dict[str, Any], *, status: int, code: str | None) -> BaseModel:
    with force_locale("en"):  # the domain's messages, which some checks raise, in the API's language
        try:
            return model.model_validate(value)
        except PydanticError as error:
            problems = error.errors(include_url=False)
    first = min(problems, key=lambda problem: _rank(problem, list(value)))
    problem_code, message = _explain(first, model, parameters=code is not None)
    with force_locale("en"):
        message = str(message)
    raise SchemaViolation(status, code or problem_code, message, _path(first["loc"]))


def _rank(problem: dict, order: list[str]) -> tuple:
    """Unknown fields first, then missing ones, then the rest in the order the request gave them."""
    kind, name = problem["type"], problem["loc"][0] if problem["loc"] else ""
    group = 0 if kind == "extra_forbidden" else 1 if kind == "missing" else 2
    return group, order.index(name) if name in order else len(order), problem["loc"][1:]


def _path(loc: tuple) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _explain(problem: dict, model: type[BaseModel], *, parameters: bool) -> tuple[str, Any]:
    kind, where, given = problem["type"], _path(problem["loc"]), problem.get("input")
    schema = schemas.json_schema(model)
    if kind == "extra_forbidden":
        names = ", ".join(model.model_fields)
        if parameters:
            return "unknown_field", (f"Unknown query parameter '{where}'; the parameters are: {names}." if names else
                                     f"Unknown query parameter '{where}'; this endpoint takes none.")
        return "unknown_field", f"Unknown field '{where}'; the fields are: {names}."
    if kind == "missing":
        return "missing_field", f"'{where}' is required."
    field = _schema_at(schema, problem["loc"])
    if kind == "domain_rule":
        return "invalid_value", problem["ctx"]["rule"]
    if kind == "string_pattern_mismatch":
        return "invalid_value", schemas.PATTERN_MESSAGES[problem["ctx"]["pattern"]](where, given)
    if kind == "not_a_real_date":
        return "invalid_value", f"'{where}' is not a real date: {given}."
    if kind in ("whole_number", "greater_than_equal", "less_than_equal") or (kind == "int_type" and parameters):
        return "invalid_value", f"'{where}' must be a whole number from {field['minimum']} to {field['maximum']}."
    if kind == "literal_error":
        return "invalid_value", f"'{where}' must be one of: {', '.join(field['enum'])}."
    if kind == "string_too_short":
        return "invalid_value", f"'{where}' must not be empty."
    if kind == "string_too_long":
        return "invalid_value", f"'{where}' must have at most {field['maxLength']} characters."
    if kind == "too_long":
        return "invalid_value", f"'{where}' may have at most {field['maxItems']} items."
    return "wrong_type", f"'{where}' must be {_describe(field)}, not {_json_type(given)}."


def _schema_at(schema: dict, loc: tuple) -> dict:
    """The JSON schema of the value at `loc`, without the null alternative (`nullable` says whether it had one)."""
    node = schema
    for part in loc:
        node = _plain(node)
        node = node["items"] if isinstance(part, int) else node["properties"][part]
    return _plain(node)


def _plain(node: dict) -> dict:
    choices = node.get("anyOf")
    if not choices:
        return node
    others = [choice for choice in choices if choice.get("type") != "null"]
    return {**node, **others[0], "nullable": len(others) < len(choices)}


def _describe(schema: dict) -> str:
    if schema.get("format") == "date":
        words = "a date such as 2026-03-01"
    elif schema.get("type") == "array":
        words = f"an array of {schema['items']['type']}s"
    else:
        words = {"string": "a string", "integer": "a whole number", "boolean": "true or false",
                 "object": "an object"}.get(schema.get("type"), "a string")
    return words + (" or null" if schema.get("nullable") else "")


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return {str: "a string", list: "an array", dict: "an object"}.get(type(value), "a value")
