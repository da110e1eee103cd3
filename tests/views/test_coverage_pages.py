"""The coverage pages: what they show, their charts and tables, their exports' contents."""
import csv
import io
import re
from datetime import date, timedelta

import openpyxl
import pytest
from sqlalchemy import select

from portal.domain.platform.localtime import local_today
from portal.models import KeyGroup
from tests.factories import make_completion, make_course, make_locality, make_org, make_trainee, make_user

SINCE = date(2020, 1, 1)  # when the shop's people started: coverage counts people employed on each date


@pytest.fixture
def office(client, login, session):
    today = local_today()
    district = make_locality("V0", level="district")
    district.name_en = "Demo District"
    street = make_locality("V01", level="street", parent=district)
    street.name_en = "North Street"
    grid = make_locality("V0101", level="grid", parent=street)
    grid.name_en = "Grid One"
    org = make_org("Corner Shop", kind="general", locality=grid)
    org.contact_name, org.contact_phone = "Ms Zhou", "010-12345678"
    basics = make_course("all-staff-basics")
    people = [make_trainee(org, name=f"Person {n:02d}", mobile=f"138000000{n:02d}", start_date=SINCE)
              for n in range(30)]
    for person in people[:4]:
        make_completion(person, basics, on=today - timedelta(days=60), valid_until=today + timedelta(days=300))
    for person in people[4:10]:
        make_completion(person, basics, on=today - timedelta(days=7), valid_until=today + timedelta(days=358))
    make_completion(people[10], basics, on=today - timedelta(days=400), valid_until=today - timedelta(days=35))
    user = make_user("office_admin")
    session.commit()
    login(user)
    client.set_cookie("lang", "en")
    return {"street": street, "grid": grid, "org": org, "people": people, "since": SINCE}


def rows_of(response):
    if response.mimetype.endswith("sheet"):
        return [list(row) for row in openpyxl.load_workbook(io.BytesIO(response.data)).active.values]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_dashboard_headline_projection_and_definition(client, office):
    page = client.get("/office/coverage/").get_data(as_text=True)
    assert "Coverage = people of the target population" in page
    assert "All staff" in page and "33.3%" in page  # 10 of 30
    # 10 covered now, 4 four weeks ago: 6 in 28 days, 20 to go -> 94 days; before Dec 31 unless late in the year.
    csv_rows = rows_of(client.get("/office/coverage/?format=csv"))
    assert csv_rows[0][:8] == ["Key group", "Population", "On rosters", "Declared", "Covered", "Coverage (%)",
                               "Target (%)", "Still to train"]
    all_staff = next(row for row in csv_rows if row[0] == "All staff")
    assert all_staff[1:8] == ["30", "30", "0", "10", "33.3", "100.0", "20"] and all_staff[9] == "4"
    reach = local_today() + timedelta(days=94)
    assert all_staff[10].startswith(reach.isoformat())
    # Headlines say what they count; rates carry units; a group nobody is in does not claim its target.
    assert "counted per key group (someone in two groups counts in each)" in page
    assert "+1.5 people a week" in page
    assert "No one in this group" in page and "Target reached" not in page


def test_charts_are_accessible_svg_with_a_table_and_no_inline_style(client, office):
    for url in ("/office/coverage/", "/office/coverage/trend"):
        page = client.get(url).get_data(as_text=True)
        svg = re.search(r"<svg[^>]*class=\"chart\"[^>]*>", page).group(0)
        assert 'role="img"' in svg and "aria-labelledby=" in svg
        chart_id = re.search(r'id="([^"]+)"', svg).group(1)
        assert f'<title id="{chart_id}-title">' in page
        assert "<caption id=" in page
        # the chart and its table scroll sideways on a phone: both take the keyboard focus and say what they are
        assert f'class="chart-box" role="region" tabindex="0" aria-labelledby="{chart_id}-title"' in page
        assert "style=" not in page and "<script" not in page and "https://" not in page
    response = client.get("/static/css/coverage.css")
    assert response.status_code == 200
    response.close()


def test_csv_exports_stream(client, office):
    response = client.get("/office/coverage/missing?group=all_staff&format=csv")
    assert response.is_streamed and response.headers["Content-Type"].startswith("text/csv")
    rows = rows_of(response)
    assert len(rows) == 1 + 20 and rows[0][0] == "Name"  # 30 people, 10 covered
    response = client.get("/office/coverage/missing?group=all_staff&format=xlsx")
    assert len(rows_of(response)) == 21


def test_every_table_has_a_caption(client, office):
    for url in ("/office/coverage/", "/office/coverage/localities", "/office/coverage/localities?group=all_staff",
                "/office/coverage/sectors", "/office/coverage/organizations", "/office/coverage/missing?group=all_staff",
                "/office/coverage/trend", "/office/coverage/gaps", "/office/coverage/targets",
                f"/office/coverage/organizations/{office['org'].id}"):
        page = client.get(url).get_data(as_text=True)
        assert page.count("<table") == page.count("<caption"), url
        for labelled_by in re.findall(r'<div class="table-wrap" role="region" tabindex="0" aria-labelledby="([^"]+)">',
                                      page):
            assert f'<caption id="{labelled_by}">' in page, (url, labelled_by)
        assert page.count('class="table-wrap"') == page.count('class="table-wrap" role="region" tabindex="0"'), url
        assert "<main" in page


def test_drill_down_links_to_the_level_below_and_to_the_people_missing(client, office):
    page = client.get("/office/coverage/localities?group=all_staff").get_data(as_text=True)
    assert f"/office/coverage/localities?locality={office['street'].id}&amp;group=all_staff" in page
    street = client.get(f"/office/coverage/localities?locality={office['street'].id}&group=all_staff").get_data(as_text=True)
    assert "North Street" in street and f"locality={office['grid'].id}" in street
    assert f"/office/coverage/missing?group=all_staff&amp;locality={office['grid'].id}" in street
    grid = client.get(f"/office/coverage/localities?locality={office['grid'].id}").get_data(as_text=True)
    assert "lowest level" in grid
    orgs = client.get(f"/office/coverage/organizations?locality={office['grid'].id}&group=all_staff").get_data(as_text=True)
    assert "Corner Shop" in orgs and f"organization={office['org'].id}" in orgs


def test_missing_people_are_paginated_masked_and_say_what_is_missing(client, office):
    first = client.get("/office/coverage/missing?group=all_staff").get_data(as_text=True)
    assert "20 in all" in first and "Page 1 of 1" not in first
    assert "Person 10" in first and "138****0010" in first and "13800000010" not in first
    assert re.search(r"Person 10.*?expired", first, re.S)
    assert "never completed" in first
    second = client.get("/office/coverage/missing?group=all_staff&page=2").get_data(as_text=True)
    names = set(re.findall(r"Person \d\d", first)) | set(re.findall(r"Person \d\d", second))
    assert names == {f"Person {n:02d}" for n in range(10, 30)}
    rows = rows_of(client.get("/office/coverage/missing?group=all_staff&format=xlsx"))
    assert rows[0] == ["Name", "Mobile", "Organization", "Locality", "Missing courses"]
    assert len(rows) == 21 and all(re.fullmatch(r"138\*{4}\d{4}", row[1]) for row in rows[1:])
    assert {row[2] for row in rows[1:]} == {"Corner Shop"} and {row[3] for row in rows[1:]} == {"Grid One"}


def test_exports_of_every_table(client, office):
    expectations = {
        "/office/coverage/localities?group=all_staff&format=csv": (["Locality", "Code", "Level", "Key group"],
                                                                   ["North Street", "V01", "Street / township",
                                                                    "All staff", "30", "30", "0", "10", "33.3"]),
        "/office/coverage/sectors?group=all_staff&format=csv": (["Sector", "Key group", "Population"],
                                                                ["Commerce Bureau", "All staff", "30", "30", "0", "10"]),
        "/office/coverage/organizations?group=all_staff&format=csv": (
            ["Organization", "Unified social credit code", "Sector", "Locality", "Key group"],
            ["Corner Shop", office["org"].credit_code, "Commerce Bureau", "Grid One", "All staff", "30", "30", "0", "10"]),
        "/office/coverage/gaps?format=csv": (["Organization", "Sector", "Locality", "Contact", "Contact phone"],
                                             ["Corner Shop", "Commerce Bureau", "Grid One", "Ms Zhou", "010-12345678",
                                              "30", "10", "33.3", "20", "All staff"]),
        "/office/coverage/gaps?format=csv&table=localities&level=street": (
            ["Locality", "Code", "Level"], ["Demo District › North Street", "V01", "Street / township", "30", "10",
                                            "33.3", "20"]),
        "/office/coverage/trend?group=all_staff&format=csv": (["Date", "Key group", "Population", "Covered"], None),
    }
    for url, (headers, row) in expectations.items():
        rows = rows_of(client.get(url))
        assert rows[0][:len(headers)] == headers, url
        if row is not None:
            assert any(r[:len(row)] == row for r in rows[1:]), (url, rows[:3])
    trend = rows_of(client.get("/office/coverage/trend?group=all_staff&format=csv"))
    assert len(trend) == 14 and trend[-1][1:5] == ["All staff", "30", "10", "33.3"]
    assert trend[-5][3] == "4"  # four weeks ago
    xlsx = rows_of(client.get("/office/coverage/localities?group=all_staff&format=xlsx"))
    assert xlsx[1][:4] == ["North Street", "V01", "Street / township", "All staff"] and xlsx[1][4] == 30


def test_formula_like_names_are_neutralised_in_exports(client, office, session):
    office["people"][29].person.real_name = "=HYPERLINK(\"x\")"
    session.commit()
    rows = rows_of(client.get("/office/coverage/missing?group=all_staff&format=csv"))
    assert "'=HYPERLINK(\"x\")" in [row[0] for row in rows]


def test_the_dashboard_answers_in_chinese_by_default(client, office):
    client.set_cookie("lang", "zh_CN")
    assert client.get("/office/coverage/").status_code == 200


def test_unknown_filters_answer_404(client, office):
    for url in ("/office/coverage/localities?locality=abc", "/office/coverage/missing?group=nope",
                "/office/coverage/organizations?sector=999", "/office/coverage/report.pdf?year=1999",
                "/office/coverage/missing?group=all_staff&organization=abc"):
        assert client.get(url).status_code == 404, url


def test_group_ids_are_stable(session):
    assert session.scalar(select(KeyGroup.code).where(KeyGroup.code == "all_staff")) == "all_staff"
