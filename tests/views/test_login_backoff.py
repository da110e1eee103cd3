"""Wrong passwords per account: a few are free (the page counts them down and warns before the last), then each
further one means a wait that doubles, during which no password is checked, the right one included; never a lock.
A fake clock drives the waits."""
from datetime import datetime, timedelta, timezone

import pytest

from portal.domain.workforce import password_resets
from portal.domain.platform.localtime import format_time
from portal.models import utcnow
from portal.web import failed_attempts
from tests.factories import DEFAULT_PASSWORD, make_org, make_user

START = datetime.now(timezone.utc).replace(microsecond=0)


@pytest.fixture
def app_config():
    return {"LOGIN_BACKOFF_AFTER": 3, "LOGIN_BACKOFF_FIRST_MINUTES": 1, "LOGIN_BACKOFF_MAX_MINUTES": 4,
            "LOGIN_LIMIT_PER_ADDRESS": "100 per 5 minutes"}


class Clock:
    def __init__(self):
        self.now = START

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr("portal.auth.views.utcnow", fake)
    monkeypatch.setattr("portal.auth.reset_views.utcnow", fake)
    return fake


@pytest.fixture
def english(client):
    client.set_cookie("lang", "en")


def _try(client, login, password="not-the-password"):
    response = client.post("/auth/login", data={"login": login, "password": password})
    return response.status_code, response.get_data(as_text=True)


def _wait_until(moment: datetime) -> str:
    return f"wait until {format_time(moment, round_up=True)} (local time) before the next try for this account"


def test_tries_are_counted_down_warned_then_each_wrong_one_doubles_the_wait(client, session, clock, english):
    user = make_user("office_admin")
    session.commit()
    assert "2 tries left before this account has to wait between tries." in _try(client, user.username)[1]
    warned = _try(client, user.username)[1]
    assert "One more wrong try and you will have to wait 1 minute before the next one." in warned
    status, page = _try(client, user.username)
    assert status == 200 and "Too many attempts" in page and _wait_until(START + timedelta(minutes=1)) in page
    assert "up to 4 minutes; the right one ends it" in page and 'href="/auth/forgot"' in page
    waits = (1, 2, 4, 4)  # after each wait one more try is heard; wrong, it doubles the wait up to the ceiling
    for wait, next_wait in zip(waits, waits[1:]):
        clock.advance(minutes=wait, seconds=-1)
        status, page = _try(client, user.username, DEFAULT_PASSWORD)  # too early: not even the right password
        assert status == 429 and "wait until" in page
        clock.advance(seconds=1)
        status, page = _try(client, user.username)
        assert status == 200 and _wait_until(clock.now + timedelta(minutes=next_wait)) in page
    clock.advance(minutes=4)
    status, _page = _try(client, user.username, DEFAULT_PASSWORD)  # the owner gets in when the wait ends
    assert status == 302
    client.post("/auth/logout")
    assert "2 tries left" in _try(client, user.username)[1]  # the right password forgot the wrong ones


def test_the_tries_are_the_accounts_whichever_login_is_typed(client, session, clock, english):
    user = make_user("trainee", org=make_org())
    user.mobile = "13912345678"
    session.commit()
    _try(client, user.username)
    assert "One more wrong try" in _try(client, "13912345678")[1]
    _try(client, user.username.upper())
    assert _try(client, "13912345678", DEFAULT_PASSWORD)[0] == 429
    assert _try(client, user.username, DEFAULT_PASSWORD)[0] == 429


def test_an_unknown_login_is_answered_like_a_known_one(client, session, clock, english):
    user = make_user("office_admin")
    session.commit()
    for _ in range(4):
        known, unknown = _try(client, user.username), _try(client, "nobody-at-all")
        assert known[0] == unknown[0]
        assert known[1].replace(user.username, "LOGIN") == unknown[1].replace("nobody-at-all", "LOGIN")
    assert _try(client, "nobody-at-all")[0] == 429
    other = make_user("office_admin")  # another account is untouched
    session.commit()
    assert _try(client, other.username, DEFAULT_PASSWORD)[0] == 302


def test_no_password_is_checked_while_the_account_waits(client, session, clock, english, monkeypatch):
    user = make_user("office_admin")
    session.commit()
    for _ in range(3):
        _try(client, user.username)
    checked = []
    monkeypatch.setattr("portal.domain.workforce.accounts.verify_password", lambda *args: checked.append(args) or True)
    monkeypatch.setattr("portal.domain.workforce.accounts.dummy_verify", lambda *args: checked.append(args))
    assert _try(client, user.username, DEFAULT_PASSWORD)[0] == 429
    assert _try(client, "nobody-at-all")[0] == 200 and len(checked) == 1  # an unknown login is checked as usual


def test_a_new_password_with_a_reset_code_ends_the_wait_at_once(client, session, clock, english):
    org = make_org()
    user, admin = make_user("trainee", org=org), make_user("org_admin", org=org)
    session.commit()
    for _ in range(4):
        _try(client, user.username)
    issued = password_resets.issue_code(session, user, actor=admin, now=utcnow(), valid_for=timedelta(hours=1))
    session.commit()
    response = client.post("/auth/forgot", data={"login": user.username, "code": issued.readable,
                                                 "new_password": "Fresh-Start-2027", "confirm": "Fresh-Start-2027"})
    assert response.headers["Location"] == "/auth/login"
    assert _try(client, user.username, "Fresh-Start-2027")[0] == 302


def test_tries_for_one_account_are_heard_one_at_a_time(app, client, session, clock, monkeypatch):
    """Parallel requests cannot slip several guesses in between two waits: while one try is checked, another for
    the same account waits its turn, and is refused if the turn does not come."""
    user = make_user("office_admin")
    session.commit()
    monkeypatch.setattr(failed_attempts, "TURN_WAIT_SECONDS", 0.2)
    with failed_attempts.LOGIN.turn(f"user:{user.id}"):
        assert _try(client, user.username, DEFAULT_PASSWORD)[0] == 429
        assert _try(client, "someone-else")[0] == 200
    assert _try(client, user.username, DEFAULT_PASSWORD)[0] == 302


def test_the_warning_is_shown_in_chinese_by_default(client, session, clock):
    user = make_user("office_admin")
    session.commit()
    page = _try(client, user.username)[1]
    assert "手机号、用户名或密码不正确" in page and 'role="status"' in page
