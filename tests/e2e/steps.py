"""Steps several journeys share: choosing the language, logging in, searching a list."""
from __future__ import annotations

from playwright.sync_api import Locator

from tests.e2e.keyboard import KeyboardUser
from tests.e2e.page_checks import HTML_LANG, Tour

DEMO_PASSWORD = "Demo-Pass-2026"


def choose_language(tour: Tour, keys: KeyboardUser) -> None:
    """Use the switch in the header when the page is not in the tour's language."""
    if tour.page.get_attribute("html", "lang") != HTML_LANG[tour.lang]:
        keys.follow(tour.page.locator("header nav.lang a"))
    assert tour.page.get_attribute("html", "lang") == HTML_LANG[tour.lang]


def log_in(tour: Tour, keys: KeyboardUser, login: str, password: str = DEMO_PASSWORD) -> None:
    """Open the login page, choose the language there, log in with the keyboard."""
    page = tour.page
    page.goto("/auth/login")
    choose_language(tour, keys)
    tour.check("login", shot=False)
    keys.type_into(page.locator("#login"), login)
    keys.type_into(page.locator("#password"), password)
    keys.follow(page.locator("main form button[type=submit]"))


def search(tour: Tour, keys: KeyboardUser, text: str, name: str) -> Locator:
    """Type into the list's search box and submit with Enter; the results page is checked as `name`-search
    (without a screenshot). Returns the result links that say `text`."""
    page = tour.page
    keys.type_into(page.locator("#q"), text)
    with keys.navigating():
        keys.press("Enter")
    tour.check(f"{name}-search", shot=False)
    return page.locator("main table a", has_text=text)
