"""Journey 5: a company administrator acts where the problem is seen (issue #20): the roster filtered to the
overdue says which courses are overdue and since when, one click reminds them (by e-mail, else on a printed
list with QR codes) and each person's page shows the reminder, a person's page says "not started" for what nobody
opened, releasing someone asks for confirmation and a leaving date, and the invitation page lists who has not
registered, with a sheet to print."""
from __future__ import annotations

import io
import re
from datetime import timedelta

import openpyxl
import pytest
from sqlalchemy import select

from portal.domain.platform.localtime import local_today
from tests.e2e.steps import log_in

pytestmark = pytest.mark.e2e


def _commitment_holders(session) -> list[str]:
    """The names of the demo mall's responsible person and fire-safety manager (as commitments_demo finds them)."""
    from portal.domain.demo.commitments import MALL, _holder
    from portal.models import Organization

    org = session.scalar(select(Organization).where(Organization.name == MALL))
    holders = [_holder(session, org, group) for group in ("responsible_person", "safety_manager")]
    return [job.person.real_name for job in holders if job is not None]


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

    # Remind them all: how many, then the list to print; nobody is reminded twice a day (the later runs).
    overdue_url = page.url
    names = page.locator("main table tbody tr td:first-child a").all_inner_texts()
    keys.follow(page.locator("main a[href*='/remind']"))
    tour.check("remind-confirm")
    send = page.locator("main form[action$='/remind'] button[type=submit]")
    if send.count():
        keys.follow(send)
        page.locator("main section.panel a.button[href$='/people']").wait_for(timeout=30_000)  # shown at the end
        tour.check("reminded")
        said = page.locator("main p[role=status]").inner_text()
        printable = page.locator("main p.actions a.button.primary")
        assert printable.count() or "e-mail" in said or "邮件" in said, said
        if printable.count():  # those without an e-mail address
            keys.follow(printable)
            tour.check("reminder-list")
            listed = page.locator("main").inner_text()
            assert any(name in listed for name in names), (names, listed[:300])
    else:
        assert text("Everyone in this list was already reminded today. A person is reminded at most once a day.") \
            in page.locator("main").inner_text()
    page.goto(overdue_url)

    # One of them: what is open and whether they began it, the reminder on their page, then released with a date.
    # (never a security guard, whom the classroom journey below signs in, nor the mall's responsible person or
    # fire-safety manager, whose duty commitments the commitments journey follows)
    keep = portal.query(_commitment_holders)
    rows = page.locator("main table tbody tr")
    others = [n for n, row in enumerate(rows.all_inner_texts())
              if "保安员" not in row and not any(name in row for name in keep)]
    person = rows.nth(others[run_number % len(others)]).locator("td:first-child a")
    name = person.inner_text()
    keys.follow(person)
    tour.check("person")
    statuses = page.locator("main table").first.locator("tbody tr td:nth-child(3)").all_inner_texts()
    assert set(statuses) & {text("Not started"), text("In progress")}, statuses
    reminders = page.locator("main section.panel", has=page.locator("h2", has_text=text("Reminders")))
    assert text("On a printed sheet") in reminders.inner_text() or "@" in reminders.inner_text()
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


def test_company_admin_records_a_classroom_session_from_the_roster(portal, tour_factory, lang, run_number):
    """The sign-in picker: filtered by post, everyone shown ticked at once, one person's shorter class hours; a
    wrong number keeps every tick and names the person; the session then lists each attendee's hours."""
    tour = tour_factory("5-company-classroom")
    page, keys = tour.page, tour.keys
    text = lambda message, **values: portal.text(lang, message, **values)  # noqa: E731

    log_in(tour, keys, "company")
    tour.check("dashboard", shot=False)
    keys.follow(page.locator("nav.subnav a[href$='/office/coverage/sessions']"))
    tour.check("sessions", shot=False)
    keys.follow(page.locator("main a.button.primary[href$='/sessions/new']"))
    tour.check("session-form")
    page.locator("#held_on").fill(local_today().isoformat())
    keys.type_into(page.locator("#trainer"), "李教官" if lang == "zh_CN" else "Trainer Li")
    keys.type_into(page.locator("#place"), f"三楼培训室 {run_number}" if lang == "zh_CN" else f"Training room {run_number}")
    keys.type_into(page.locator("#hours"), "2")
    keys.follow(page.locator("main form button.primary[type=submit]"))
    tour.check("session")

    # The security staff only, all of them ticked; one left early.
    keys.choose(page.locator("select[name=post]"), "保安员")
    keys.follow(page.locator("[data-picker-filter]"))
    tour.check("picker-filtered")
    rows = page.locator("[data-picker-list] li")
    assert rows.count() >= 2 and all("保安员" in row for row in rows.all_inner_texts())
    keys.activate(page.locator("[data-picker-all]"))
    boxes = page.locator("[data-picker-list] input[type=checkbox]")
    assert all(box.is_checked() for box in boxes.all())
    names = [row.locator(".picker-person > span").inner_text().split()[0] for row in rows.all()]
    early = names[0]
    hours = rows.first.locator(".picker-hours input")
    keys.type_into(hours, "3")  # more than the session's 2 hours
    keys.follow(page.locator("main form button[value=record]"))
    tour.check("picker-error", status=422)
    assert early in page.locator(".form-errors").inner_text()
    assert all(box.is_checked() for box in page.locator("[data-picker-list] input[type=checkbox]").all())
    keys.type_into(page.locator("[data-picker-list] li").first.locator(".picker-hours input"), "1.5")
    keys.follow(page.locator("main form button[value=record]"))
    tour.check("attendance-recorded")
    recorded = {row.locator("td").first.inner_text(): row.locator("td").last.inner_text()
                for row in page.locator("main table").last.locator("tbody tr").all()}
    assert recorded == {name: "1.5" if name == early else "2" for name in names}
    tour.finish()


def test_company_admin_downloads_a_template_that_explains_itself(portal, tour_factory, lang):
    """The XLSX template: the roster sheet first and empty, an instructions sheet in the page's language with an
    example the import never reads, and drop-down lists of posts and key groups."""
    tour = tour_factory("5-company-template")
    page, keys = tour.page, tour.keys
    text = lambda message, **values: portal.text(lang, message, **values)  # noqa: E731

    log_in(tour, keys, "company")
    tour.check("dashboard", shot=False)
    keys.follow(page.locator("nav.subnav a[href$='/import']"))
    tour.check("import", shot=False)
    with page.expect_download() as download:
        keys.activate(page.locator("main a[href$='/import/template.xlsx']"))
    book = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    roster, instructions = book.worksheets[0], book.worksheets[1]
    assert roster.max_row == 1 and instructions.title == text("Instructions")
    assert text("How to fill in this template") in str(instructions["A1"].value)
    assert any(text("Example (never imported)") in str(cell) for row in instructions.iter_rows(values_only=True)
               for cell in row)
    lists = {str(rule.sqref).split(":")[0][0] for rule in roster.data_validations.dataValidation}
    assert len(lists) >= 2  # posts and key groups
    tour.finish()
