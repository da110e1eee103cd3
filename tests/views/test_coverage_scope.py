"""A department viewer never sees another sector's organizations or people, on any page or export;
the office sees everything, declared counts included."""
import io
from datetime import date

import openpyxl
import pytest
from sqlalchemy import select

from portal.domain.coverage.targets import TargetData, save_target
from portal.domain.platform.localtime import local_today
from portal.models import KeyGroup
from tests.factories import make_completion, make_course, make_locality, make_org, make_trainee, make_user

SECRET_ORG, SECRET_PERSON, SECRET_PHONE = "Secret Hospital", "Hidden Patient", "010-9990000"
OWN_ORG, OWN_PERSON = "Open Market", "Visible Vendor"


@pytest.fixture
def world(session):
    today = local_today()
    district = make_locality("S0", level="district")
    street = make_locality("S01", level="street", parent=district)
    grid = make_locality("S0101", level="grid", parent=make_locality("S010", level="community", parent=street))
    market = make_org(OWN_ORG, sector_code="commerce", locality=grid)
    hospital = make_org(SECRET_ORG, sector_code="health", locality=grid)
    hospital.contact_name, hospital.contact_phone = "Dr Secret", SECRET_PHONE
    basics = make_course("all-staff-basics")
    make_trainee(market, name=OWN_PERSON, mobile="13911112222")
    trained = make_trainee(market, name="Trained Vendor")
    make_completion(trained, basics, on=today, valid_until=None)
    for n in range(3):
        make_trainee(hospital, name=f"{SECRET_PERSON} {n}", mobile=f"1390000000{n}", groups=("all_staff", "grid_worker"))
    loner = make_trainee(None, name="Lone Registrant", groups=("grid_worker",))
    loner.locality_id = grid.id
    gid = session.scalar(select(KeyGroup.id).where(KeyGroup.code == "grid_worker"))
    save_target(session, TargetData(gid, street.id, 40, date(today.year, 12, 31), 1.0), actor_id=None)
    users = {"dept": make_user("dept_viewer", sector_code="commerce"), "office": make_user("office_admin")}
    session.commit()
    return {"market": market.id, "hospital": hospital.id, "street": street.id, "grid": grid.id, "users": users}


URLS = [
    "/office/coverage/", "/office/coverage/?format=csv",
    "/office/coverage/localities", "/office/coverage/localities?locality={street}",
    "/office/coverage/localities?locality={grid}&group=all_staff", "/office/coverage/localities?format=csv",
    "/office/coverage/localities?locality={street}&format=xlsx",
    "/office/coverage/sectors", "/office/coverage/sectors?format=csv",
    "/office/coverage/organizations", "/office/coverage/organizations?format=csv",
    "/office/coverage/organizations?locality={grid}&group=all_staff&format=xlsx",
    "/office/coverage/missing?group=all_staff", "/office/coverage/missing?group=grid_worker",
    "/office/coverage/missing?group=all_staff&locality={grid}&format=csv",
    "/office/coverage/missing?group=grid_worker&format=xlsx",
    "/office/coverage/trend", "/office/coverage/trend?format=csv", "/office/coverage/gaps",
    "/office/coverage/gaps?format=csv", "/office/coverage/gaps?format=xlsx&table=localities",
    "/office/coverage/gaps?level=grid", "/office/coverage/duties", "/office/coverage/duties?format=csv",
    "/office/coverage/duties?format=xlsx&table=overdue",
]


def body(response) -> str:
    if response.mimetype.endswith("sheet"):
        sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
        return "\n".join(",".join("" if v is None else str(v) for v in row) for row in sheet.values)
    return response.get_data(as_text=True)


def test_department_viewer_sees_nothing_of_other_sectors(client, login, world):
    login(world["users"]["dept"])
    client.set_cookie("lang", "en")
    for template in URLS:
        url = template.format(**world)
        response = client.get(url)
        assert response.status_code == 200, url
        text = body(response)
        for secret in (SECRET_ORG, SECRET_PERSON, SECRET_PHONE, "Lone Registrant", "Dr Secret"):
            assert secret not in text, (url, secret)
    page = client.get("/office/coverage/missing?group=all_staff").get_data(as_text=True)
    assert OWN_PERSON in page and "139****2222" in page and "13911112222" not in page


def test_department_viewer_gets_404_for_foreign_organizations_and_sectors(client, login, world, session):
    from portal.models import Sector

    login(world["users"]["dept"])
    health = session.scalar(select(Sector.id).where(Sector.code == "health"))
    for url in (f"/office/coverage/organizations/{world['hospital']}",
                f"/office/coverage/missing?group=all_staff&organization={world['hospital']}",
                f"/office/coverage/missing?group=all_staff&organization={world['hospital']}&format=csv",
                f"/office/coverage/organizations?sector={health}",
                f"/office/coverage/missing?group=all_staff&sector={health}&format=xlsx"):
        assert client.get(url).status_code == 404, url


def test_department_figures_have_no_declared_part(client, login, world):
    login(world["users"]["dept"])
    client.set_cookie("lang", "en")
    csv = client.get("/office/coverage/?format=csv").get_data(as_text=True)
    grid_row = next(line for line in csv.splitlines() if line.startswith("Grid workers"))
    assert grid_row.split(",")[1:4] == ["0", "0", "0"]  # population, on rosters, declared
    all_staff = next(line for line in csv.splitlines() if line.startswith("All staff"))
    assert all_staff.split(",")[1:5] == ["2", "2", "0", "1"]


def test_office_sees_every_sector_and_the_declared_counts(client, login, world):
    login(world["users"]["office"])
    client.set_cookie("lang", "en")
    csv = client.get("/office/coverage/?format=csv").get_data(as_text=True)
    grid_row = next(line for line in csv.splitlines() if line.startswith("Grid workers"))
    assert grid_row.split(",")[1:5] == ["43", "3", "40", "0"]
    missing = client.get("/office/coverage/missing?group=grid_worker&format=csv").get_data(as_text=True)
    assert SECRET_PERSON in missing and "Lone Registrant" in missing and "No employer" in missing
    gaps = client.get("/office/coverage/gaps").get_data(as_text=True)
    assert SECRET_ORG in gaps and SECRET_PHONE in gaps
