"""Journey 1: a new employee registers from the invitation link, studies the onboarding course (its drawings
included), fails a practice quiz and is told what to review, starts the counted quiz, leaves it half done, comes
back, passes, downloads the certificate, opens its QR code's page, reads their learning record, and later sets a
new password with the reset code their company gave them."""
from __future__ import annotations

import re
import subprocess

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from portal.domain.platform.localtime import local_today
from tests.e2e.keyboard import KeyboardUser
from tests.e2e.steps import answer_question, back_past_the_timer, choose_language, wrong_answer

pytestmark = pytest.mark.e2e

EMPLOYER = "示范购物中心"
COURSE = "all-staff-basics"
PASSWORD = "Fire-Drill-2026"
LOADED = """img => img.complete ? img.naturalWidth > 0 : new Promise(done => {
    img.addEventListener("load", () => done(img.naturalWidth > 0)); img.addEventListener("error", () => done(false));
})"""


def put_on_roster(session, n: int) -> dict:
    """The company has already put the new employee on its roster with their ID number (as on their first day),
    so registering with that number joins their record at once."""
    from portal.domain.workforce import roster
    from portal.domain.workforce.rules import current_rules
    from portal.domain.platform.validators import id_check_char
    from portal.models import Course, Organization, utcnow

    org = session.scalar(select(Organization).where(Organization.name == EMPLOYER))
    first17 = f"22030219950101{n % 1000:03d}"
    person = roster.PersonData(real_name=f"林新{'一二三四五六七八九十'[n % 10]}", mobile=f"1350000{n:04d}",  # not a demo mobile (139...)
                               post="营业员", start_date=local_today(), id_number=first17 + id_check_char(first17))
    roster.hire(session, org, person, rules=current_rules(session), actor=roster.Actor(user_id=None), now=utcnow())
    course = session.scalar(select(Course).where(Course.code == COURSE))
    return {"name": person.real_name, "mobile": person.mobile, "id_number": person.id_number, "code": org.invite_code,
            "course": {"zh_CN": course.title_zh, "en": course.title_en}}


def right_answers(session, attempt_id: int) -> dict[int, list[str]]:
    """What a trainee who studied well would answer, per attempt item."""
    from portal.domain.content import questions
    from portal.models import Attempt

    attempt = session.get(Attempt, attempt_id)
    return {item.id: questions.get(item.question_version.qtype).correct(item.question_version.data)
            for item in attempt.items}


def wrong_answers(session, attempt_id: int) -> dict[int, list[str]]:
    """What someone who did not study would answer: a wrong choice for every question."""
    from portal.models import Attempt

    attempt = session.get(Attempt, attempt_id)
    return {item.id: wrong_answer(item.question_version.qtype, item.question_version.data, item.option_order)
            for item in attempt.items}


def issue_reset_code(session, mobile: str) -> str:
    """The company administrator gives the person a reset code (as on the person's page)."""
    from datetime import timedelta

    from portal.domain.workforce import password_resets
    from portal.models import User, utcnow

    user = session.scalar(select(User).where(User.mobile == mobile))
    admin = session.scalar(select(User).where(User.username == "company"))
    return password_resets.issue_code(session, user, actor=admin, now=utcnow(), valid_for=timedelta(hours=24)).readable


def answer_page(page, keys: KeyboardUser, answers: dict[int, list[str]]) -> None:
    """Answer every question on the page with the keyboard and wait until each answer is saved."""
    items = [int(v) for v in page.locator("#quiz-form input[name=item]").evaluate_all("els => els.map(e => e.value)")]
    changed = {item for item in items if answer_question(page, keys, item, answers[item])}
    for item in changed:
        page.locator(f'[data-status="{item}"]').filter(has_text=re.compile(".+")).wait_for()


def test_new_employee_from_invitation_to_certificate(portal, tour_factory, run_number, tmp_path):
    person = portal.query(lambda s: put_on_roster(s, run_number))
    tour = tour_factory("1-trainee")
    page, keys = tour.page, tour.keys

    # The invitation link (as printed by the company, and in its QR code) opens the registration form.
    page.goto(f"/auth/register?code={person['code']}")
    choose_language(tour, keys)
    tour.check("register")
    assert page.locator("#invite_code").input_value() == person["code"]
    keys.type_into(page.locator("#real_name"), person["name"])
    keys.type_into(page.locator("#mobile"), person["mobile"])
    keys.type_into(page.locator("#id_number"), person["id_number"].lower())  # as typed on a phone: a small x
    keys.type_into(page.locator("#password"), PASSWORD)
    keys.type_into(page.locator("#confirm"), PASSWORD)
    keys.follow(page.locator("main form button[type=submit]"))
    tour.check("my-training")
    assert tour.path == "/me/"
    todo = page.locator("section[aria-labelledby=todo]")
    assert portal.text(tour.lang, "Onboarding: training before starting work") in todo.inner_text()

    # Study the onboarding course, lesson after lesson.
    keys.follow(todo.locator(f'a[href$="/me/courses/{COURSE}"]'))
    tour.check("course")
    keys.follow(page.locator(f'#lessons ~ p a.button[href*="/me/courses/{COURSE}/lessons/"]'))
    lesson, figures = 0, 0
    while "/lessons/" in page.url:
        lesson += 1
        pictures = page.locator("article.lesson figure img")
        figures += pictures.count()
        tour.check(f"lesson-{lesson}", shot=lesson in (1, 3))
        for n in range(pictures.count()):
            picture = pictures.nth(n)
            assert picture.get_attribute("alt"), "every drawing has its words for screen readers"
            picture.scroll_into_view_if_needed()  # drawings load lazily, as they come on screen
            assert picture.evaluate(LOADED), "the drawing loads"
        keys.follow(page.locator("#lesson-done button[type=submit]"))
    assert lesson == 6 and figures >= 3, "six lessons, the skills drawn"
    tour.check("course-studied", shot=False)

    # A practice quiz first, answered badly on purpose: it does not count, and it says what to read again.
    keys.follow(page.locator("section[aria-labelledby=quiz] button[name=kind][value=practice]"))
    tour.check("practice", shot=False)
    practice_id = int(re.search(r"/me/attempts/(\d+)", page.url).group(1))
    wrong = portal.query(lambda s: wrong_answers(s, practice_id))
    while True:
        answer_page(page, keys, wrong)
        last = page.locator('#quiz-form button[name=then][value=submit]')
        if last.count():
            keys.follow(last)
            break
        keys.follow(page.locator("#quiz-form button[name=next_page]").last)
    tour.check("practice-result")
    assert page.locator("main h2", has_text=portal.text(tour.lang, "Review these lessons")).count() == 1
    keys.follow(page.locator("main .actions a[href*='/me/courses/']"))

    # Start the quiz and answer the first page.
    keys.follow(page.locator("section[aria-labelledby=quiz] form button[type=submit]:not([name=kind])"))
    tour.check("quiz-page-1")
    attempt_id = int(re.search(r"/me/attempts/(\d+)", page.url).group(1))
    answers = portal.query(lambda s: right_answers(s, attempt_id))
    answer_page(page, keys, answers)

    # Later: the phone's tab was closed; open the portal again and resume the quiz where it was left.
    page = tour.reopen()
    keys = tour.keys
    page.goto("/me/")
    tour.check("back-later", shot=False)
    keys.follow(page.locator(f'section[aria-labelledby=todo] a[href$="/me/courses/{COURSE}"]'))
    tour.check("course-quiz-open", shot=False)
    keys.follow(page.locator(f'section[aria-labelledby=quiz] a[href$="/me/attempts/{attempt_id}"]'))
    tour.check("quiz-resumed")
    # a choice is a ticked box; a step of an ordering question is a chosen drop-down entry
    checked = page.locator("#quiz-form input:checked").count() + page.locator("#quiz-form select").evaluate_all(
        "selects => selects.filter(select => select.value).length")
    assert checked >= 5, "the answers given before closing the tab are still there"
    back_past_the_timer(page, keys)
    quiz_page = 1
    while True:
        answer_page(page, keys, answers)
        last = page.locator('#quiz-form button[name=then][value=submit]')
        if last.count():
            keys.follow(last)
            break
        keys.follow(page.locator("#quiz-form button[name=next_page]").last)
        quiz_page += 1
        tour.check(f"quiz-page-{quiz_page}", shot=False)
    tour.check("result")
    assert page.locator(".panel.celebrate").count() == 1, "the quiz is passed, and said so"
    assert page.locator(".panel.celebrate a[href*='/verify/']").count() == 1, "with the certificate at hand"

    # The certificate: download the PDF, read its QR code, open the page it leads to.
    keys.follow(page.locator("header nav.main-nav a[href$='/me/']"))
    tour.check("my-training-done", shot=False)
    keys.follow(page.locator("a[href$='/me/history']"))
    tour.check("my-learning")
    assert person["course"][tour.lang] in page.locator("section[aria-labelledby=completed]").inner_text()
    keys.follow(page.locator("header nav.main-nav a[href$='/me/']"))
    keys.follow(page.locator("a[href$='/me/certificates']"))
    tour.check("certificates")
    card = page.locator(".cert-card", has_text=person["course"][tour.lang])
    with page.expect_download() as download_info:
        keys.activate(card.locator("a[href$='.pdf']"))
    pdf = tmp_path / "certificate.pdf"
    download_info.value.save_as(pdf)
    assert person["name"] in PdfReader(pdf).pages[0].extract_text()
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf), str(tmp_path / "certificate")],
                   check=True)
    codes = zxingcpp.read_barcodes(Image.open(tmp_path / "certificate.png"))
    assert len(codes) == 1, "one QR code on the certificate"
    assert codes[0].text.startswith(portal.base_url + "/verify/")
    page.goto(codes[0].text)
    tour.check("verification")
    assert page.locator(".verdict.verdict-ok").count() == 1
    assert person["course"][tour.lang] in page.locator("main").inner_text()
    # The inspector types the name on the holder's ID card: it matches, and the page still shows it masked.
    keys.type_into(page.locator("#name"), person["name"])
    keys.follow(page.locator("form[action$='/name'] button[type=submit]"))
    tour.check("verification-name")
    assert page.locator(".verdict.verdict-ok").count() == 2
    assert person["name"] not in page.locator("main").inner_text()

    # Weeks later the password is forgotten: the company gives a reset code, the person sets a new password.
    keys.follow(page.locator("header nav.main-nav form button[type=submit]"))  # log out
    tour.check("logged-out", shot=False)
    page.goto("/auth/login")
    tour.check("login-again", shot=False)
    keys.follow(page.locator("main a[href$='/auth/forgot']"))
    tour.check("forgot-password")
    code = portal.query(lambda s: issue_reset_code(s, person["mobile"]))
    keys.type_into(page.locator("#login"), person["mobile"])
    keys.type_into(page.locator("#code"), code.lower())  # as typed on a phone
    keys.type_into(page.locator("#new_password"), PASSWORD + "!")
    keys.type_into(page.locator("#confirm"), PASSWORD + "!")
    keys.follow(page.locator("main form button[type=submit]"))
    tour.check("password-reset", shot=False)
    keys.type_into(page.locator("#login"), person["mobile"])
    keys.type_into(page.locator("#password"), PASSWORD + "!")
    keys.follow(page.locator("main form button[type=submit]"))
    assert tour.path == "/me/", "logged in with the new password"
    tour.finish()
