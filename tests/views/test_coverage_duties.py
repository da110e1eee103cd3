"""The coverage page "Drills and commitments" (issue #21): the figures per kind, street and sector in both languages,
the overdue organizations linked to their pages, a department's sector only, and the exports."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from portal.domain.workforce import commitments, drills
from portal.domain.platform.localtime import local_today
from portal.models import utcnow
from tests.factories import make_completion, make_course, make_locality, make_org, make_trainee, make_user
from tests.views.test_coverage_pages import rows_of

LONG_AGO = datetime(2020, 1, 2, 2, tzinfo=timezone.utc)


def _months_ago(months: int) -> date:
    from portal.domain.workforce.schedule import add_months

    return add_months(local_today(), -months)


@pytest.fixture
def duties_world(client, login, session):
    """A key unit whose drill was 7 months ago (overdue), a general unit with one 7 months ago (up to date), a
    public gathering place never drilled and registered long ago (overdue); commitments signed and not."""
    today = local_today()
    district = make_locality("Q0", level="district")
    district.name_en, district.name_zh = "Bay District", "湾区"
    north = make_locality("Q01", level="street", parent=district)
    north.name_en, north.name_zh = "North Street", "北街道"
    south = make_locality("Q02", level="street", parent=district)
    south.name_en, south.name_zh = "South Street", "南街道"
    tower = make_org("Harbour Tower", kind="key_unit", sector_code="commerce",
                     locality=make_locality("Q0101", level="grid", parent=north))
    office = make_org("Calm Office", kind="general", sector_code="education", locality=south)
    market = make_org("Dock Market", kind="public_gathering", sector_code="commerce", locality=district)
    for org in (tower, office, market):
        org.created_at = LONG_AGO
    for org in (tower, office):
        drills.record_drill(session, org, drills.DrillData("evacuation", _months_ago(7), "Smoke", "1F"),
                            actor_id=None, now=utcnow(), today=today)
    course = make_course("responsible-person")
    signer = make_trainee(tower, groups=("responsible_person",), start_date=date(2020, 1, 1))
    make_completion(signer, course, on=today - timedelta(days=10), valid_until=today + timedelta(days=300))
    commitments.sign(session, job=signer, role="responsible_person", typed_name=signer.real_name, confirmed=True,
                     now=datetime.combine(today, time(12), tzinfo=timezone.utc) - timedelta(days=1), user=make_user())
    make_trainee(office, groups=("responsible_person",), start_date=date(2020, 1, 1))  # training first
    user, viewer = make_user("office_admin"), make_user("dept_viewer", sector_code="education")
    session.commit()
    client.set_cookie("lang", "en")
    return {"tower": tower, "office": office, "market": market, "user": user, "viewer": viewer}


@pytest.fixture
def as_office(login, duties_world):
    login(duties_world["user"])
    return duties_world


def test_the_page_shows_drills_and_commitments_per_kind_street_and_sector(client, as_office):
    duties_world = as_office
    page = client.get("/office/coverage/duties").get_data(as_text=True)
    assert "Fire drills and duty commitments" in page
    flat = " ".join(page.split())
    # kind, organizations, up to date, due soon, overdue, drill compliance, required, signed, to sign, training first
    assert ('<th scope="row">Key fire-safety unit</th><td class="n">1</td><td class="n">0</td><td class="n">0</td>'
            '<td class="n">1</td><td class="n">0.0%</td> <td class="n">1</td><td class="n">1</td>') in flat
    assert '<th scope="row">General unit</th><td class="n">1</td><td class="n">1</td><td class="n">0</td>' in flat
    assert '<th scope="row">Bay District</th><td class="n">1</td><td class="n">0</td><td class="n">0</td>' in flat
    assert '<th scope="row">North Street</th>' in flat and '<th scope="row">South Street</th>' in flat
    assert "Commerce Bureau" in page and "Education Bureau" in page
    assert "33.3%" in page  # drill compliance, every organization: 1 of 3 not overdue
    assert "50.0%" in page  # commitment coverage: 1 of 2 signed
    # the overdue, longest first, each linked to the office's organization page
    market, tower = duties_world["market"], duties_world["tower"]
    assert page.index(f'href="/office/organizations/{market.id}"') < page.index(f'href="/office/organizations/{tower.id}"')
    assert "Calm Office" not in page.split("Organizations overdue with their fire drills")[1]
    assert 'href="/figures#drill-compliance"' in page and 'href="/figures#commitment-coverage"' in page
    assert 'href="/office/coverage/duties"' in client.get("/office/coverage/").get_data(as_text=True)


def test_the_page_in_chinese(client, as_office):
    client.set_cookie("lang", "zh_CN")
    page = client.get("/office/coverage/duties").get_data(as_text=True)
    for words in ("消防安全重点单位", "公众聚集场所", "一般单位", "北街道", "湾区", "消防安全责任人", "未记录演练", "已签署",
                  "需先完成培训", "数据截至", "全区"):
        assert words in page
    for code in ("key_unit", "public_gathering", "responsible_person", "training_first", "due_soon"):
        assert code not in page


def test_a_department_sees_its_sector_only(client, login, duties_world):
    login(duties_world["viewer"])
    page = client.get("/office/coverage/duties").get_data(as_text=True)
    assert "Harbour Tower" not in page and "Dock Market" not in page  # commerce: overdue, but not theirs
    assert "Education Bureau" in page and "Commerce Bureau" not in page
    assert "Your view counts your sector's organizations only." in page
    rows = rows_of(client.get("/office/coverage/duties?format=csv"))
    assert [row[1] for row in rows if row[0] == "Sector"] == ["Education Bureau"]
    assert rows_of(client.get("/office/coverage/duties?format=csv&table=overdue"))[1:] == []


def test_the_exports(client, as_office):
    rows = rows_of(client.get("/office/coverage/duties?format=csv"))
    assert rows[0][:7] == ["Grouped by", "Group", "Organizations", "Drills up to date", "Drills due soon",
                           "Drills overdue", "Drill compliance (%)"]
    by_group = {(row[0], row[1]): row[2:] for row in rows[1:]}
    assert by_group[("Kind of organization", "Public gathering place")][:5] == ["1", "0", "0", "1", "0.0"]
    assert by_group[("Street / township", "South Street")] == ["1", "1", "0", "0", "100.0", "1", "0", "0", "1", "0.0"]
    assert by_group[("", "Whole district")][:5] == ["3", "1", "0", "2", "33.3"]
    assert by_group[("Role", "Fire-safety responsible person")][5:] == ["2", "1", "0", "1", "50.0"]
    overdue = rows_of(client.get("/office/coverage/duties?format=xlsx&table=overdue"))
    assert overdue[0] == ["Organization", "Kind of organization", "Street / township", "Sector", "Last drill",
                          "Drill was due", "Days overdue"]
    assert [row[0] for row in overdue[1:]] == ["Dock Market", "Harbour Tower"]
    assert overdue[1][4] == "No drill recorded"
