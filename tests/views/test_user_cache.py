"""The signed-in user kept per process (web/session.py `users`): every change to the account, its roles, its jobs
or its sessions shows on the very next request, made by another browser or straight in the database."""
from datetime import date

import pytest
from sqlalchemy import delete, inspect, update

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


def settle(session) -> None:
    """Commit, and let go of every object: the test shares its session with the requests, which would otherwise find
    the account already loaded (and use that) instead of building theirs from the process's cache."""
    session.commit()
    session.expunge_all()


def _sign_in(browser, login: str) -> None:
    response = browser.post("/auth/login", data={"login": login, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302


def _signed_in(browser, path="/me/") -> bool:
    return browser.get(path).status_code == 200


def _trainee(session):
    """A trainee account: (user id, login, organization id and name)."""
    org = make_org()
    user = make_user("trainee", org=org)
    found = (user.id, user.username, org.id, org.name)
    settle(session)
    return found


def test_a_role_granted_or_taken_counts_on_the_next_request(client, session):
    user_id, login, org_id, org_name = _trainee(session)
    _sign_in(client, login)
    assert client.get("/me/").status_code == 200
    assert client.get("/company/").status_code == 403
    session.add(RoleGrant(user_id=user_id, role="org_admin", organization_id=org_id))
    settle(session)
    company = client.get("/company/", follow_redirects=True)
    assert company.status_code == 200 and org_name in company.get_data(as_text=True)

    session.execute(delete(RoleGrant).where(RoleGrant.user_id == user_id))  # a bulk delete: no ORM event
    settle(session)
    assert client.get("/company/").status_code == 403
    assert client.get("/me/").status_code == 200


def test_a_job_ended_or_a_new_name_counts_on_the_next_request(client, session):
    user_id, login, first_org_id, first_org = _trainee(session)
    _sign_in(client, login)
    assert "(User " in client.get("/me/").get_data(as_text=True)
    session.execute(update(User).where(User.id == user_id).values(display_name="Renamed Person"))
    settle(session)
    assert "(Renamed Person)" in client.get("/me/").get_data(as_text=True)

    person = session.get(User, user_id).person
    job_id = session.query(Trainee.id).filter(Trainee.person_id == person.id).scalar()
    make_trainee(make_org(name="Second Employer Ltd"), person=person, second_job=True)
    settle(session)
    page = client.get("/me/").get_data(as_text=True)
    assert first_org in page and "Second Employer Ltd" not in page  # the main job places them
    session.execute(update(Trainee).where(Trainee.id == job_id).values(status="left", left_on=date(2026, 1, 5)))
    settle(session)
    page = client.get("/me/").get_data(as_text=True)
    assert "Second Employer Ltd" in page and first_org not in page  # the job that places them now


def test_deactivating_the_account_logs_it_out_on_the_next_request(client, session):
    user_id, login, _org_id, _org = _trainee(session)
    _sign_in(client, login)
    assert _signed_in(client)
    session.execute(update(User).where(User.id == user_id).values(active=False))
    settle(session)
    response = client.get("/me/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_logging_out_everywhere_else_ends_the_other_browser_at_once(client, other_browser, session):
    _user_id, login, _org_id, _org = _trainee(session)
    _sign_in(client, login)
    _sign_in(other_browser, login)
    assert _signed_in(client) and _signed_in(other_browser)
    page = other_browser.post("/auth/sessions", follow_redirects=True).get_data(as_text=True)
    assert "logged out on 1 other device" in page
    assert not _signed_in(client)
    assert _signed_in(other_browser)


def test_a_new_password_ends_the_other_browser_at_once(client, other_browser, session):
    user_id, login, _org_id, _org = _trainee(session)
    _sign_in(client, login)
    _sign_in(other_browser, login)
    assert _signed_in(client)
    response = other_browser.post("/auth/password", data={"current_password": DEFAULT_PASSWORD,
                                                           "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    follow = client.get("/me/")
    assert follow.status_code == 302 and "/auth/login" in follow.headers["Location"]
    assert _signed_in(other_browser)
    ended = session.query(LoginSession).filter(LoginSession.user_id == user_id,
                                               LoginSession.ended_because == "password").count()
    assert ended == 1


def test_requests_get_copies_of_the_kept_account(client, session):
    user_id, login, _org_id, _org = _trainee(session)
    _sign_in(client, login)
    assert _signed_in(client) and _signed_in(client)
    kept = [user for _values, user in web_session.users._kept.values() if user.id == user_id]
    assert len(kept) == 1 and inspect(kept[0]).detached  # never in a request's session: each request merges a copy
