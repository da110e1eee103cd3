"""Journey 2: a company administrator imports a roster with bad rows, fixes them from the error file,
confirms, records a transfer and sees the new assignment due with its reason."""
from __future__ import annotations

import csv
import re

import openpyxl
import pytest

from portal.domain.platform.localtime import local_today
from tests.e2e.keyboard import KeyboardUser
from tests.e2e.steps import log_in, search

pytestmark = pytest.mark.e2e

HEADERS = {
    "zh_CN": ["姓名", "手机号", "身份证号", "岗位", "重点人群", "入职日期"],
    "en": ["Name", "Mobile", "ID number", "Post", "Key groups", "Start date"],
}
NEW_POST = "消防控制室值班员"  # a post with its own course in the training rules


def roster_file(path, lang: str, run: int) -> dict:
    """Five new people: three good rows, a mobile number one digit short and a date that does not exist."""
    mobile = lambda i: f"137{run:04d}{i:04d}"  # noqa: E731
    start = local_today().isoformat()
    rows = [
        [f"赵{run}甲", mobile(1), "", "收银员", "", start],
        [f"钱{run}乙", mobile(2), "", "营业员", "", start],
        [f"孙{run}丙", mobile(3), "", "保洁员", "", start],
        [f"李{run}丁", mobile(4)[:-1], "", "仓管员", "", start],
        [f"周{run}戊", mobile(5), "", "电工", "", "2026-02-30"],
    ]
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADERS[lang])
        writer.writerows(rows)
    return {"moved": rows[0][0], "fixed_mobile": mobile(4), "fixed_start": start}


def fix_error_file(path, fixes: dict) -> None:
    """What the administrator does in Excel: correct the two cells the reason column points at."""
    book = openpyxl.load_workbook(path)
    sheet = book.active
    column = {str(cell.value): index for index, cell in enumerate(sheet[1])}  # it begins with the row in the file
    name, mobile, start = (next(i for header, i in column.items() if header in words)
                           for words in (("姓名", "Name"), ("手机号", "Mobile"), ("入职日期", "Start date")))
    for row in sheet.iter_rows(min_row=2):
        if row[name].value.startswith("李"):
            row[mobile].value = fixes["fixed_mobile"]
        elif row[name].value.startswith("周"):
            row[start].value = fixes["fixed_start"]
    book.save(path)


def upload(page, keys: KeyboardUser, path) -> None:
    """Choose the file with the keyboard (Space opens the file chooser) and send it."""
    with page.expect_file_chooser() as chooser:
        keys.activate(page.locator("#file"), "Space")
    chooser.value.set_files(str(path))
    keys.follow(page.locator("main form button[type=submit]"))


def stat(page, index: int) -> int:
    return int(page.locator(".stats .stat .num").nth(index).inner_text())


def stats(page) -> list[int]:
    return [int(n) for n in page.locator("main .stats .stat .num").all_inner_texts()]


def confirm_and_wait(page, keys: KeyboardUser) -> None:
    keys.follow(page.locator("form[action$='/confirm'] button[type=submit]"))
    page.locator("main a.button.primary[href$='/people']").wait_for()  # the page follows the job, then shows the end


def test_company_admin_imports_fixes_and_transfers(portal, tour_factory, lang, run_number, tmp_path):
    tour = tour_factory("2-company")
    page, keys = tour.page, tour.keys
    fixes = roster_file(tmp_path / "roster.csv", lang, run_number)

    log_in(tour, keys, "company")
    tour.check("dashboard")  # one organization: the login leads straight to it
    keys.follow(page.locator("nav.subnav a[href$='/import']"))
    tour.check("import")

    # The file with two bad rows: the preview says so, and offers them back with the reasons.
    upload(page, keys, tmp_path / "roster.csv")
    tour.check("preview-with-errors")
    assert (stat(page, 0), stat(page, 3)) == (3, 2), "3 new rows and 2 invalid ones"
    with page.expect_download() as download:
        keys.activate(page.locator("main a[href$='/errors.xlsx']"))
    errors = tmp_path / "roster-errors.xlsx"
    download.value.save_as(errors)
    confirm_and_wait(page, keys)
    tour.check("imported")

    # The corrected error file goes in as it is (its reason column is ignored).
    fix_error_file(errors, fixes)
    keys.follow(page.locator("nav.subnav a[href$='/import']"))
    upload(page, keys, errors)
    tour.check("preview-fixed")
    assert (stat(page, 0), stat(page, 3)) == (2, 0), "the 2 fixed rows are new, none is invalid"
    confirm_and_wait(page, keys)
    tour.check("imported-fixed", shot=False)

    # Find one of the new people and record their move to a new post.
    keys.follow(page.locator("main a.button.primary[href$='/people']"))
    tour.check("roster")
    keys.follow(search(tour, keys, fixes["moved"], "roster"))
    tour.check("person")
    keys.follow(page.locator("main a[href$='/transfer']"))
    tour.check("transfer")
    keys.type_into(page.locator("#post"), NEW_POST)
    keys.follow(page.locator("main form button[type=submit]"))
    tour.check("person-transferred")
    assert re.fullmatch(r"/company/\d+/people/\d+", tour.path)

    reason = portal.text(lang, "Job transfer: training before starting the new post")
    post_reason = portal.text(lang, "Required for the post: %(post)s", post=NEW_POST)
    rows = page.locator("main table tbody tr")
    open_rows = [rows.nth(i).inner_text() for i in range(rows.count())]
    assert any(reason in row and local_today().isoformat() in row for row in open_rows), open_rows
    assert any(post_reason in row for row in open_rows), open_rows

    # Someone on the roster without an ID number registered with the company's code (the demo has one).
    keys.follow(page.locator("nav.subnav a[href$='/claims']"))
    tour.check("claims")

    # One figure: the dashboard, the certificates page and the inspectors' page count the same standings.
    keys.follow(page.locator("nav.subnav a").first)  # the dashboard
    tour.check("dashboard-again", shot=False)
    on_dashboard = stats(page)
    keys.follow(page.locator("nav.subnav a[href$='/certificates']"))
    tour.check("certificates", shot=False)
    assert stats(page) == on_dashboard
    keys.follow(page.locator("main a[href*='/verify/org/']"))
    tour.check("inspectors-page")
    assert stats(page) == on_dashboard and sum(on_dashboard) > 0
    tour.finish()
