"""The reset link by e-mail (a real SMTP server on localhost), and plain words when e-mail is not set up."""
import re
import time

import pytest
from sqlalchemy import select

from portal.models import AuditEvent
from tests.factories import make_org, make_user
from tests.smtp_server import running_smtp_server

NEW = "Fresh-Start-2027"


@pytest.fixture
def smtp():
    with running_smtp_server() as server:
        yield server


@pytest.fixture
def app_config(smtp):
    return {"MAIL_CONFIGURED": True, "MAIL_SERVER": smtp.host, "MAIL_PORT": smtp.port, "MAIL_USE_TLS": False,
            "MAIL_USERNAME": None, "MAIL_PASSWORD": None, "PUBLIC_BASE_URL": "https://training.example.cn/",
            "RESET_LINK_LIMIT_PER_ACCOUNT": "2 per hour"}


def _mail_to(smtp, address, count=1, wait=5.0):
    """The messages to `address` once `count` of them arrived (sent from a thread), or what came in `wait` s."""
    deadline = time.monotonic() + wait
    while len(smtp.to(address)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return smtp.to(address)


def _ask(client, login):
    return client.post("/auth/forgot/email", data={"login": login})


@pytest.fixture
def trainee(session):
    user = make_user("trainee", org=make_org())
    user.mobile, user.email, user.locale = "13600000009", "zhang@example.cn", "en"
    session.commit()
    return user


def test_a_link_is_mailed_to_the_accounts_address_and_works_once(client, session, login, smtp, trainee):
    client.set_cookie("lang", "en")
    assert 'href="/auth/forgot/email"' in client.get("/auth/forgot").get_data(as_text=True)
    response = _ask(client, "13600000009")
    assert response.headers["Location"] == "/auth/forgot/email"
    assert "a link is on its way" in client.get("/auth/forgot/email").get_data(as_text=True)
    [mail] = _mail_to(smtp, "zhang@example.cn")
    link = re.search(r"https://training\.example\.cn(/auth/reset/\S+)", mail.body).group(1)
    assert "works once, within 60 minutes" in mail.body
    opened = client.get(link)
    assert opened.headers["Referrer-Policy"] == "no-referrer" and 'id="new_password"' in opened.get_data(as_text=True)
    done = client.post(link, data={"new_password": NEW, "confirm": NEW})
    assert done.headers["Location"] == "/auth/login"
    login(trainee, NEW)
    client.post("/auth/logout")
    assert "has expired or has already been used" in client.get(link).get_data(as_text=True)
    again = client.post(link, data={"new_password": "Another-Pass-88", "confirm": "Another-Pass-88"})
    assert again.status_code == 200
    login(trainee, NEW)
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.target_id == str(trainee.id))).all()
    assert actions == ["user.reset_link_sent", "user.password_reset_with_link"]


def test_unknown_logins_and_accounts_without_an_address_are_answered_alike_and_get_nothing(client, session, smtp):
    make_user("office_admin", username="no-address")
    session.commit()
    client.set_cookie("lang", "en")
    pages = []
    for login in ("nobody-at-all", "no-address"):
        _ask(client, login)
        pages.append(client.get("/auth/forgot/email").get_data(as_text=True))
    assert pages[0] == pages[1] and "a link is on its way" in pages[0]
    time.sleep(0.3)
    assert smtp.received == []


def test_links_per_account_are_limited(client, session, smtp, trainee):
    for _ in range(4):
        assert _ask(client, trainee.username).status_code == 302
    assert len(_mail_to(smtp, "zhang@example.cn", count=3, wait=1.5)) == 2


def test_the_mail_is_in_the_accounts_language(client, session, smtp, trainee):
    trainee.locale = "zh_CN"
    session.commit()
    _ask(client, trainee.username)
    [mail] = _mail_to(smtp, "zhang@example.cn")
    assert "/auth/reset/" in mail.body and mail.message["Content-Language"] == "zh-CN"


class TestWithoutMail:
    @pytest.fixture
    def app_config(self, smtp):
        return {"MAIL_CONFIGURED": False, "MAIL_SERVER": smtp.host, "MAIL_PORT": smtp.port}

    def test_the_pages_say_plainly_that_there_is_no_e_mail(self, client, session, smtp, trainee):
        client.set_cookie("lang", "en")
        forgot = client.get("/auth/forgot").get_data(as_text=True)
        assert "This portal cannot send e-mail" in forgot and 'href="/auth/forgot/email"' not in forgot
        page = client.get("/auth/forgot/email").get_data(as_text=True)
        assert "This portal cannot send e-mail" in page and 'name="login"' not in page
        assert client.post("/auth/forgot/email", data={"login": trainee.username}).status_code == 200
        time.sleep(0.3)
        assert smtp.received == []
