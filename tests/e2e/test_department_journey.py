"""Journey 4: a department viewer (the Commerce Bureau) sees its own sector and is refused another's."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.e2e.steps import log_in

pytestmark = pytest.mark.e2e


def other_sector(session) -> dict:
    """Culture and tourism: a sector the Commerce Bureau does not oversee, and one of its organizations."""
    from portal.models import Organization, Sector

    sector = session.scalar(select(Sector).where(Sector.code == "culture_tourism"))
    org = session.scalar(select(Organization).where(Organization.sector_id == sector.id).order_by(Organization.id))
    return {"sector": sector.id, "org": org.id, "org_name": org.name}


def test_department_viewer_is_refused_another_sector(portal, tour_factory, lang):
    other = portal.query(other_sector)
    tour = tour_factory("4-department")
    page, keys = tour.page, tour.keys

    log_in(tour, keys, "dept")
    tour.check("overview")
    assert tour.path == "/office/"
    sectors = page.locator("main ul.list li")
    assert sectors.count() == 1, "the Commerce Bureau sees its own sector only"
    keys.follow(page.locator("header nav.main-nav a[href$='/office/organizations']"))
    tour.check("organizations")
    assert other["org_name"] not in page.locator("main").inner_text()
    keys.follow(page.locator("header nav.main-nav a[href$='/office/coverage/']"))
    tour.check("coverage")
    keys.follow(page.locator("nav.subnav a[href$='/office/coverage/sectors']"))
    tour.check("coverage-sectors")

    # Changing the address to another sector's pages gets the same answer as a page that does not exist.
    not_found = portal.text(lang, "Page not found")
    page.goto(f"/office/coverage/organizations?sector={other['sector']}")
    tour.check("other-sector-coverage", status=404)
    assert not_found in page.locator("main h1").inner_text()
    page.goto(f"/office/organizations/{other['org']}")
    tour.check("other-sector-organization", status=404)
    assert not_found in page.locator("main h1").inner_text()
    assert other["org_name"] not in page.content()
    tour.finish()
