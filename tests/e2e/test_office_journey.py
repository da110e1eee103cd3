"""Journey 3: the training office checks coverage, drills down from the district to a grid, exports
the table, downloads the yearly report and revokes a certificate, which its verification page shows."""
from __future__ import annotations

import csv
import io
from urllib.parse import parse_qs, urlsplit

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from portal.domain.platform.localtime import local_today
from portal.models import Locality
from tests.e2e.steps import log_in, search

pytestmark = pytest.mark.e2e


def a_valid_certificate(session, n: int) -> dict:
    """The n-th valid certificate of someone still on a roster (each run revokes its own)."""
    from portal.models import Certificate, Organization, Trainee

    today = local_today()
    rows = session.execute(
        select(Certificate, Trainee, Organization).join(Trainee, Certificate.person_id == Trainee.person_id)
        .join(Organization, Trainee.organization_id == Organization.id)
        .where(Certificate.status == "valid", Trainee.status == "active",
               (Certificate.valid_until.is_(None)) | (Certificate.valid_until >= today))
        .order_by(Certificate.id)
    ).all()
    cert, trainee, org = rows[n]
    return {"serial": cert.serial, "trainee": trainee.id, "name": trainee.real_name, "org": org.name}


def test_office_checks_coverage_reports_and_revokes(portal, tour_factory, lang, run_number, tmp_path):
    target = portal.query(lambda s: a_valid_certificate(s, run_number))
    tour = tour_factory("3-office")
    page, keys = tour.page, tour.keys

    log_in(tour, keys, "office")
    tour.check("overview")
    keys.follow(page.locator("main a[href$='/office/people/conflicts']"))  # what merging rosters found
    tour.check("conflicts", shot=False)
    keys.follow(page.locator("header nav.main-nav a[href$='/office/']"))
    keys.follow(page.locator("main a[href$='/office/posts?status=to_review']"))  # posts companies added
    tour.check("posts-to-review")
    assert "叉车司机" in page.locator("main table").inner_text(), "the demo's first import added a post"
    keys.follow(page.locator("header nav.main-nav a[href$='/office/coverage/']"))
    tour.check("coverage")
    assert page.locator("main table.figures tbody tr").count() >= 5, "coverage of each key group"

    # From the district down to a grid, one level at a time.
    keys.follow(page.locator("nav.subnav a[href$='/office/coverage/localities']"))
    tour.check("district")
    levels = 0
    while page.locator("main table.matrix").count():
        levels += 1
        keys.follow(page.locator("main table.matrix tbody th a").first)
        tour.check(f"level-{levels}")
    grid = int(parse_qs(urlsplit(page.url).query)["locality"][0])
    assert portal.query(lambda s: s.get(Locality, grid).level) == "grid"

    # Back up to the community: its table of grids, taken away as a spreadsheet.
    keys.follow(page.locator("nav.breadcrumbs li a").last)
    tour.check("community", shot=False)
    grid_name = page.locator(f"main table.matrix tbody th a[href$='locality={grid}']").inner_text()
    with page.expect_download() as download:
        keys.activate(page.locator("main p.exports a[href*='format=csv']").last)
    table = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    assert any(grid_name in row for row in table), table[:3]

    # The yearly report, as the office hands it in. Made as when it takes long (a past year at district scale):
    # a page shows its progress, then the download link.
    keys.follow(page.locator("nav.subnav a[href$='/office/coverage/']"))
    tour.check("coverage-again", shot=False)
    portal.app.config["REPORT_WAIT_SECONDS"] = 0
    try:
        keys.follow(page.locator(f"main a[href$='/office/coverage/report.pdf?year={local_today().year}']"))
    finally:
        portal.app.config.pop("REPORT_WAIT_SECONDS")
    assert "/office/coverage/report/" in page.url
    ready = page.locator("main a.button[href$='.pdf']")
    ready.wait_for(timeout=60_000)  # progress.js reloads the page when the job ends
    tour.check("report-ready")
    with page.expect_download() as download:
        keys.activate(ready)
    report = tmp_path / "report.pdf"
    download.value.save_as(report)
    assert str(local_today().year) in PdfReader(report).pages[0].extract_text()

    # A certificate to revoke: organization > its roster > the person > the certificate.
    keys.follow(page.locator("header nav.main-nav a[href$='/office/organizations']"))
    tour.check("organizations")
    keys.follow(search(tour, keys, target["org"], "organization").first)
    tour.check("organization")
    keys.follow(page.locator("main a[href$='/company/'], main a[href*='/company/'][href$='/']").first)
    tour.check("company-pages", shot=False)
    keys.follow(page.locator("nav.subnav a[href$='/people']"))
    tour.check("roster", shot=False)
    keys.type_into(page.locator("#q"), target["name"])
    with keys.navigating():
        keys.press("Enter")
    tour.check("roster-search", shot=False)
    keys.follow(page.locator(f"main table a[href$='/people/{target['trainee']}']"))
    tour.check("person")
    keys.follow(page.locator(f"main a[href$='/certificates/{target['serial']}']"))
    tour.check("certificate")
    keys.type_into(page.locator("#revoke-reason"), "培训记录造假" if lang == "zh_CN" else "Training record was forged")
    keys.follow(page.locator("form[action$='/revoke'] button[type=submit]"))
    tour.check("certificate-revoked")
    assert page.locator("main .badge.bad").first.is_visible()

    # What an inspector who scans the certificate now sees.
    keys.follow(page.locator("main a[href*='/verify/']").first)
    tour.check("verification-revoked")
    assert page.locator(".verdict.verdict-bad").count() == 1
    tour.finish()
