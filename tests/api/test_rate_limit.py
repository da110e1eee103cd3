"""Rate limits: per token, JSON 429 with Retry-After, failed authentications per address."""
from __future__ import annotations

import pytest

from tests.api.conftest import hire_body, new_mobile


@pytest.fixture
def app_config():
    return {"API_RATE_LIMIT": "3 per minute", "API_AUTH_FAILURE_LIMIT": "4 per minute"}


def test_a_token_is_limited_and_told_when_to_come_back(api, other_tenant):
    for _ in range(3):
        assert api.get("/employees").status_code == 200
    response = api.get("/employees")
    assert response.status_code == 429
    assert response.json["error"]["code"] == "rate_limited"
    assert response.json["error"]["message"].startswith("Too many requests: the limit is 3 per 1 minute.")
    assert 0 < int(response.headers["Retry-After"]) <= 60
    assert response.headers["X-RateLimit-Remaining"] == "0"
    # The limit is shared by every endpoint of the token...
    assert api.post("/events", json=hire_body(new_mobile())).status_code == 429
    # ...and belongs to the token alone.
    assert api.as_token(other_tenant.token).get("/employees").status_code == 200


def test_the_openapi_document_is_not_limited(api):
    for _ in range(5):
        assert api.get("/openapi.json", token=None).status_code == 200


def test_failed_authentications_are_limited_per_address(api):
    for n in range(4):
        assert api.get("/employees", token=f"fstp_guess{n}").status_code == 401
    assert api.get("/employees", token="fstp_guess-again").status_code == 429
