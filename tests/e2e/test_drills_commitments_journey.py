"""Journey 7: drills and duty commitments (issue #21). A company administrator records on a phone the drill the
mall held today (a missing scenario is refused next to its field, the rest kept), ticks who took part, adds a
follow-up action and a photo described for people who cannot see it, and the dashboard's drill card counts from
today; a fire-safety manager whose training is complete signs their duty commitment (an unticked box is refused,
the typed name kept), downloads the PDF copy, and the company sees it signed."""
from __future__ import annotations

from datetime import timedelta

import pytest
from PIL import Image
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from portal.domain.platform.localtime import local_today
from tests.e2e.steps import log_in

pytestmark = pytest.mark.e2e

MALL = "示范购物中心"
PASSWORD = "Duty-Signed-2026"
LOADED = """img => img.complete ? img.naturalWidth > 0 : new Promise(done => {
    img.addEventListener("load", () => done(img.naturalWidth > 0)); img.addEventListener("error", () => done(false));
})"""


def appoint_manager(session, n: int) -> dict:
    """The mall names a new fire-safety manager (on its roster, with an account) who has completed the manager's
    training: their duty commitment is waiting for them (the demo's own manager has no account)."""
    from portal.domain.workforce import roster
    from portal.domain.demo.commitments import _complete_training
    from portal.domain.workforce.rules import current_rules
    from portal.models import Organization, User, utcnow
    from portal.domain.platform.passwords import hash_password

    org = session.scalar(select(Organization).where(Organization.name == MALL))
    rules = current_rules(session)
    name = "管" + "一二三四五六七八九十"[n % 10] + "安"
    data = roster.PersonData(real_name=name, mobile=f"1368888{n:04d}", post="营业员", start_date=local_today(),
                             groups=["all_staff", "key_unit_staff", "safety_manager"])
    job = roster.hire(session, org, data, rules=rules, actor=roster.Actor(user_id=None), now=utcnow())
    user = User(mobile=data.mobile, display_name=name, password_hash=hash_password(PASSWORD))
    session.add(user)
    job.person.user = user
    session.flush()
    _complete_training(session, job, rules.groups["safety_manager"].courses, today=local_today())
    return {"name": name, "mobile": data.mobile}


def small_photo(path) -> None:
    Image.new("RGB", (160, 120), (200, 40, 30)).save(path, "PNG")


def test_company_admin_records_a_drill_held_today(portal, tour_factory, lang, run_number, tmp_path):
    tour = tour_factory("7-drill")
    page, keys = tour.page, tour.keys
    text = lambda message, **values: portal.text(lang, message, **values)  # noqa: E731
    today = local_today().isoformat()
    zh = lang == "zh_CN"

    log_in(tour, keys, "company")
    tour.check("dashboard")
    card = page.locator("main section.drill-card")
    assert text("Last drill") in card.inner_text() and text("Next drill due") in card.inner_text()
    assert card.locator("dd").first.inner_text().strip() != text("No drill recorded")  # the demo's drill

    # The drill held today: the scenario forgotten at first.
    keys.follow(page.locator("nav.subnav a[href$='/drills']"))
    tour.check("drills")
    keys.follow(page.locator("main a.button.primary[href*='/drills/new']"))
    tour.check("drill-form")
    assert page.locator("#day").input_value() == today
    keys.choose(page.locator("#kind"), text("Evacuation"))
    places = f"二楼服装区 {run_number} 号通道" if zh else f"Second floor, aisle {run_number}"
    keys.type_into(page.locator("#places"), places)
    keys.type_into(page.locator("#duration_minutes"), "25")
    keys.follow(page.locator("main form button.primary[type=submit]"))
    tour.check("drill-form-error", status=422)
    assert page.locator("#scenario-error").inner_text() == text("Describe the scenario of the drill.")
    assert page.locator("#scenario").get_attribute("aria-describedby") == "scenario-error"
    assert page.locator("#places").input_value() == places
    assert page.locator("#duration_minutes").input_value() == "25"
    assert page.locator("#kind").input_value() == "evacuation"
    scenario = f"二楼服装区试衣间起火 {run_number}" if zh else f"Fire in a fitting room on the second floor {run_number}"
    keys.type_into(page.locator("#scenario"), scenario)
    keys.follow(page.locator("main form button.primary[type=submit]"))
    tour.check("drill")
    assert text("The drill has been recorded. Add who took part below.") in page.locator("main").inner_text()
    facts = page.locator("main dl.facts").inner_text()
    assert scenario in facts and places in facts and today in facts and text("Held") in facts

    # Who took part: two people ticked in the picker.
    rows = page.locator("[data-picker-list] li")
    names = [rows.nth(i).locator(".picker-person > span").inner_text().split()[0] for i in range(2)]
    for i in range(2):
        keys.check(rows.nth(i).locator("input[type=checkbox]"))
    assert page.locator("[data-picker-count]").inner_text() != ""
    keys.follow(page.locator("main form button[value=record]"))
    tour.check("participants-recorded")
    assert text("%(n)s participant(s) recorded.", n=2) in page.locator("main").inner_text()
    listed = page.locator("#participants table tbody").inner_text()
    assert all(name in listed for name in names), (names, listed)

    # A follow-up action with its owner from the roster and a due date.
    what = f"试衣间烟感 {run_number} 号复检" if zh else f"Have smoke detector {run_number} in the fitting rooms checked"
    keys.type_into(page.locator("#description"), what)
    owner = page.locator("#owner_trainee_id option").nth(1).inner_text().strip()
    keys.choose(page.locator("#owner_trainee_id"), owner)
    due = (local_today() + timedelta(days=14)).isoformat()
    page.locator("#due_on").fill(due)  # the date field's own picker is the browser's
    keys.follow(page.locator("#actions form button.primary[type=submit]"))
    tour.check("action-added")
    assert text("The follow-up action has been added.") in page.locator("main").inner_text()
    action = page.locator("#actions ul.list li", has_text=what)
    assert action.count() == 1
    assert text("due by %(date)s", date=due) in action.inner_text()
    assert text("responsible: %(name)s", name=owner.split(" · ")[0]) in action.inner_text()

    # A photo, described for people who cannot see it.
    small_photo(tmp_path / "drill.png")
    alt = f"员工引导顾客从 {run_number} 号出口撤离" if zh else f"Staff guide shoppers to exit {run_number}"
    with page.expect_file_chooser() as chooser:
        keys.activate(page.locator("#photo"), "Space")
    chooser.value.set_files(str(tmp_path / "drill.png"))
    keys.type_into(page.locator("#alt_text"), alt)
    keys.follow(page.locator("#photos form button.primary[type=submit]"))
    tour.check("photo-added")
    assert text("The photo has been added.") in page.locator("main").inner_text()
    photo = page.locator(f"#photos figure img[alt='{alt}']")
    photo.scroll_into_view_if_needed()
    assert photo.evaluate(LOADED), "the thumbnail does not load"
    assert page.locator("#photos figure figcaption", has_text=alt).count() == 1

    # The dashboard's card counts from today.
    keys.follow(page.locator("nav.subnav a").first)
    tour.check("dashboard-after")
    card = page.locator("main section.drill-card")
    assert card.locator("dd").first.inner_text().strip() == today
    keys.follow(page.locator("nav.subnav a[href$='/drills']"))
    tour.check("drills-after", shot=False)
    assert page.locator("main table tbody tr", has_text=scenario).count() == 1
    tour.finish()


def test_manager_signs_the_duty_commitment(portal, tour_factory, lang, run_number, tmp_path):
    manager = portal.query(lambda s: appoint_manager(s, run_number))
    tour = tour_factory("7-commitment")
    page, keys = tour.page, tour.keys
    text = lambda message, **values: portal.text(lang, message, **values)  # noqa: E731

    log_in(tour, keys, manager["mobile"], PASSWORD)
    tour.check("home")
    assert tour.path == "/me/"
    card = page.locator("main section.panel", has=page.locator("h2", has_text=text("Sign your duty commitment")))
    assert card.count() == 1
    assert MALL in card.inner_text() and text("Fire-safety manager") in card.inner_text()
    keys.follow(card.locator("a.button.primary"))
    tour.check("commitment")

    # The box left unticked: refused in the reader's language, the typed name kept.
    keys.type_into(page.locator("#typed_name"), manager["name"])
    keys.follow(page.locator("main form button[type=submit]"))
    expect(page.locator("#confirm-error")).to_be_in_viewport()  # the page opens at the form, not two screens above
    assert page.locator("#confirm").bounding_box()["width"] >= 22  # the box beside its long label is not squeezed
    tour.check("commitment-unticked", status=422)
    assert page.locator("#confirm-error").inner_text() == text(
        "Tick the box to confirm that you have read the commitment and accept it.")
    assert page.locator("#typed_name").input_value() == manager["name"]
    assert not page.locator("#confirm").is_checked()
    keys.check(page.locator("#confirm"))
    keys.follow(page.locator("main form button[type=submit]"))
    tour.check("commitment-signed")
    assert text("Thank you: your duty commitment is signed. You can download a copy below.") in \
        page.locator("main").inner_text()
    assert page.locator("main h2#signed").inner_text() == text("Signed")
    assert f"“{manager['name']}”" in page.locator("main section.done").inner_text()

    # The PDF copy names them.
    with page.expect_download() as download:
        keys.activate(page.locator("main a.button.primary[href$='.pdf']"))
    copy = tmp_path / "commitment.pdf"
    download.value.save_as(copy)
    assert copy.read_bytes().startswith(b"%PDF")
    words = "".join(p.extract_text() for p in PdfReader(copy).pages)
    assert manager["name"] in words.replace(" ", ""), words[:300]

    # The company sees it signed (and the demo's own manager still to sign).
    office = tour_factory("7-commitment-company")
    page, keys = office.page, office.keys
    log_in(office, keys, "company")
    office.check("dashboard", shot=False)
    keys.follow(page.locator("nav.subnav a[href$='/commitments']"))
    office.check("commitments")
    to_sign = int(page.locator("main .stats .stat .num").nth(1).inner_text())
    assert to_sign >= 1, "the demo's fire-safety manager has not signed"
    keys.choose(page.locator("#status"), text("Signed"))
    keys.follow(page.locator("main form.filters button[type=submit]"))
    office.check("commitments-signed")
    row = page.locator("main table tbody tr", has_text=manager["name"])
    assert row.count() == 1
    assert text("Signed") in row.inner_text() and text("Fire-safety manager") in row.inner_text()
    tour.finish()
    office.finish()
