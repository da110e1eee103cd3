"""Journey 8: the training office keeps the question bank (issue #22): it uploads a small Chinese-only GIFT file,
reads the preview (two questions to add, one refused with its line) before anything is applied, applies it,
edits one question in the browser (the English text it lacked: a new version, the old one kept in the history)
and retires the other with a reason."""
from __future__ import annotations

import pytest
from sqlalchemy import text as sql

from tests.e2e.steps import log_in

pytestmark = pytest.mark.e2e

TAG = "basics.fire-science"


def gift(run_number: int) -> str:
    return (f"// the office's own questions\n"
            f"::journey-{run_number}-one:: 灭火器压力表指针在绿区表示？ {{=压力正常 ~压力不足 ~压力过高}}\n\n"
            f"::journey-{run_number}-two:: 发现火灾应立即拨打119。 {{T}}\n\n"
            f"::journey-{run_number}-three:: 灭火器的有效期是几年？ {{#5}}\n")


def test_office_uploads_edits_and_retires_questions(portal, tour_factory, lang, run_number, tmp_path):
    tour = tour_factory("8-office-content")
    page, keys = tour.page, tour.keys
    text = lambda message, **values: portal.text(lang, message, **values)  # noqa: E731
    one, two = f"journey-{run_number}-one", f"journey-{run_number}-two"
    source = tmp_path / "office.gift"
    source.write_text(gift(run_number), encoding="utf-8")

    log_in(tour, keys, "office")
    tour.check("overview", shot=False)
    keys.follow(page.locator("header nav.main-nav a[href$='/office/questions']"))
    tour.check("questions")
    keys.follow(page.locator("nav.subnav a[href$='/office/questions/upload']"))
    tour.check("upload")

    # The file with the tag its questions get; the preview applies nothing.
    keys.choose(page.locator("#tag"), TAG)
    with page.expect_file_chooser() as chooser:
        keys.activate(page.locator("#file"), "Space")
    chooser.value.set_files(str(source))
    keys.follow(page.locator("main form button[type=submit]"))
    tour.check("upload-preview")
    main = page.locator("main").inner_text()
    assert text("%(added)s to add, %(changed)s to change, %(unchanged)s unchanged, %(refused)s refused.",
                added=2, changed=0, unchanged=0, refused=1) in main
    unsupported = text("%(value)s questions are not supported: only single choice, multiple choice and true/false",
                       value="numerical")
    assert text("Line %(line)s: %(problem)s", line=6, problem=unsupported) in main
    assert portal.query(lambda s: s.execute(
        sql("SELECT count(*) FROM question WHERE code = :c"), {"c": one}).scalar()) == 0
    keys.follow(page.locator("main form button.primary[type=submit]"))
    tour.check("upload-applied", shot=False)
    assert text("Applied: %(added)s added, %(changed)s changed, %(unchanged)s unchanged.",
                added=2, changed=0, unchanged=0) in page.locator("main").inner_text()

    # Edit: the English text the GIFT file lacked, as a new version.
    page.goto(f"/office/questions/{one}")
    tour.check("question")
    keys.follow(page.locator(f"main a[href$='/office/questions/{one}/edit']"))
    tour.check("question-edit")
    keys.type_into(page.locator("#stem_en"), "What does a pressure gauge needle in the green zone mean?")
    keys.type_into(page.locator("#option_a_en"), "Normal pressure")
    keys.follow(page.locator("main form button.primary[type=submit]"))
    tour.check("question-edited")
    main = page.locator("main").inner_text()
    assert text("Saved as version %(number)s. Attempts already made keep the version they showed.", number=2) in main
    assert page.locator("main section[aria-labelledby=history] li").count() == 2

    # Retire the other one, with the reason the audit log keeps.
    page.goto(f"/office/questions/{two}")
    tour.check("question-two", shot=False)
    keys.follow(page.locator(f"main a[href$='/office/questions/{two}/retire']"))
    tour.check("question-retire")
    keys.type_into(page.locator("#reason"), f"journey {run_number}: duplicate of a shipped question")
    keys.follow(page.locator("main form button.primary[type=submit]"))
    tour.check("question-retired")
    assert text("Retired: new quizzes no longer draw it.") in page.locator("main").inner_text()
    retired = portal.query(lambda s: s.execute(sql(
        "SELECT retired FROM question WHERE code = :c"), {"c": two}).scalar())
    assert retired in (True, 1)
    tour.finish()
