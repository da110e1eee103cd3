"""The coverage report page: a year's report, the plan period's report beside it, and final years kept in both
languages (PDF bytes and their text, on both databases)."""
import hashlib
import re

from sqlalchemy import func, select

from portal.domain.coverage import final
from portal.models import AuditEvent, FinalReport, utcnow
from tests.domain.test_coverage_report import lines
from tests.factories import make_trainee
from tests.views.test_coverage_pages import office  # noqa: F401  (the fixture: a shop of 30, 10 covered)

TODAY = utcnow().date()
LAST = TODAY.year - 1


def plan_rows(pdf: bytes, heading: str, end: str) -> list[str]:
    """The plan table's text, after its heading, to the end of the file."""
    text = "\n".join(lines(pdf))
    start = text.index(heading) + len(heading)
    return text[start:text.index(end, start)].splitlines()[1:]


def test_the_plan_period_report_sits_beside_the_yearly_one(client, office, app):  # noqa: F811
    app.config["JOBS_SYNCHRONOUS"] = True
    first, last = TODAY.year - 2, TODAY.year  # no target deadline: the plan is the three years ending this year
    page = client.get("/office/coverage/").get_data(as_text=True)
    assert f'href="/office/coverage/report.pdf?plan={first}"' in page
    assert f"Plan period report (PDF) for {first}–{last}" in page
    plan = client.get(f"/office/coverage/report.pdf?plan={first}")
    assert plan.mimetype == "application/pdf"
    assert f'filename="coverage-report-{first}-{last}.pdf"' in plan.headers["Content-Disposition"]
    text = lines(plan.data)
    assert f"Fire-safety training coverage report for the plan period {first}–{last}" in " ".join(text)  # 2 lines
    assert "Trend: coverage at each quarter end" in text and f"{first}-03-31" in text
    assert f"{first}–{last} cumulative" in text
    yearly = client.get(f"/office/coverage/report.pdf?year={last}")
    assert "Fire-safety training coverage report " + str(last) in lines(yearly.data)
    # the same rows, counted the same way: each plan year, then the cumulative totals
    end = f"{first}–{last} cumulative"
    rows = plan_rows(plan.data, "The plan's years", end)
    assert rows == plan_rows(yearly.data, "The year and the plan's years", end)
    assert [row for row in rows if re.fullmatch(r"20\d\d", row)] == [str(y) for y in range(first, last + 1)]
    cumulative = "\n".join(lines(plan.data)).split(end + "\n")[1].splitlines()[:6]
    assert cumulative == ["11", "0", "11", "0", "0", "33.3%"]  # completions, offline, people, certificates...


def test_a_plan_period_that_starts_after_this_year_is_not_found(client, office):  # noqa: F811
    assert client.get(f"/office/coverage/report.pdf?plan={TODAY.year + 1}").status_code == 404
    assert client.get("/office/coverage/report.pdf?plan=abc").status_code == 404


def test_marking_a_year_final_keeps_it_in_both_languages(client, office, session, app):  # noqa: F811
    app.config["JOBS_SYNCHRONOUS"] = True
    client.set_cookie("lang", "zh_CN")
    assert f'action="/office/coverage/report/{LAST}/final"' in client.get("/office/coverage/").get_data(as_text=True)
    status = client.post(f"/office/coverage/report/{LAST}/final", follow_redirects=True).get_data(as_text=True)
    kept = {r.locale: r for r in session.scalars(select(FinalReport))}
    assert set(kept) == {"zh_CN", "en"} and {r.year for r in kept.values()} == {LAST}
    for report in kept.values():
        assert report.pdf.startswith(b"%PDF") and report.digest == hashlib.sha256(report.pdf).hexdigest()
    assert kept["zh_CN"].digest in status  # the Chinese page shows the Chinese file's digest
    assert f"{LAST} 年消防安全培训覆盖率报告" in lines(kept["zh_CN"].pdf)
    assert f"Fire-safety training coverage report {LAST}" in lines(kept["en"].pdf)
    for n in range(5):  # the rosters change after the report was sent
        make_trainee(office["org"], name=f"Late {n}", mobile=f"139000001{n:02d}", start_date=office["since"])
    session.commit()
    for locale in ("en", "zh_CN"):  # either language: shown as final, downloaded as kept
        client.set_cookie("lang", locale)
        page = client.get("/office/coverage/").get_data(as_text=True)
        assert kept[locale].digest[:12] in page and f'action="/office/coverage/report/{LAST}/final"' not in page
        again = client.get(f"/office/coverage/report.pdf?year={LAST}")
        assert again.data == kept[locale].pdf and again.headers["X-Report-SHA256"] == kept[locale].digest
    client.set_cookie("lang", "en")
    twice = client.post(f"/office/coverage/report/{LAST}/final", follow_redirects=True).get_data(as_text=True)
    assert f"The {LAST} report is already final." in twice
    assert session.scalar(select(func.count()).select_from(FinalReport)) == 2
    assert client.post(f"/office/coverage/report/{TODAY.year}/final").status_code == 404  # this year
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "coverage.report_final"))
    assert event.details["sha256"] == {locale: r.digest for locale, r in kept.items()}


def test_a_year_kept_in_one_language_only_is_final_in_both(client, office, session):  # noqa: F811
    """Years made final before both languages were kept: the English page offers the Chinese file."""
    final.keep(session, year=LAST, pdfs={"zh_CN": b"%PDF-1.4 kept in Chinese"}, actor_id=None, now=utcnow())
    session.commit()
    client.set_cookie("lang", "en")
    page = client.get("/office/coverage/").get_data(as_text=True)
    assert "final since" in page and f'action="/office/coverage/report/{LAST}/final"' not in page
    assert client.get(f"/office/coverage/report.pdf?year={LAST}").data == b"%PDF-1.4 kept in Chinese"


def test_a_departments_report_of_a_final_year_is_its_own(client, office, session, login, app):  # noqa: F811
    from tests.factories import make_user

    app.config["JOBS_SYNCHRONOUS"] = True
    final.keep(session, year=LAST, pdfs={"zh_CN": b"%PDF-1.4 district", "en": b"%PDF-1.4 district"}, actor_id=None,
               now=utcnow())
    viewer = make_user("dept_viewer", sector_code="commerce")
    session.commit()
    client.post("/auth/logout")
    login(viewer)
    client.set_cookie("lang", "en")
    response = client.get(f"/office/coverage/report.pdf?year={LAST}")
    assert response.data.startswith(b"%PDF") and b"district" not in response.data
    assert "Scope: " in "\n".join(lines(response.data))
