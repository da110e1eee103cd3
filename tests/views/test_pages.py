"""Language, error pages, health check, each role's home page."""
import pytest
from sqlalchemy import select

from portal.domain.demo import DEMO_PASSWORD, seed_demo
from portal.models import Organization, Trainee, User


def test_home_page_is_chinese_by_default_and_switches_to_english(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page and "消防安全培训平台" in page
    response = client.get("/lang/en?next=/auth/login")
    assert response.headers["Location"] == "/auth/login"
    assert "lang=en" in response.headers["Set-Cookie"]
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page and "Fire Safety Training Portal" in page
    client.get("/lang/zh_CN?next=https://evil.example/")
    assert "消防安全培训平台" in client.get("/").get_data(as_text=True)


def test_unknown_language_changes_nothing(client):
    response = client.get("/lang/fr")
    assert "Set-Cookie" not in response.headers


def test_language_is_remembered_on_the_account(client, session, login):
    from tests.factories import make_user

    user = make_user("office_admin")
    session.commit()
    login(user)
    client.get("/lang/en")
    assert session.get(User, user.id).locale == "en"


@pytest.mark.parametrize("lang, text", [("zh_CN", "页面不存在"), ("en", "Page not found")])
def test_404_page_in_both_languages(client, lang, text):
    client.set_cookie("lang", lang)
    response = client.get("/no/such/page")
    assert response.status_code == 404 and text in response.get_data(as_text=True)


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.json["database"] == "ok" and response.json["status"] == "ok"


def test_security_headers_on_every_response(client):
    for url in ("/", "/auth/login", "/healthz", "/no/such/page"):
        headers = client.get(url).headers
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"


def test_pages_link_no_cdn(client):
    page = client.get("/").get_data(as_text=True)
    assert "http://" not in page and "https://" not in page


def test_demo_seed_is_idempotent_and_every_demo_account_reaches_its_home(app, session):
    from datetime import date

    first = seed_demo(session, today=date(2026, 11, 30))
    session.commit()
    again = seed_demo(session, today=date(2026, 11, 30))
    session.commit()
    assert first["organizations"] >= 20 and first["trainees"] >= 300 and first["accounts"] == 5
    assert first["coverage targets"] > 10  # the office sees targets, not only rosters, from the start
    assert set(again.values()) == {0}
    kinds = set(session.scalars(select(Organization.kind)))
    assert kinds == {"key_unit", "public_gathering", "general"}
    assert session.scalar(select(Trainee).where(Trainee.user_id.is_not(None))).real_name == "陈小明"
    homes = {"admin": "/office/", "office": "/office/", "dept": "/office/", "company": "/company/", "trainee": "/me/"}
    for login_name, home in homes.items():
        client = app.test_client()
        response = client.post("/auth/login", data={"login": login_name, "password": DEMO_PASSWORD})
        location = response.headers["Location"]
        assert location.startswith(home if home.startswith("/") else "/office/")
        page = client.get(location, follow_redirects=True)
        assert page.status_code == 200
        assert "退出登录" in page.get_data(as_text=True)


def test_nul_characters_in_forms_are_a_clean_400(client, session):
    response = client.post("/auth/login", data={"login": "ab\x00c", "password": "x"})
    assert response.status_code == 400 and "<h1>" in response.get_data(as_text=True)
    assert client.get("/auth/login?next=a%00b").status_code == 400
