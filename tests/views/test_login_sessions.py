"""Sessions kept on the server (security review, second round, item 1): a copy of the cookies stops working after
logout, a new password or the office ending it; idle and absolute lifetimes come from the configuration; signed-in
pages are kept out of caches; people see where they are logged in."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.models import AuditEvent, LoginSession, utcnow
from tests.factories import DEFAULT_PASSWORD, make_org, make_user


def signed_in(app, user, *, remember=False, agent="Mozilla/5.0 (Linux; Android 13; SM-A515F) Chrome/120.0 Mobile"):
    """A browser of its own (a test client) logged in as the user through the login form."""
    browser = app.test_client()
    browser.environ_base["HTTP_USER_AGENT"] = agent
    response = browser.post("/auth/login", data={"login": user.username, "password": DEFAULT_PASSWORD,
                                                 **({"remember": "y"} if remember else {})})
    assert response.status_code == 302, response.get_data(as_text=True)
    return browser


def _copy_cookies(source, target, *names):
    for name in names:
        cookie = source.get_cookie(name)
        assert cookie is not None, name
        target.set_cookie(name, cookie.value)


@pytest.fixture
def clock(monkeypatch):
    """clock(delta): the session checks see the time `delta` from now."""

    def move(delta: timedelta) -> None:
        moment = utcnow() + delta
        monkeypatch.setattr("portal.web.session.utcnow", lambda: moment)

    return move


def test_a_copied_session_cookie_stops_working_at_logout(app, session):
    user = make_user("office_admin")
    session.commit()
    mine = signed_in(app, user)
    thief = app.test_client()
    _copy_cookies(mine, thief, "session")
    assert thief.get("/office/").status_code == 200  # the copy works while the session lasts

    mine.post("/auth/logout")

    assert thief.get("/office/").status_code == 302  # to the login page
    row = session.scalars(select(LoginSession).where(LoginSession.user_id == user.id)).one()
    session.refresh(row)
    assert row.ended_at is not None and row.ended_because == "logout"


def test_a_copied_remember_me_cookie_stops_working_at_logout(app, session):
    user = make_user("trainee", org=make_org())
    session.commit()
    phone = signed_in(app, user, remember=True)
    thief = app.test_client()
    _copy_cookies(phone, thief, "remember_token")
    assert thief.get("/me/").status_code == 200  # the remember-me cookie alone signs in

    phone.post("/auth/logout")

    thief.delete_cookie("session")
    assert thief.get("/me/").status_code == 302
    assert thief.get_cookie("remember_token") is None  # and the dead cookie is cleared


def test_a_session_without_remember_me_ends_when_idle_with_a_message(app, session, clock):
    app.config["SESSION_IDLE_MINUTES"] = 30
    user = make_user("office_admin")
    session.commit()
    browser = signed_in(app, user)
    clock(timedelta(minutes=29))
    assert browser.get("/office/").status_code == 200  # used: the idle time starts again
    clock(timedelta(minutes=29 + 29))
    assert browser.get("/office/").status_code == 200
    clock(timedelta(minutes=29 + 29 + 31))

    response = browser.get("/office/", follow_redirects=True)

    page = response.get_data(as_text=True)
    assert "/auth/login" in response.request.path
    assert "一段时间未使用" in page  # "You were logged out after a while without using the portal."
    assert browser.get("/office/").status_code == 302


def test_a_remembered_session_survives_idleness_but_not_its_absolute_lifetime(app, session, clock):
    app.config.update(SESSION_IDLE_MINUTES=30, SESSION_ABSOLUTE_DAYS=30)
    user = make_user("trainee", org=make_org())
    session.commit()
    phone = signed_in(app, user, remember=True)
    clock(timedelta(days=3))
    assert phone.get("/me/").status_code == 200
    clock(timedelta(days=30, minutes=1))
    assert phone.get("/me/").status_code == 302


def test_the_office_logs_an_account_out_everywhere(app, session, login, client):
    office, trainee = make_user("office_admin"), make_user("trainee", org=make_org())
    session.commit()
    phone, laptop = signed_in(app, trainee, remember=True), signed_in(app, trainee)
    login(office)
    listing = client.get("/office/users").get_data(as_text=True)
    assert "全部设备退出登录（2 台设备）" in listing or "2 台设备" in listing

    response = client.post(f"/office/users/{trainee.id}/sessions/end", data={"next": "/office/users"})

    assert response.status_code == 302
    phone.delete_cookie("session")
    assert phone.get("/me/").status_code == 302
    assert laptop.get("/me/").status_code == 302
    assert client.get("/office/").status_code == 200  # the office's own session goes on
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "user.sessions_ended")).one()
    assert event.target_id == str(trainee.id) and event.details == {"sessions": 2}
    assert trainee.display_name in client.get("/office/users").get_data(as_text=True)


def test_people_see_where_they_are_logged_in_and_end_the_others(app, session):
    user = make_user("office_admin")
    session.commit()
    laptop = signed_in(app, user, agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36")
    phone = signed_in(app, user, remember=True,
                       agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 "
                             "MicroMessenger/8.0.42")
    page = laptop.get("/auth/sessions", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Chrome / Windows" in page and "WeChat Browser / iOS" in page
    assert page.count("本设备") + page.count("this device") == 1

    laptop.post("/auth/sessions")

    phone.delete_cookie("session")
    assert phone.get("/office/").status_code == 302
    assert laptop.get("/office/").status_code == 200
    assert "您没有在其他地方登录" in laptop.get("/auth/sessions").get_data(as_text=True)


def test_signed_in_pages_are_not_cached_and_public_ones_may_be(app, session, client, login):
    user = make_user("office_admin")
    session.commit()
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    login(user)
    assert client.get("/office/").headers["Cache-Control"] == "no-store"
    assert client.get("/").headers["Cache-Control"] == "no-store"  # the header names who is logged in


def test_a_deactivated_account_is_logged_out_at_once(app, session):
    user = make_user("office_admin")
    session.commit()
    browser = signed_in(app, user)
    user.active = False
    session.commit()
    assert browser.get("/office/").status_code == 302


def test_only_the_tokens_hash_is_stored(app, session):
    user = make_user("office_admin")
    session.commit()
    browser = signed_in(app, user)
    with browser.session_transaction() as cookie:
        token = cookie["_user_id"]
    stored = session.scalars(select(LoginSession.token_hash)).one()
    assert token not in stored and len(stored) == 64
