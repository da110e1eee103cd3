"""The signed-in user kept per process (web/session.py `users`): every change to the account, its roles, its jobs
or its sessions shows on the very next request, made by another browser or straight in the database."""
from datetime import date

import pytest
from sqlalchemy import delete, update

from portal.models import LoginSession, RoleGrant, Trainee, User
from portal.web import session as web_session
from tests.factories import DEFAULT_PASSWORD, make_org, make_trainee, make_user

NEW_PASSWORD = "Brand-new-Pass-2026"


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("lang", "en")


@pytest.fixture
def other_browser(app):
    browser = app.test_client()
    browser.set_cookie("lang", "en")
    return browser


def _sign_in(browser, user) -> None:
    response = browser.post("/auth/login", data={"login": user.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302


def _signed_in(browser, path="/me/") -> bool:
    response = browser.get(path)
    return response.status_code == 200


def test_a_role_granted_or_taken_counts_on_the_next_request(client, session):
    org = make_org()
    user = make_user("trainee", org=org)
    session.commit()
    _sign_in(client, user)
    assert client.get("/me/").status_code == 200
    assert client.get("/company/").status_code == 403
    assert web_session.users.get(user.id, None) is None  # kept under its values, not its id alone

    session.add(RoleGrant(user_id=user.id, role="org_admin", organization_id=org.id))
    session.commit()
    company = client.get("/company/", follow_redirects=True)
    assert company.status_code == 200 and org.name in company.get_data(as_text=True)

    session.execute(delete(RoleGrant).where(RoleGrant.user_id == user.id))  # a bulk delete: no ORM event
    session.commit()
    assert client.get("/company/").status_code == 403
    assert client.get("/me/").status_code == 200


def test_a_job_ended_or_a_new_name_counts_on_the_next_request(client, session):
    org = make_org()
    user = make_user("trainee", org=org)
    session.commit()
    _sign_in(client, user)
    assert "(User " in client.get("/me/").get_data(as_text=True)
    session.execute(update(User).where(User.id == user.id).values(display_name="Renamed Person"))
    session.commit()
    assert "(Renamed Person)" in client.get("/me/").get_data(as_text=True)

    job = session.query(Trainee).filter(Trainee.person_id == user.person.id).one()
    make_trainee(make_org(name="Second Employer Ltd"), person=user.person, second_job=True)
    session.commit()
    page = client.get("/me/").get_data(as_text=True)
    assert job.organization.name in page and "Second Employer Ltd" not in page  # the main job places them
    session.execute(update(Trainee).where(Trainee.id == job.id).values(status="left", left_on=date(2026, 1, 5)))
    session.commit()
    page = client.get("/me/").get_data(as_text=True)
    assert "Second Employer Ltd" in page and job.organization.name not in page  # the job that places them now


def test_deactivating_the_account_logs_it_out_on_the_next_request(client, session):
    user = make_user("trainee", org=make_org())
    session.commit()
    _sign_in(client, user)
    assert _signed_in(client)
    session.execute(update(User).where(User.id == user.id).values(active=False))
    session.commit()
    response = client.get("/me/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_logging_out_everywhere_else_ends_the_other_browser_at_once(client, other_browser, session):
    user = make_user("trainee", org=make_org())
    session.commit()
    _sign_in(client, user)
    _sign_in(other_browser, user)
    assert _signed_in(client) and _signed_in(other_browser)
    page = other_browser.post("/auth/sessions", follow_redirects=True).get_data(as_text=True)
    assert "logged out on 1 other device" in page
    assert not _signed_in(client)
    assert _signed_in(other_browser)


def test_a_new_password_ends_the_other_browser_at_once(client, other_browser, session):
    user = make_user("trainee", org=make_org())
    session.commit()
    _sign_in(client, user)
    _sign_in(other_browser, user)
    assert _signed_in(client)
    response = other_browser.post("/auth/password", data={"current_password": DEFAULT_PASSWORD,
                                                           "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    follow = client.get("/me/")
    assert follow.status_code == 302 and "/auth/login" in follow.headers["Location"]
    assert _signed_in(other_browser)
    ended = session.query(LoginSession).filter(LoginSession.user_id == user.id,
                                               LoginSession.ended_because == "password").count()
    assert ended == 1


def test_each_request_gets_its_own_copy(client, session):
    user = make_user("trainee", org=make_org())
    session.commit()
    _sign_in(client, user)
    client.get("/me/")
    kept = [value for _key, (_values, value) in web_session.users._kept.items() if value.id == user.id]
    assert len(kept) == 1
    from sqlalchemy import inspect

    assert inspect(kept[0]).detached  # never attached to a request's session: each request merges a copy
