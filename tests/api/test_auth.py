"""Who may call the API: a live token of the organization, and nothing else (no session cookie)."""
from __future__ import annotations

import pytest

from portal.domain.platform import api_tokens
from portal.models import ApiToken, utcnow
from tests.api.conftest import new_mobile, person_body

READS = ("/employees", "/assignments", "/employees/13900000000")


@pytest.mark.parametrize("path", READS)
def test_no_token_is_refused(api, path):
    response = api.get(path, token=None)
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"
    assert "Authorization header" in response.json["error"]["message"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", "fstp_abc"])
def test_malformed_authorization_header_is_refused(api, header):
    response = api.get("/employees", token=None, headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json["error"]["message"] == "The Authorization header must read 'Bearer <token>'."


@pytest.mark.parametrize("token", ["fstp_" + "x" * 43, "not-a-token", "fstp_" + "y" * 500])
def test_wrong_token_is_refused(api, token):
    response = api.get("/employees", token=token)
    assert response.status_code == 401
    assert response.json["error"] == {"code": "unauthorized",
                                      "message": "This API token is not valid; check that it was copied whole."}
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_revoked_token_is_refused_for_reads_and_writes(api, session, tenant):
    assert api.get("/employees").status_code == 200
    token = session.get(ApiToken, tenant.token_id)
    api_tokens.revoke(session, token, actor_id=tenant.admin_id, address="", now=utcnow())
    session.commit()
    for response in (api.get("/employees"), api.put(f"/employees/{new_mobile()}", json=person_body())):
        assert response.status_code == 401
        assert "revoked" in response.json["error"]["message"]


def test_a_token_is_stored_only_as_its_hash(session, tenant):
    stored = session.get(ApiToken, tenant.token_id)
    assert tenant.token.startswith("fstp_") and len(tenant.token) == 5 + 43
    assert stored.token_hash == api_tokens.digest(tenant.token) != tenant.token
    assert stored.prefix == tenant.token[:8]
    assert tenant.token not in repr(stored.__dict__)


def test_use_updates_last_used_at(api, session, tenant):
    assert session.get(ApiToken, tenant.token_id).last_used_at is None
    api.get("/employees")
    session.expire_all()
    assert session.get(ApiToken, tenant.token_id).last_used_at is not None


def test_a_session_cookie_does_not_authenticate_the_api(api, login, session, tenant):
    from portal.models import User

    login(session.get(User, tenant.admin_id))
    response = api.get("/employees", token=None)
    assert response.status_code == 401
    response = api.put(f"/employees/{new_mobile()}", json=person_body(), token=None)
    assert response.status_code == 401


def test_the_openapi_document_needs_no_token(api):
    response = api.get("/openapi.json", token=None)
    assert response.status_code == 200 and response.json["openapi"] == "3.1.0"


def test_api_responses_are_not_cached(api):
    assert api.get("/employees").headers["Cache-Control"] == "no-store"
