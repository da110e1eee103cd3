"""Journey 5: a company administrator acts where the problem is seen (issue #20): the roster filtered to the
overdue says which courses are overdue and since when, a person's page says "not started" for what nobody
opened, releasing someone asks for confirmation and a leaving date, and the invitation page lists who has not
registered, with a sheet to print."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from portal.domain.localtime import local_today
from tests.e2e.steps import log_in

pytestmark = pytest.mark.e2e


def test_company_admin_follows_up_the_overdue(portal, tour_factory, lang, run_number):
    tour = tour_factory("5-company-acts")
    page, keys = tour.page, tour.keys
    text = lambda message, **values: portal.text(lang, message, **values)  # noqa: E731

    log_in(tour, keys, "company")
    tour.check("dashboard", shot=False)
    keys.follow(page.locator("nav.subnav a[href$='/people']"))
    tour.check("roster", shot=False)

    # The overdue, and what they are overdue for.
    keys.choose(page.locator("#status"), text("Overdue"))
    keys.follow(page.locator("main form.filters button[type=submit]"))
    tour.check("roster-overdue")
    cells = page.locator("main table tbody tr td:last-child").all_inner_texts()
    since = re.escape(text("%(course)s (overdue since %(date)s)", course="@@", date="@@")).replace("@@", "(.+)")
    assert cells and all(re.search(since, cell) for cell in cells), cells[:3]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", re.search(since, cell).group(2)) for cell in cells)

    # One of them: what is open and whether they began it, then released with a date.
    people = page.locator("main table tbody tr td:first-child a")
    name = people.nth(run_number % people.count()).inner_text()
    keys.follow(people.nth(run_number % people.count()))
    tour.check("person")
    statuses = page.locator("main table").first.locator("tbody tr td:nth-child(3)").all_inner_texts()
    assert set(statuses) & {text("Not started"), text("In progress")}, statuses
    keys.follow(page.locator("main form[action$='/release'] button[type=submit]"))
    tour.check("release-confirm")
    assert text("Release %(name)s from the roster?", name=name) in page.locator("main h1").inner_text()
    left_on = (local_today() - timedelta(days=1)).isoformat()
    page.locator("#left_on").fill(left_on)  # the date field's own picker is the browser's
    keys.follow(page.locator("main form button[type=submit]"))
    tour.check("released")
    assert text("Left") in page.locator("main").inner_text() and left_on in page.locator("main").inner_text()

    # Who has not registered yet, and the sheet to hand out.
    keys.follow(page.locator("nav.subnav a[href$='/invite']"))
    tour.check("invitation")
    assert page.locator("main h2", has_text=text("Not registered yet")).count() == 1
    keys.follow(page.locator("main a[href*='sheet=unregistered']"))
    tour.check("reminder-sheet")
    assert page.locator("main img[src^='data:image'], main svg").count() >= 1  # the QR code of the link
    tour.finish()
