"""Journey 6: the training office works in words and pictures (issue #20): it changes a training rule through
the form (a bad value is refused next to its field and kept), sets a target by picking the locality from the
tree, reads the trend chart with its target and deadline drawn and every figure linked to its definition, takes
the yearly report's sector and classroom-session tables away, and finds its changes in the audit log in words."""
from __future__ import annotations

import io

import openpyxl
import pytest

from tests.e2e.steps import log_in

pytestmark = pytest.mark.e2e


def test_office_edits_rules_sets_a_target_and_reads_the_figures(portal, tour_factory, lang, run_number):
    tour = tour_factory("6-office-words")
    page, keys = tour.page, tour.keys
    text = lambda message, **values: portal.text(lang, message, **values)  # noqa: E731

    log_in(tour, keys, "office")
    tour.check("overview", shot=False)

    # The rules, as a form: a wrong number is refused where it was typed, then a real change is previewed and applied.
    keys.follow(page.locator("header nav.main-nav a[href$='/office/rules']"))
    tour.check("rules-form")
    lead = page.locator("#renewal_lead_days")
    keys.type_into(lead, "9999")
    keys.follow(page.locator("main form.rules-form button[value=preview]"))
    tour.check("rules-bad-value", status=200)
    assert page.locator("#renewal_lead_days-error").is_visible() and lead.input_value() == "9999"
    keys.type_into(lead, str(30 + run_number % 5))
    keys.type_into(page.locator("main form.rules-form #note"), f"journey {run_number}")
    keys.follow(page.locator("main form.rules-form button[value=preview]"))
    tour.check("rules-preview")
    assert page.locator("#rules-preview").is_visible()
    keys.follow(page.locator("main form.rules-form button[value=confirm]"))
    tour.check("rules-applied", shot=False)
    assert f"journey {run_number}" in page.locator("main").inner_text()  # in the history

    # A target: the locality found by name in the tree, not typed as a code.
    keys.follow(page.locator("header nav.main-nav a[href$='/office/coverage/']"))
    tour.check("coverage", shot=False)
    keys.follow(page.locator("nav.subnav a[href$='/office/coverage/targets']"))
    tour.check("targets")
    grid = "青山村第2网格" if lang == "zh_CN" else "Qingshan Village Grid 2"
    keys.type_into(page.locator("#locality-q"), grid)
    radios = page.locator("#locality-tree label", has_text=grid).locator("input[type=radio]")
    assert radios.count() == 4  # a village of that name in each street: the path tells them apart
    keys.check(radios.last)
    chosen = page.locator("#locality-chosen strong").inner_text()
    street = "北苑街道" if lang == "zh_CN" else "Beiyuan"
    assert chosen.startswith(street) and chosen.endswith(grid), chosen
    keys.type_into(page.locator("#declared_count"), str(10 + run_number))
    keys.follow(page.locator("main form button.primary[type=submit]"))
    tour.check("target-saved")
    assert page.locator("main table tbody tr", has_text=grid).count() >= 1

    # The trend: one line per group with its marker, the target and the deadline drawn; figures explained.
    keys.follow(page.locator("nav.subnav a[href$='/office/coverage/trend']"))
    tour.check("trend")
    chart = page.locator("main svg.chart").first
    assert chart.locator("polyline.series").count() >= 2
    markers = {m.get_attribute("data-marker") for m in chart.locator(".marker").all()}
    assert len(markers) >= 2, markers  # shapes, not only colours, tell the lines apart
    assert chart.locator("line.target").count() == 1 and chart.locator(".deadline-label").count() >= 1
    definition = page.locator("main a[href*='/figures#']").first
    keys.follow(definition)
    tour.check("figure-definition", shot=False)
    anchor = page.url.split("#", 1)[1]
    assert page.locator(f"[id='{anchor}']").count() == 1
    page.go_back()

    # The yearly report's tables: coverage by sector and the classroom sessions behind offline completions.
    keys.follow(page.locator("nav.subnav a[href$='/office/coverage/']"))
    tour.check("coverage-again", shot=False)
    for table, heading in (("sectors", text("Sector")), ("offline", text("Organized or recorded by"))):
        with page.expect_download() as download:
            keys.activate(page.locator(f"main a[href*='/report/{table}.xlsx']").first)
        rows = [[str(cell or "") for cell in row]
                for row in openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes())).worksheets[0]
                .iter_rows(values_only=True)]
        assert len(rows) > 1 and any(heading in cell for row in rows[:3] for cell in row), rows[:3]

    # The audit log: what was just done, in words and local time.
    keys.follow(page.locator("header nav.main-nav a[href$='/office/audit']"))
    tour.check("audit-log")
    log = page.locator("main table tbody").inner_text()
    assert text("Training rules changed") in log and grid in log
    assert "rules.change" not in log and "coverage.target" not in log
    tour.finish()
