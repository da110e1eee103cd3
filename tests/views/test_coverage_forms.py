"""The office's forms: targets (edit, import with preview, all or nothing) and classroom sessions
(record, attendance from the roster or by mobile, QR sign-in by the trainee)."""
import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.domain.platform.localtime import local_today
from portal.models import Completion, KeyGroup, Locality, OfflineAttendance, OfflineSession, Target
from tests.factories import make_course, make_locality, make_org, make_trainee, make_user
from tests.views.routes_certificates import use_test_signing_key


@pytest.fixture
def office(app, client, login, session):
    use_test_signing_key()
    district = make_locality("F0", level="district")
    make_locality("F01", level="street", parent=district)
    user = make_user("office_admin")
    session.commit()
    login(user)
    client.set_cookie("lang", "en")
    return user


def test_office_saves_and_deletes_a_target(client, office, session):
    grid = session.scalar(select(KeyGroup.id).where(KeyGroup.code == "grid_worker"))
    street = session.scalar(select(Locality.id).where(Locality.code == "F01"))
    response = client.post("/office/coverage/targets", data={
        "group_id": grid, "locality_id": street, "declared_count": "25", "deadline": "2026-12-31", "target_rate": "95"})
    assert response.status_code == 302
    target = session.scalar(select(Target))
    assert (target.declared_count, target.target_rate, target.deadline) == (25, 0.95, date(2026, 12, 31))
    page = client.get("/office/coverage/targets").get_data(as_text=True)
    assert "95%" in page and "F01" in page
    bad = client.post("/office/coverage/targets", data={
        "group_id": grid, "locality_id": "999999", "declared_count": "1", "deadline": "2026-12-31",
        "target_rate": "100"})
    assert bad.status_code == 200 and "There is no such locality; choose one from the list." in bad.get_data(as_text=True)
    assert client.post(f"/office/coverage/targets/{target.id}/delete").status_code == 302
    assert session.scalar(select(Target)) is None


def upload(client, text: str):
    return client.post("/office/coverage/targets/import", data={
        "file": (io.BytesIO(text.encode("utf-8")), "targets.csv")}, content_type="multipart/form-data")


def test_import_previews_then_confirms(client, office, session):
    response = upload(client, "Key group,Locality code,Declared count\ngrid_worker,F01,30\ncommunity_police,F0,5\n")
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    page = client.get(preview_url).get_data(as_text=True)
    assert "Confirm: save 2 target(s)" in page
    assert session.scalar(select(Target.id)) is None  # nothing before confirmation
    token = preview_url.rsplit("/", 1)[1]
    assert client.post(f"/office/coverage/targets/import/{token}/confirm").status_code == 302
    assert sorted(t.declared_count for t in session.scalars(select(Target))) == [5, 30]
    again = client.post(f"/office/coverage/targets/import/{token}/confirm")
    assert again.status_code == 302 and len(session.scalars(select(Target)).all()) == 2


def test_an_invalid_row_blocks_the_whole_import(client, office, session):
    response = upload(client, "Key group,Locality code,Declared count\ngrid_worker,F01,30\ngrid_worker,XX,5\n")
    preview_url = response.headers["Location"]
    page = client.get(preview_url).get_data(as_text=True)
    assert "Nothing can be imported while a row is invalid" in page and "Confirm" not in page
    token = preview_url.rsplit("/", 1)[1]
    client.post(f"/office/coverage/targets/import/{token}/confirm")
    assert session.scalar(select(Target.id)) is None
    errors = client.get(f"/office/coverage/targets/import/{token}/errors.csv").get_data(as_text=True)
    assert "XX" in errors and "Reason" in errors


def test_an_unreadable_file_is_refused_on_the_form(client, office):
    response = upload(client, "name,phone\nx,y\n")
    assert response.status_code == 200 and "required columns are missing" in response.get_data(as_text=True)


def test_another_office_user_cannot_open_my_preview(client, office, session, login):
    token = upload(client, "Key group,Locality code,Declared count\ngrid_worker,F01,30\n").headers["Location"]
    other = make_user("office_admin")
    session.commit()
    client.post("/auth/logout")
    login(other)
    assert client.get(token).status_code == 404


def test_templates_download(client, office):
    for fmt in ("csv", "xlsx"):
        response = client.get(f"/office/coverage/targets/template.{fmt}")
        assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]


def test_sessions_attendance_and_qr_sign_in(app, client, office, session, login):
    org = make_org("Tea House", kind="general")
    course = make_course("all-staff-basics")
    picked, typed = make_trainee(org, name="Picked Person"), make_trainee(org, name="Typed Person")
    scanner = make_user("trainee", org=org)
    session.commit()
    today = local_today()
    response = client.post("/office/coverage/sessions/new", data={
        "course_id": course.id, "organization_id": org.id, "held_on": today.isoformat(), "trainer": "Chief Sun",
        "place": "Tea House hall"})
    assert response.status_code == 302
    record = session.scalar(select(OfflineSession))
    page = client.get(f"/office/coverage/sessions/{record.id}").get_data(as_text=True)
    assert "Picked Person" in page and "<svg" in page and record.sign_in_code in page
    response = client.post(f"/office/coverage/sessions/{record.id}", data={
        "trainee": [str(picked.id)], "mobiles": typed.mobile})
    assert response.status_code == 302
    assert {c.person_id for c in session.scalars(select(Completion).where(Completion.mode == "offline"))} == \
        {picked.person_id, typed.person_id}
    wrong = client.post(f"/office/coverage/sessions/{record.id}", data={"mobiles": "13300000000"})
    assert "Not on the session&#39;s roster" in wrong.get_data(as_text=True)
    rows = client.get(f"/office/coverage/sessions/{record.id}?format=csv").get_data(as_text=True)
    assert "Picked Person" in rows and picked.mobile not in rows
    listing = client.get("/office/coverage/sessions").get_data(as_text=True)
    assert "Tea House" in listing and re.search(r'<td class="n">2</td>', listing)

    client.post("/auth/logout")
    login(scanner)
    url = f"/office/coverage/sessions/{record.sign_in_code}/sign-in"
    assert "Chief Sun" in client.get(url).get_data(as_text=True)
    assert client.post(url).status_code == 302
    attendance = session.scalar(select(OfflineAttendance).where(OfflineAttendance.person_id == scanner.trainee.person_id))
    assert attendance.method == "qr"


def test_company_admins_keep_their_own_sessions_only(client, session, login):
    org, other = make_org("Own Co"), make_org("Other Co")
    course = make_course("all-staff-basics")
    admin = make_user("org_admin", org=org)
    session.commit()
    login(admin)
    page = client.get("/office/coverage/sessions/new").get_data(as_text=True)
    assert "Own Co" in page and "Other Co" not in page and "a session of the office" not in page
    response = client.post("/office/coverage/sessions/new", data={
        "course_id": course.id, "organization_id": other.id, "held_on": local_today().isoformat(), "trainer": "T",
        "place": "P"})
    assert response.status_code == 200 and session.scalar(select(OfflineSession.id)) is None
    assert client.post("/office/coverage/sessions/new", data={
        "course_id": course.id, "organization_id": org.id, "held_on": (local_today() - timedelta(days=1)).isoformat(),
        "trainer": "T", "place": "P"}).status_code == 302


def test_a_company_cannot_date_a_session_into_another_century_and_back_dating_is_audited(client, session, login):
    """Attendance makes completions dated the day of the session: 0001-01-01 would have minted certificates for
    any year. The date stays within CLASSROOM_SESSION_DAYS_BACK / _AHEAD of today, and an earlier day is logged."""
    from portal.models import AuditEvent

    org, course = make_org("Own Co"), make_course("all-staff-basics")
    admin, office = make_user("org_admin", org=org), make_user("office_admin")
    make_trainee(org, name="Staff One")
    session.commit()
    login(admin)
    client.set_cookie("lang", "en")
    today = local_today()

    def record(held_on: date):
        return client.post("/office/coverage/sessions/new", data={
            "course_id": course.id, "organization_id": org.id, "held_on": held_on.isoformat(), "trainer": "T",
            "place": "P"})

    for held_on, says in ((date(1, 1, 1), "Enter a date between 1900-01-01"),  # no form takes such a date
                          (today - timedelta(days=91), "up to 90 days after it was held"),
                          (today + timedelta(days=366), "up to 365 days ahead")):
        refused = record(held_on)
        assert refused.status_code == 200 and says in refused.get_data(as_text=True)
    assert session.scalar(select(OfflineSession.id)) is None
    assert record(today).status_code == 302
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "coverage.offline_session.backdated")) is None
    assert record(today - timedelta(days=90)).status_code == 302
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "coverage.offline_session.backdated"))
    assert event.actor_id == admin.id and event.details["days_back"] == 90
    client.post("/auth/logout")
    login(office)
    client.set_cookie("lang", "en")
    assert "Classroom session dated in the past" in client.get("/office/audit").get_data(as_text=True)
