"""Before the account's login lock the page says how many tries are left; once locked, until when."""
import re
from datetime import datetime, timezone

import pytest

from portal.domain.localtime import to_local
from tests.factories import DEFAULT_PASSWORD, make_user


@pytest.fixture
def app_config():
    return {"LOGIN_LIMIT_PER_ACCOUNT": "3 per 5 minutes", "LOGIN_LIMIT_PER_ADDRESS": "20 per 5 minutes"}


def _fail(client, login):
    return client.post("/auth/login", data={"login": login, "password": "not-the-password"})


def test_tries_left_are_counted_down_then_the_lock_says_until_when(client, session):
    user = make_user("office_admin")
    session.commit()
    client.set_cookie("lang", "en")
    first = _fail(client, user.username).get_data(as_text=True)
    assert "2 tries left. After that, logging in to this account is paused for up to 5 minutes." in first
    assert "1 try left." in _fail(client, user.username).get_data(as_text=True)
    last = _fail(client, user.username)
    page = last.get_data(as_text=True)
    assert last.status_code == 200 and "Too many attempts" in page and "tries left" not in page
    until = re.search(r"paused until (\d\d:\d\d)\.", page).group(1)  # local time (TIME_ZONE)
    now = to_local(datetime.now(timezone.utc))
    hours, minutes = map(int, until.split(":"))
    ahead = (hours * 60 + minutes - now.hour * 60 - now.minute) % (24 * 60)
    assert 5 <= ahead <= 6  # the five minutes from the first failure, rounded up to the minute
    blocked = client.post("/auth/login", data={"login": user.username, "password": DEFAULT_PASSWORD})
    assert blocked.status_code == 429 and f"paused until {until}." in blocked.get_data(as_text=True)


def test_the_lock_is_per_account_and_unknown_logins_count_the_same(client, session):
    user = make_user("office_admin")
    session.commit()
    client.set_cookie("lang", "en")
    assert "2 tries left." in _fail(client, "nobody-at-all").get_data(as_text=True)  # nothing tells it is unknown
    for _ in range(3):
        _fail(client, "nobody-at-all")
    assert client.post("/auth/login", data={"login": user.username, "password": DEFAULT_PASSWORD}).status_code == 302


def test_the_warning_is_shown_in_chinese_by_default(client, session):
    user = make_user("office_admin")
    session.commit()
    page = _fail(client, user.username).get_data(as_text=True)
    assert "手机号、用户名或密码不正确" in page and 'role="status"' in page
