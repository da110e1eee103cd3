"""One-time reset codes: who may issue them, and the forgot-password page that takes them."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from portal.models import AuditEvent, PasswordResetCode, utcnow
from tests.factories import DEFAULT_PASSWORD, make_org, make_trainee, make_user

NEW = "Fresh-Start-2027"


def _code(response) -> str:
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    return re.search(r"<strong>([A-Z0-9]{4}-[A-Z0-9]{4})</strong>", response.get_data(as_text=True)).group(1)


def _reset(client, login, code, password=NEW):
    return client.post("/auth/forgot", data={"login": login, "code": code, "new_password": password,
                                             "confirm": password})


@pytest.fixture
def mall(session):
    org = make_org()
    trainee = make_user("trainee", org=org)
    trainee.mobile = "13600000009"
    admin = make_user("org_admin", org=org)
    session.commit()
    return org, trainee, admin


def test_the_company_admin_issues_a_code_from_the_person_page_and_it_works_once(client, session, login, mall):
    org, trainee, admin = mall
    login(admin)
    person_page = f"/company/{org.id}/people/{trainee.trainee.id}"
    assert f'href="{person_page}/reset-code"' in client.get(person_page).get_data(as_text=True)
    explained = client.get(f"{person_page}/reset-code").get_data(as_text=True)
    assert 'name="csrf_token"' in explained and "<strong>" not in explained  # no code before the button
    code = _code(client.post(f"{person_page}/reset-code"))
    client.post("/auth/logout")
    client.set_cookie("lang", "en")
    response = _reset(client, "13600000009", code.lower().replace("-", " "))
    assert response.headers["Location"] == "/auth/login"
    assert "Log in with the new password." in client.get("/auth/login").get_data(as_text=True)
    login(trainee, NEW)
    client.post("/auth/logout")
    again = _reset(client, "13600000009", code, "Another-Pass-88").get_data(as_text=True)
    assert "This reset code does not match" in again
    login(trainee, NEW)


def test_the_office_issues_codes_for_trainees_and_company_admins_a_superuser_for_office_admins(client, session, login,
                                                                                             mall):
    _org, trainee, admin = mall
    office, other_office, root = make_user("office_admin"), make_user("office_admin"), make_user("superuser")
    session.commit()
    login(office)
    users_page = client.get("/office/users").get_data(as_text=True)
    assert f'href="/office/users/{trainee.id}/reset-code"' in users_page
    assert f'href="/office/users/{other_office.id}/reset-code"' not in users_page
    for account in (trainee, admin):
        _code(client.post(f"/office/users/{account.id}/reset-code"))
    assert client.post(f"/office/users/{other_office.id}/reset-code").status_code == 404
    assert client.post(f"/office/users/{root.id}/reset-code").status_code == 404
    client.post("/auth/logout")
    login(root)
    code = _code(client.post(f"/office/users/{other_office.id}/reset-code"))
    client.post("/auth/logout")
    assert _reset(client, other_office.username, code).status_code == 302
    login(other_office, NEW)


def test_nobody_else_may_issue_a_code(client, session, login, mall):
    org, trainee, admin = mall
    other_org = make_org()
    elsewhere = make_user("trainee", org=other_org)
    left = make_trainee(org, user=make_user())
    left.status = "left"
    admin_on_roster = make_trainee(org, user=make_user("org_admin", org=other_org))
    dept, office = make_user("dept_viewer"), make_user("office_admin")
    session.commit()
    login(admin)
    for row in (left, admin_on_roster):  # not on the active roster; an administrator's account
        assert client.post(f"/company/{org.id}/people/{row.id}/reset-code").status_code == 404
    assert client.post(f"/company/{other_org.id}/people/{elsewhere.trainee.id}/reset-code").status_code == 404
    assert client.post(f"/company/{org.id}/people/{elsewhere.trainee.id}/reset-code").status_code == 404
    assert client.post(f"/office/users/{office.id}/reset-code").status_code == 403
    for user in (trainee, dept):
        client.post("/auth/logout")
        login(user)
        assert client.post(f"/company/{org.id}/people/{trainee.trainee.id}/reset-code").status_code == 403
        assert client.post(f"/office/users/{trainee.id}/reset-code").status_code == 403
    assert session.scalar(select(PasswordResetCode.id)) is None


def test_issuing_and_using_a_code_are_audited_without_the_code(client, session, login, mall):
    org, trainee, admin = mall
    login(admin)
    code = _code(client.post(f"/company/{org.id}/people/{trainee.trainee.id}/reset-code"))
    client.post("/auth/logout")
    _reset(client, trainee.username, code)
    events = session.scalars(select(AuditEvent).where(AuditEvent.target_type == "user")).all()
    assert [(e.action, e.actor_id, e.target_id) for e in events] == [
        ("user.reset_code_issued", admin.id, str(trainee.id)),
        ("user.password_reset_with_code", trainee.id, str(trainee.id))]
    for text in (code, code.replace("-", "")):
        assert all(text not in repr((e.details, e.target_id, e.address)) for e in events)


def test_a_reset_ends_every_session_of_the_account(app, client, session, login, mall):
    org, trainee, admin = mall
    phone = app.test_client()
    assert phone.post("/auth/login", data={"login": trainee.username, "password": DEFAULT_PASSWORD,
                                           "remember": "y"}).status_code == 302
    login(admin)
    code = _code(client.post(f"/company/{org.id}/people/{trainee.trainee.id}/reset-code"))
    assert _reset(phone, trainee.username, code).status_code == 302
    phone.delete_cookie("session")
    assert phone.get("/me/").status_code == 302


def test_an_expired_code_fails(client, session, login, mall):
    org, trainee, admin = mall
    login(admin)
    code = _code(client.post(f"/company/{org.id}/people/{trainee.trainee.id}/reset-code"))
    session.execute(update(PasswordResetCode).values(expires_at=utcnow() - timedelta(minutes=1)))
    session.commit()
    client.post("/auth/logout")
    client.set_cookie("lang", "en")
    page = _reset(client, trainee.username, code).get_data(as_text=True)
    assert "This reset code does not match" in page and 'id="password-retype"' in page
    login(trainee)


class TestThrottling:
    @pytest.fixture
    def app_config(self):
        return {"LOGIN_BACKOFF_AFTER": 3, "LOGIN_LIMIT_PER_ADDRESS": "20 per 5 minutes"}

    def test_wrong_codes_count_down_to_a_wait_that_refuses_even_the_right_code(self, client, session, login, mall,
                                                                               monkeypatch):
        org, trainee, admin = mall
        login(admin)
        code = _code(client.post(f"/company/{org.id}/people/{trainee.trainee.id}/reset-code"))
        client.post("/auth/logout")
        client.set_cookie("lang", "en")
        assert "2 tries left before" in _reset(client, trainee.username, "WRNG-CODE").get_data(as_text=True)
        assert "One more wrong try" in _reset(client, trainee.username, "WRNG-CODE").get_data(as_text=True)
        assert "before the next reset code for this account" in _reset(
            client, trainee.username, "WRNG-CODE").get_data(as_text=True)
        waiting = _reset(client, trainee.username, code)
        assert waiting.status_code == 429 and "Too many attempts" in waiting.get_data(as_text=True)
        login(trainee)  # the password is unchanged; logging in is counted apart
        client.post("/auth/logout")
        later = utcnow() + timedelta(minutes=1, seconds=1)  # the first wait is over: the right code is heard
        monkeypatch.setattr("portal.auth.reset_views.utcnow", lambda: later)
        assert _reset(client, trainee.mobile, code).headers["Location"] == "/auth/login"
        login(trainee, NEW)

    def test_an_unknown_login_is_answered_and_counted_like_a_known_one(self, client, session, mall):
        client.set_cookie("lang", "en")
        known = _reset(client, mall[1].username, "WRNG-CODE").get_data(as_text=True)
        unknown = _reset(client, "nobody-here", "WRNG-CODE").get_data(as_text=True)
        message = re.compile(r'<div class="form-errors" role="alert">.*?</div>\s*<p class="flash"[^>]*>[^<]*</p>', re.S)
        assert message.search(known).group(0) == message.search(unknown).group(0)
