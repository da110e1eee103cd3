"""The coverage report page: a year's report and the plan period's report beside it (PDF text)."""
import re

from portal.models import utcnow
from tests.domain.test_coverage_report import lines
from tests.views.test_coverage_pages import office  # noqa: F401  (the fixture: a shop of 30, 10 covered)

TODAY = utcnow().date()


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
