"""Every malformed payload gets a precise message and changes nothing."""
from __future__ import annotations

import io

import pytest

from tests.api.conftest import hire_body, in_days, person_body, snapshot

MOBILE = "13988887777"


def _error(response) -> dict:
    return response.json["error"]


BAD_EVENTS = [
    # (body, status, code, field, message)
    ({"mobile": MOBILE}, 422, "missing_field", "type", "'type' is required: one of hire, transfer, leave."),
    ({"type": "promote", "mobile": MOBILE}, 422, "invalid_value", "type",
     "'type' must be one of: hire, transfer, leave, not 'promote'."),
    ({"type": ["hire"], "mobile": MOBILE}, 422, "invalid_value", "type",
     "'type' must be one of: hire, transfer, leave, not an array."),
    ({**hire_body(MOBILE), "salary": 5000}, 422, "unknown_field", "salary",
     "Unknown field 'salary'; the fields are: type, mobile, real_name, post, start_date, groups, id_number, department."),
    ({k: v for k, v in hire_body(MOBILE).items() if k != "real_name"}, 422, "missing_field", "real_name",
     "'real_name' is required."),
    ({k: v for k, v in hire_body(MOBILE).items() if k != "start_date"}, 422, "missing_field", "start_date",
     "'start_date' is required."),
    (hire_body(MOBILE, real_name=42), 422, "wrong_type", "real_name", "'real_name' must be a string, not a number."),
    (hire_body(MOBILE, real_name=""), 422, "invalid_value", "real_name", "'real_name' must not be empty."),
    (hire_body(MOBILE, real_name="名" * 51), 422, "invalid_value", "real_name",
     "'real_name' must have at most 50 characters."),
    (hire_body(MOBILE, groups="grid_worker"), 422, "wrong_type", "groups",
     "'groups' must be an array of strings, not a string."),
    (hire_body(MOBILE, groups=["grid_worker", 7]), 422, "wrong_type", "groups[1]",
     "'groups[1]' must be a string, not a number."),
    (hire_body(MOBILE, groups=["no_such_group"]), 422, "validation_failed", "groups",
     "Unknown key group: no_such_group"),
    (hire_body(MOBILE, start_date="01/03/2026"), 422, "invalid_value", "start_date",
     "'start_date' must be a date in the form YYYY-MM-DD, such as 2026-03-01, not '01/03/2026'."),
    (hire_body(MOBILE, start_date="2026-02-30"), 422, "invalid_value", "start_date",
     "'start_date' is not a real date: 2026-02-30."),
    (hire_body(MOBILE, start_date="9999-12-31"), 422, "invalid_value", "start_date",
     "Enter a date between 1900-01-01 and 2199-12-31."),
    (hire_body(MOBILE, start_date=None), 422, "wrong_type", "start_date",
     "'start_date' must be a date such as 2026-03-01, not null."),
    (hire_body(MOBILE, start_date=True), 422, "wrong_type", "start_date",
     "'start_date' must be a date such as 2026-03-01, not a boolean."),
    (hire_body("12345"), 422, "invalid_value", "mobile", "A mobile number has 11 digits and starts with 13 to 19."),
    (hire_body(12345678901), 422, "wrong_type", "mobile", "'mobile' must be a string, not a number."),
    (hire_body(MOBILE, id_number="110105194912310021"), 422, "invalid_value", "id_number",
     "This ID number's check digit is wrong: please check for a typo."),
    # The schema says what the roster checks: a name that is only spaces breaks it (it used to pass the document).
    (hire_body(MOBILE, real_name="   "), 422, "invalid_value", "real_name", "A name has 1 to 50 characters."),
    (hire_body(MOBILE, start_date="2200-01-01"), 422, "invalid_value", "start_date",
     "Enter a date between 1900-01-01 and 2199-12-31."),
    (hire_body("+86 139 8888-7777", id_number="1101051949123100"), 422, "invalid_value", "id_number",
     "A resident ID number has 17 digits followed by a digit or X."),
    (hire_body("１３９８８８８７７７７"), 422, "invalid_value", "mobile",
     "A mobile number has 11 digits and starts with 13 to 19."),
    ({"type": "transfer", "mobile": MOBILE, "post": "", "effective_on": in_days(1)}, 422, "invalid_value", "post",
     "'post' must not be empty."),
    ({"type": "transfer", "mobile": MOBILE, "post": " ", "effective_on": in_days(1)}, 422, "invalid_value", "post",
     "'post' must not be empty."),
    ({"type": "leave", "mobile": MOBILE, "left_on": "yesterday"}, 422, "invalid_value", "left_on",
     "'left_on' must be a date in the form YYYY-MM-DD, such as 2026-03-01, not 'yesterday'."),
    ({"type": "leave", "mobile": MOBILE, "left_on": in_days(0), "reason": "quit"}, 422, "unknown_field", "reason",
     "Unknown field 'reason'; the fields are: type, mobile, left_on."),
]


@pytest.mark.parametrize("body, status, code, field, message", BAD_EVENTS)
def test_malformed_events(api, session, body, status, code, field, message):
    before = snapshot(session)
    response = api.post("/events", json=body)
    assert response.status_code == status
    assert _error(response) == {"code": code, "field": field, "message": message}
    assert snapshot(session) == before


BAD_PEOPLE = [
    ({**person_body(), "mobile": MOBILE}, 422, "unknown_field", "mobile",
     "Unknown field 'mobile'; the fields are: real_name, post, start_date, groups, id_number, department."),
    ({"real_name": "张伟"}, 422, "missing_field", "post", "'post' is required."),
    (person_body(post=None), 422, "wrong_type", "post", "'post' must be a string, not null."),
    (person_body(start_date="2026-3-1"), 422, "invalid_value", "start_date",
     "'start_date' must be a date in the form YYYY-MM-DD, such as 2026-03-01, not '2026-3-1'."),
    (person_body(groups=["all_staff"] * 21), 422, "invalid_value", "groups", "'groups' may have at most 20 items."),
    (person_body(id_number=110105194912310021), 422, "wrong_type", "id_number",
     "'id_number' must be a string or null, not a number."),
]


@pytest.mark.parametrize("body, status, code, field, message", BAD_PEOPLE)
def test_malformed_upserts(api, session, body, status, code, field, message):
    before = snapshot(session)
    response = api.put(f"/employees/{MOBILE}", json=body)
    assert response.status_code == status
    assert _error(response) == {"code": code, "field": field, "message": message}
    assert snapshot(session) == before


def test_malformed_mobile_in_the_path(api, session):
    before = snapshot(session)
    response = api.put("/employees/1234", json=person_body())
    assert response.status_code == 400
    assert _error(response) == {"code": "invalid_parameter", "field": "mobile",
                                "message": "A mobile number has 11 digits and starts with 13 to 19."}
    assert snapshot(session) == before


RAW_BODIES = [
    # (data, content type, status, code, message)
    (b"{not json", "application/json", 400, "invalid_json",
     "The request body is not valid JSON: Expecting property name enclosed in double quotes at line 1, column 2."),
    (b"", "application/json", 400, "invalid_json", "The request body is empty; send a JSON object."),
    (b"[1, 2]", "application/json", 400, "invalid_json", "The request body must be a JSON object."),
    (b'"hire"', "application/json", 400, "invalid_json", "The request body must be a JSON object."),
    (b'{"type": "hire", "type": "leave"}', "application/json", 400, "invalid_json",
     "The field 'type' appears more than once."),
    (b'{"type": "leave", "mobile": "13988887777", "left_on": NaN}', "application/json", 400, "invalid_json",
     "The request body is not valid JSON: NaN is not allowed in JSON."),
    (b'{"real_name": "\xff"}', "application/json", 400, "invalid_json", "The request body is not UTF-8 text."),
    (b"type=hire&mobile=13988887777", "application/x-www-form-urlencoded", 415, "unsupported_media_type",
     "Send the body as JSON with the header 'Content-Type: application/json'."),
    (b'{"type": "hire"}', "text/plain", 415, "unsupported_media_type",
     "Send the body as JSON with the header 'Content-Type: application/json'."),
    (b"[" * 5000 + b"]" * 5000, "application/json", 400, "invalid_json", None),
]


@pytest.mark.parametrize("data, content_type, status, code, message", RAW_BODIES)
def test_bodies_that_are_not_a_json_object(api, session, data, content_type, status, code, message):
    before = snapshot(session)
    for response in (api.post("/events", data=data, content_type=content_type),
                     api.put(f"/employees/{MOBILE}", data=data, content_type=content_type)):
        assert response.status_code == status
        assert _error(response)["code"] == code
        if message:
            assert _error(response)["message"] == message
    assert snapshot(session) == before


def test_a_huge_body_is_refused_unread(api, session):
    before = snapshot(session)
    body = hire_body(MOBILE, post="x" * (70 * 1024))
    response = api.post("/events", json=body)
    assert response.status_code == 413
    assert _error(response) == {"code": "payload_too_large", "message": "The request body is larger than 64 KiB."}
    assert snapshot(session) == before


def test_a_huge_chunked_body_is_refused(client, conformance, session, tenant):
    """A body sent without Content-Length (chunked, as servers pass it on) is cut off at the limit."""
    before = snapshot(session)
    stream = io.BytesIO(b'{"type": "hire", "post": "' + b"x" * (100 * 1024) + b'"}')
    response = client.post("/api/v1/events", input_stream=stream, content_type="application/json",
                           headers={"Authorization": f"Bearer {tenant.token}", "Idempotency-Key": "chunked"},
                           environ_overrides={"wsgi.input_terminated": True})
    conformance.check("POST", "/api/v1/events", response)
    assert response.status_code == 413
    assert _error(response)["code"] == "payload_too_large"
    assert snapshot(session) == before
