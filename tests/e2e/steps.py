"""Steps several journeys share: choosing the language, logging in, searching a list."""
from __future__ import annotations

from playwright.sync_api import Locator

from tests.e2e.keyboard import FOCUS_STATE, KeyboardUser
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


def wrong_answer(qtype: str, data: dict, option_order: list[str]) -> list[str]:
    """What someone who did not study would answer: every question (and every part of a case) answered wrong."""
    from portal.domain.content import questions

    right = questions.get(qtype).correct(data)
    if qtype == "ordering":
        return list(reversed(right))
    if qtype == "scenario":
        return [value for number in range(1, len(questions.parts(data)) + 1)
                for value in _one_wrong([v for v in option_order if v.startswith(f"{number}:")], right)]
    return _one_wrong(option_order, right)


def _one_wrong(choices: list[str], right: list[str]) -> list[str]:
    """A wrong choice; where every choice is right (a multiple choice of all its options), only one of them."""
    return [choice for choice in choices if choice not in right][:1] or right[:1]


def answer_question(page, keys: KeyboardUser, item: int, values: list[str]) -> bool:
    """Give one question's answer with the keyboard: tick each value, or (an ordering) choose each position's
    step in its drop-down list. True when something changed (the autosave then reports)."""
    selects = page.locator(f'select[data-answer="{item}"]')
    if selects.count():
        for position, step in enumerate(values):
            select = selects.nth(position)
            keys.choose(select, select.locator(f'option[value="{step}"]').inner_text().strip())
        return True
    changed = False
    for value in values:
        changed = keys.check(page.locator(f'input[data-answer="{item}"][value="{value}"]')) or changed
    return changed


# The second question's first control has the focus; the first question's stop that Shift+Tab reaches (its ticked
# radio button, else its last control) sits half under the timer.
UNDER_THE_TIMER = """() => {
  const [first, second] = document.querySelectorAll('#quiz-form fieldset');
  const stops = [...first.querySelectorAll('input, select')];
  const back = stops.find(e => e.type === 'radio' && e.checked) || stops[stops.length - 1];
  const start = second.querySelector('input, select');
  start.focus({preventScroll: true});
  const timer = document.getElementById('timer').offsetHeight, r = back.getBoundingClientRect();
  scrollBy(0, r.top + r.height / 2 - timer / 2);
  const moved = back.getBoundingClientRect();
  return document.activeElement === start && moved.top < timer && moved.bottom > 0;
}"""


def back_past_the_timer(page, keys: KeyboardUser) -> None:
    """The quiz's timer stays at the top of the screen: a question reached backwards with Shift+Tab scrolls clear of
    it, not behind it."""
    assert page.evaluate(UNDER_THE_TIMER), "a question's control sits under the timer"
    keys.press("Shift+Tab")
    state = page.evaluate(FOCUS_STATE, [page.evaluate_handle("() => document.activeElement")])
    assert state["onScreen"] and not state["covered"], f"the focused {state['what']} is hidden under the timer"
