"""The token pages: create (shown once), list, revoke; org scope; audit; CSRF on the pages, not the API."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.domain.platform import api_tokens
from portal.models import ApiToken, AuditEvent, User
from tests.api.conftest import make_tenant, new_mobile, person_body
from tests.factories import DEFAULT_PASSWORD, make_user


@pytest.fixture
def admin(client, login, session, tenant):
    client.set_cookie("lang", "en")
    login(session.get(User, tenant.admin_id))
    return session.get(User, tenant.admin_id)


def test_the_page_lists_tokens_without_their_secret(client, admin, tenant):
    page = client.get(f"/company/{tenant.org_id}/tokens").get_data(as_text=True)
    assert "HR API tokens" in page and "HR system" in page
    assert tenant.token[:8] in page and tenant.token not in page
    assert "Never" in page and "Active" in page and "Revoke" in page


def test_creating_a_token_shows_it_once(client, admin, session, tenant, api):
    response = client.post(f"/company/{tenant.org_id}/tokens", data={"name": "SAP SuccessFactors"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert "Copy this token now" in page
    [plain] = re.findall(r'<code id="new-token">(fstp_[A-Za-z0-9_-]{43})</code>', page)
    stored = session.scalar(select(ApiToken).where(ApiToken.name == "SAP SuccessFactors"))
    assert stored.token_hash == api_tokens.digest(plain) and stored.created_by_id == admin.id
    assert stored.organization_id == tenant.org_id
    assert plain not in client.get(f"/company/{tenant.org_id}/tokens").get_data(as_text=True)
    assert api.as_token(plain).get("/employees").status_code == 200
    audit = session.scalar(select(AuditEvent).where(AuditEvent.action == "api_token.create",
                                                    AuditEvent.target_id == str(stored.id)))
    assert audit.actor_id == admin.id and audit.details["prefix"] == plain[:8]


def test_a_token_needs_a_name(client, admin, session, tenant):
    response = client.post(f"/company/{tenant.org_id}/tokens", data={"name": "  "})
    assert response.status_code == 200
    assert "This field is required." in response.get_data(as_text=True)
    assert len(session.scalars(select(ApiToken)).all()) == 1


def test_revoking_stops_the_token(client, admin, session, tenant, api):
    response = client.post(f"/company/{tenant.org_id}/tokens/{tenant.token_id}/revoke")
    assert response.status_code == 302 and response.headers["Location"] == f"/company/{tenant.org_id}/tokens"
    page = client.get(f"/company/{tenant.org_id}/tokens").get_data(as_text=True)
    assert "has been revoked" in page and "Revoked on" in page
    session.expire_all()
    assert session.get(ApiToken, tenant.token_id).revoked_at is not None
    assert api.get("/employees").status_code == 401
    assert session.scalar(select(AuditEvent.actor_id).where(AuditEvent.action == "api_token.revoke")) == admin.id
    client.post(f"/company/{tenant.org_id}/tokens/{tenant.token_id}/revoke")
    assert "already been revoked" in client.get(f"/company/{tenant.org_id}/tokens").get_data(as_text=True)


def test_another_organizations_token_cannot_be_revoked_or_seen(client, admin, session, tenant):
    other = make_tenant(session)
    assert client.get(f"/company/{other.org_id}/tokens").status_code == 404
    assert client.post(f"/company/{other.org_id}/tokens/{other.token_id}/revoke").status_code == 404
    assert client.post(f"/company/{tenant.org_id}/tokens/{other.token_id}/revoke").status_code == 404
    assert client.post(f"/company/{other.org_id}/tokens", data={"name": "x"}).status_code == 404
    session.expire_all()
    assert session.get(ApiToken, other.token_id).revoked_at is None


def test_the_office_manages_any_organizations_tokens(client, login, session, tenant):
    office = make_user("office_admin")
    session.commit()
    login(office)
    assert client.get(f"/company/{tenant.org_id}/tokens").status_code == 200
    assert client.post(f"/company/{tenant.org_id}/tokens/{tenant.token_id}/revoke").status_code == 302
    session.expire_all()
    assert session.get(ApiToken, tenant.token_id).revoked_at is not None


class TestWithCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_the_pages_need_the_csrf_token(self, client, login, session, tenant):
        client.set_cookie("lang", "en")
        login_page = client.get("/auth/login").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
        admin = session.get(User, tenant.admin_id)
        response = client.post("/auth/login", data={"login": admin.username, "password": DEFAULT_PASSWORD,
                                                    "csrf_token": csrf})
        assert response.status_code == 302
        assert client.get(f"/company/{tenant.org_id}/tokens").status_code == 200
        assert client.post(f"/company/{tenant.org_id}/tokens/{tenant.token_id}/revoke").status_code == 400
        session.expire_all()
        assert session.get(ApiToken, tenant.token_id).revoked_at is None

    def test_the_api_needs_no_csrf_token(self, api):
        response = api.put(f"/employees/{new_mobile()}", json=person_body())
        assert response.status_code == 201

