"""DATABASE_REPLICA_URL: coverage views, reports and exports read from the replica, everything else from
the primary. The "replica" here is a second engine on the same database, so both see the same rows; what is
checked is which engine each statement went through."""
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from portal.domain.platform.localtime import local_today
from portal.extensions import db
from portal.models import AuditEvent
from tests.conftest import database_url
from tests.factories import make_completion, make_course, make_locality, make_org, make_trainee, make_user


@pytest.fixture
def app_config(tmp_path):
    return {"DATABASE_REPLICA_URL": database_url(tmp_path)}


@pytest.fixture
def statements(app):
    """SQL sent through each engine while the test runs: {"primary": [...], "replica": [...]}."""
    seen = {"primary": [], "replica": []}
    listeners = []
    with app.app_context():
        engines = {"primary": db.engine, "replica": db.engines["replica"]}
    assert engines["primary"] is not engines["replica"]
    for name, engine in engines.items():
        def record(_conn, _cursor, statement, _params, _context, _many, name=name):
            seen[name].append(statement)
        event.listen(engine, "before_cursor_execute", record)
        listeners.append((engine, record))
    yield seen
    for engine, record in listeners:
        event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def district(session):
    today = local_today()
    street = make_locality("R01", level="street", parent=make_locality("R0", level="district"))
    org = make_org("Replica Works", kind="general", locality=make_locality("R0101", level="grid", parent=street))
    basics = make_course("all-staff-basics")
    people = [make_trainee(org, name=f"Person {n}", mobile=f"1390000000{n}") for n in range(5)]
    make_completion(people[0], basics, on=today - timedelta(days=3), valid_until=today + timedelta(days=300))
    session.commit()
    return {"org": org, "street": street}


def reads_of(statements: list[str], table: str) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH")) and f"{table}" in s]


@pytest.mark.parametrize("url", ["/office/coverage/", "/office/coverage/localities?format=csv",
                                 "/office/coverage/organizations?format=xlsx", "/office/coverage/gaps",
                                 "/office/coverage/missing?group=all_staff", "/office/coverage/report.pdf"])
def test_coverage_views_and_exports_read_from_the_replica(client, login, district, statements, url):
    login(make_user("office_admin"))
    client.set_cookie("lang", "en")
    statements["primary"].clear(), statements["replica"].clear()
    response = client.get(url)
    assert response.status_code == 200
    if url == "/office/coverage/":
        assert "20.0%" in response.get_data(as_text=True)  # 1 of 5, as the replica has it
    assert reads_of(statements["replica"], "completion"), "the coverage figures were not read from the replica"
    for table in ("completion", "assignment", "target", "trainee_group"):
        assert not reads_of(statements["primary"], table), statements["primary"]


def test_roster_export_reads_from_the_replica_and_audits_on_the_primary(client, login, session, district,
                                                                        statements):
    admin = make_user("org_admin", org=district["org"])
    session.commit()
    login(admin)
    statements["primary"].clear(), statements["replica"].clear()
    response = client.get(f"/company/{district['org'].id}/people?format=csv")
    assert response.status_code == 200 and "13900000004" in response.get_data(as_text=True)
    assert reads_of(statements["replica"], "trainee")
    assert not [s for s in statements["replica"] if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert [s for s in statements["primary"] if s.lstrip().upper().startswith("INSERT") and "audit_event" in s]
    assert session.scalar(select(AuditEvent.action).where(AuditEvent.action == "roster.export")) == "roster.export"


def test_trainee_pages_never_touch_the_replica(client, login, session, district, statements):
    user = make_user("trainee")
    make_trainee(district["org"], user=user, name="Reader", mobile="13900000099")
    session.commit()
    login(user)
    statements["replica"].clear(), statements["primary"].clear()
    page = client.get("/me/").get_data(as_text=True)
    assert "Replica Works" in page, page
    assert statements["primary"] and statements["replica"] == []
