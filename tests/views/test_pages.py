"""Language, error pages, health check, each role's home page."""
import pytest
from sqlalchemy import select

from portal.domain.demo import DEMO_PASSWORD, seed_demo
from portal.models import Organization, Person, Trainee, User


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
    assert session.scalar(select(Trainee).join(Trainee.person).where(Person.user_id.is_not(None))).real_name == "陈小明"
    mall = select(Trainee.post, Trainee.department).join(Organization).where(Organization.name == "示范购物中心")
    by_post = {post: department for post, department in session.execute(mall)}
    assert (by_post["保安员"], by_post["电工"], by_post["收银员"], by_post["保洁员"]) == ("安保部", "工程部", "营运部", "物业部")
    school = select(Trainee.department).join(Organization).where(Organization.name == "区第一中学",
                                                                  Trainee.post == "教师")
    assert set(session.scalars(school)) <= {"教务处"}
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


def _main_navigation(page: str) -> str:
    return page[page.index('<nav class="main-nav"'):page.index("</nav>", page.index('<nav class="main-nav"'))]


def test_main_navigation_follows_roles_language_page_and_user(client, session, login):
    from tests.factories import make_user

    admin, company_admin = make_user("office_admin"), make_user("org_admin")
    session.commit()
    login(admin)
    nav = _main_navigation(client.get("/office/").get_data(as_text=True))
    assert '<a href="/office/" aria-current="page">总览</a>' in nav and '<a href="/office/users">' in nav
    assert "/company/" not in nav and f"({admin.display_name})" in nav
    nav = _main_navigation(client.get("/office/users").get_data(as_text=True))
    assert '<a href="/office/" aria-current="page">' not in nav and 'href="/office/users" aria-current="page"' in nav
    client.set_cookie("lang", "en")
    nav = _main_navigation(client.get("/office/").get_data(as_text=True))
    assert '<a href="/office/" aria-current="page">Overview</a>' in nav and ">Log out<span class=\"who\"> (" in nav
    client.post("/auth/logout", data={})
    login(company_admin)
    nav = _main_navigation(client.get("/office/").get_data(as_text=True))
    assert "/office/users" not in nav and 'href="/company/"' in nav and f"({company_admin.display_name})" in nav


def test_language_can_change_between_requests_and_inside_force_locale(app):
    from flask_babel import force_locale, gettext

    from portal.web.i18n import current_locale

    with app.app_context():  # requests sharing one application context, as in the tests
        for lang, title in (("en", "Fire Safety Training Portal"), ("zh_CN", "消防安全培训平台"), ("en", "Fire")):
            with app.test_request_context(headers={"Cookie": f"lang={lang}"}):
                app.preprocess_request()
                rendered = app.jinja_env.from_string('{{ _("Fire Safety Training Portal") }}').render()
                assert rendered.startswith(title) and current_locale() == lang
                other = "zh_CN" if lang == "en" else "en"
                with force_locale(other):
                    assert current_locale() == other
                    assert app.jinja_env.from_string('{{ _("Log out") }}').render() == gettext("Log out")
                assert current_locale() == lang
