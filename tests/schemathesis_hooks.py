"""schemathesis hooks for the HR API run (tests/test_api_schemathesis.py; SCHEMATHESIS_HOOKS=tests.schemathesis_hooks).

A check, `refused_only_for_stored_data`: schemathesis judges schema-valid data by a fixed list of statuses, in
which 422 is not (documented 4xx do not count: schemathesis issues #3516, #3696), so tests/schemathesis.toml
lets the two writing operations answer such data 422, and this check holds that 422 to what the document says
depends on stored data: a roster rule (validation_failed: the person is already on the roster, has left, the ID
number is someone else's) or a post the catalogue does not know (unknown_post). A schema code (missing_field,
unknown_field, wrong_type, invalid_value) for schema-valid data would mean the document allows what the models
refuse, and fails the run.

Every change gets a fresh Idempotency-Key (before_call), as the document asks of a client. Steering, for valid
data only (negative cases are left as generated): half the time the people already on the
roster and the catalogue's posts, so that transfers, departures and updates get past "not found" and
"unknown post"; and an ID number given the check character and date of birth JSON Schema cannot state (the
document says them in words).
"""
from __future__ import annotations

import random
import uuid
from datetime import date, timedelta

import schemathesis

from portal.domain.platform.idempotency import KEY_PATTERN
from portal.domain.workforce.reference import POSTS
from portal.domain.platform.validators import id_check_char

ON_ROSTER = ("13900000001", "13900000002", "13900000003")  # tests.test_api_fuzz.open_api_account puts them there
KNOWN_POSTS = tuple(name for post in POSTS for name in (post[0], *post[1]))
STORED_DATA_CODES = {"validation_failed", "unknown_post"}


def _positive(case) -> bool:
    return case.meta is not None and case.meta.generation.mode.is_positive


@schemathesis.check
def refused_only_for_stored_data(ctx, response, case):
    """Schema-valid data that a writing operation refuses is refused for what is stored, never for its form."""
    if not _positive(case) or response.status_code != 422:
        return None
    code = response.json()["error"]["code"]
    if code not in STORED_DATA_CODES:
        raise AssertionError(f"Schema-valid data refused with {code} ({response.json()['error']}): the document "
                             f"allows what the API's models refuse")
    return None


def _resident_id(seed: str) -> str:
    """A valid resident ID number made from 18 generated characters: a real date of birth and the check character."""
    chooser = random.Random(seed)
    born = date(1950, 1, 1) + timedelta(days=chooser.randrange(365 * 55))
    first17 = f"{chooser.randrange(110000, 659999)}{born:%Y%m%d}{chooser.randrange(1000):03d}"
    return first17 + id_check_char(first17)


@schemathesis.hook
def before_call(context, case, kwargs):
    """A fresh Idempotency-Key for every change, as the document asks: schemathesis draws the same few keys again
    and again, and a key met before with another body is answered 409 before the body is even read. A key that
    breaks the header's schema (a negative case's point) is sent as drawn."""
    for name, value in (case.headers or {}).items():
        if name.lower() == "idempotency-key" and isinstance(value, str) and KEY_PATTERN.fullmatch(value):
            case.headers = {**case.headers, name: str(uuid.uuid4())}


@schemathesis.hook
def map_case(context, case):
    if not _positive(case):
        return case
    chooser = random.Random(repr((case.path_parameters, case.body)))
    if case.path_parameters and "mobile" in case.path_parameters and chooser.random() < 0.5:
        case.path_parameters = {**case.path_parameters, "mobile": chooser.choice(ON_ROSTER)}
    if isinstance(case.body, dict):
        body = dict(case.body)
        if "mobile" in body and chooser.random() < 0.5:
            body["mobile"] = chooser.choice(ON_ROSTER)
        if isinstance(body.get("participants"), list) and chooser.random() < 0.5:
            body["participants"] = list(ON_ROSTER[:chooser.randrange(4)])
        if "held_on" in body and chooser.random() < 0.5:  # a drill is recorded within two years of its day
            body["held_on"] = (date.today() - timedelta(days=chooser.randrange(700))).isoformat()
        if body.get("post") and chooser.random() < 0.5:
            body["post"] = chooser.choice(KNOWN_POSTS)
        if isinstance(body.get("id_number"), str) and len(body["id_number"]) == 18:
            body["id_number"] = _resident_id(body["id_number"])
        case.body = body
    return case
