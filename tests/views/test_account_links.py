"""Log in, register and forgot password link to each other, in both languages."""
import pytest

PAGES = {
    "/auth/login": ("/auth/register", "/auth/forgot"),
    "/auth/register": ("/auth/login", "/auth/forgot"),
    "/auth/forgot": ("/auth/login", "/auth/register"),
}


@pytest.mark.parametrize("language", ["zh_CN", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_each_account_page_links_to_the_others(client, session, language, page):
    client.set_cookie("lang", language)
    html = client.get(page).get_data(as_text=True)
    for target in PAGES[page]:
        assert f'href="{target}"' in html
    assert html.count(' id="csrf_token"') <= 1


def test_the_links_read_in_chinese_by_default(client, session):
    html = client.get("/auth/login").get_data(as_text=True)
    assert "使用邀请码注册" in html
