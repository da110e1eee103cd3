"""A classroom session's page: the attendance picker (filters without script, ticks kept through a filter and an
error), each attendee's class hours, and the hours on the session form and the sign-in page."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from portal.domain.platform.localtime import local_today
from portal.models import Certificate, Completion, OfflineAttendance, OfflineSession
from tests.factories import make_course, make_org, make_trainee, make_user
from tests.views.routes_certificates import use_test_signing_key


@pytest.fixture
def classroom(app, client, login, session):
    use_test_signing_key()
    org = make_org("Tea House", kind="general")
    course = make_course("all-staff-basics")
    course.credit_hours = 2.0
    people = {name: make_trainee(org, name=name, post=post, groups=groups, department=department)
              for name, post, groups, department in (
                  ("Wang Wei", "Guard", ("all_staff", "security_staff"), "Security"),
                  ("Wang Fang", "Cashier", ("all_staff",), "Security"),  # a cashier on the security desk's rota
                  ("Li Na", "Guard", ("all_staff",), "Front of house"))}
    admin = make_user("org_admin", org=org)
    session.commit()
    login(admin)
    client.set_cookie("lang", "en")
    response = client.post("/office/coverage/sessions/new", data={
        "course_id": course.id, "organization_id": org.id, "held_on": local_today().isoformat(), "trainer": "Sun",
        "place": "Hall", "hours": "3"})
    assert response.status_code == 302
    record = session.scalar(select(OfflineSession))
    return {"url": f"/office/coverage/sessions/{record.id}", "people": people, "session": record, "org": org,
            "course": course}


def listed(page: str) -> list[str]:
    """Names in the picker, in order, and whether each is ticked."""
    return [("✓ " if "checked" in attrs else "") + name for attrs, name in
            re.findall(r'<input type="checkbox" name="trainee" value="\d+"([^>]*)> <span>([^<]+?) <', page)]


def test_session_form_records_its_hours_and_refuses_wrong_ones(client, session, classroom):
    assert classroom["session"].hours == 3.0
    page = client.get(classroom["url"]).get_data(as_text=True)
    assert re.search(r"<dt>Class hours</dt><dd>3</dd>", page)
    refused = client.post("/office/coverage/sessions/new", data={
        "course_id": classroom["course"].id, "organization_id": classroom["org"].id,
        "held_on": local_today().isoformat(), "trainer": "Sun", "place": "Hall", "hours": "2.25"})
    assert refused.status_code == 200 and "in steps of 0.5" in refused.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(OfflineSession)) == 1


def test_filters_work_without_script(client, classroom):
    url = classroom["url"]
    assert listed(client.get(url).get_data(as_text=True)) == ["Li Na", "Wang Fang", "Wang Wei"]
    assert listed(client.get(url + "?q=wang").get_data(as_text=True)) == ["Wang Fang", "Wang Wei"]
    assert listed(client.get(url + "?post=Guard").get_data(as_text=True)) == ["Li Na", "Wang Wei"]
    assert listed(client.get(url + "?group=security_staff").get_data(as_text=True)) == ["Wang Wei"]
    page = client.get(url + "?q=nobody").get_data(as_text=True)
    assert listed(page) == [] and "Nobody on the roster matches this filter." in page
    page = client.get(url + "?post=Guard").get_data(as_text=True)
    assert '<option value="Guard" selected>' in page and "js/picker" in page


def test_ticks_survive_a_filter_change_and_an_error(client, session, classroom):
    people, url = classroom["people"], classroom["url"]
    wang, fang = people["Wang Wei"], people["Wang Fang"]
    filtered = client.post(url, data={"action": "filter", "post": "Guard", "trainee": [str(fang.id)],
                                      f"hours-{fang.id}": "1.5"})
    page = filtered.get_data(as_text=True)
    assert filtered.status_code == 200 and session.scalar(select(func.count()).select_from(OfflineAttendance)) == 0
    assert listed(page) == ["✓ Wang Fang", "Li Na", "Wang Wei"]  # the ticked cashier stays, above the guards
    assert f'name="hours-{fang.id}" value="1.5"' in page

    refused = client.post(url, data={"action": "record", "post": "Guard", "trainee": [str(fang.id), str(wang.id)],
                                     f"hours-{fang.id}": "1.5", f"hours-{wang.id}": "4"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Wang Wei: Class hours must be more than 0 and at most 3, in steps of 0.5." in page
    assert listed(page) == ["✓ Wang Fang", "Li Na", "✓ Wang Wei"]
    assert re.search(rf'name="hours-{wang.id}" value="4" maxlength="10" aria-invalid="true"', page)
    assert session.scalar(select(func.count()).select_from(OfflineAttendance)) == 0  # nothing half-applied
    assert session.scalar(select(func.count()).select_from(Completion)) == 0


def test_recorded_hours_show_on_the_page_in_the_export_and_on_the_certificate(client, session, classroom):
    people, url = classroom["people"], classroom["url"]
    wang, fang, li = people["Wang Wei"], people["Wang Fang"], people["Li Na"]
    response = client.post(url, data={"action": "record", "trainee": [str(fang.id), str(wang.id)],
                                      f"hours-{fang.id}": "1.5", f"hours-{wang.id}": "3", "mobiles": li.mobile})
    assert response.status_code == 302
    stored = dict(session.execute(select(OfflineAttendance.person_id, OfflineAttendance.hours)).all())
    assert stored == {fang.person_id: 1.5, wang.person_id: 3.0, li.person_id: 3.0}
    assert dict(session.execute(select(Certificate.person_id, Certificate.credit_hours)).all()) == stored
    page = client.get(url).get_data(as_text=True)
    assert re.search(r"Wang Fang</td><td>[^<]*</td><td>Roster</td><td class=\"n\">1.5</td>", page)
    assert listed(page) == [] and "Everyone on the roster has been recorded." in page
    export = client.get(url + "?format=csv").get_data(as_text=True)
    assert "Class hours" in export and re.search(r"Wang Fang,[^,]*,roster,1\.5,", export)


def test_the_sign_in_page_states_the_hours(client, session, classroom, login):
    scanner = make_user("trainee", org=classroom["org"])
    session.commit()
    client.post("/auth/logout")
    login(scanner)
    url = f"/office/coverage/sessions/{classroom['session'].sign_in_code}/sign-in"
    assert re.search(r"<dt>Class hours</dt><dd>3</dd>", client.get(url).get_data(as_text=True))
    assert client.post(url).status_code == 302
    assert session.scalar(select(OfflineAttendance.hours).where(
        OfflineAttendance.person_id == scanner.trainee.person_id)) == 3.0


def test_the_department_filter_lists_the_roster_s_departments_and_keeps_ticks(client, session, classroom):
    people, url = classroom["people"], classroom["url"]
    li, wang = people["Li Na"], people["Wang Wei"]
    page = client.get(url + "?department=Security").get_data(as_text=True)
    assert listed(page) == ["Wang Fang", "Wang Wei"]
    departments = page[page.index('<select name="department"'):]
    assert re.findall(r'<option value="([^"]*)"', departments[:departments.index("</select>")]) == [
        "", "Front of house", "Security"]
    assert '<option value="Security" selected>' in page and "Cashier · Security · " in page  # each row names it
    assert listed(client.get(url + "?department=Security&post=Guard").get_data(as_text=True)) == ["Wang Wei"]

    filtered = client.post(url, data={"action": "filter", "department": "Security", "trainee": [str(li.id)],
                                      f"hours-{li.id}": "2"})
    page = filtered.get_data(as_text=True)
    assert listed(page) == ["✓ Li Na", "Wang Fang", "Wang Wei"]  # ticked in another department, kept above
    assert f'name="hours-{li.id}" value="2"' in page
    refused = client.post(url, data={"action": "record", "department": "Security", "trainee": [str(li.id), str(wang.id)],
                                     f"hours-{li.id}": "2", f"hours-{wang.id}": "9"})
    assert refused.status_code == 422 and listed(refused.get_data(as_text=True)) == ["✓ Li Na", "Wang Fang", "✓ Wang Wei"]
    assert session.scalar(select(func.count()).select_from(OfflineAttendance)) == 0
    recorded = client.post(url, data={"action": "record", "department": "Security", "trainee": [str(li.id), str(wang.id)],
                                      f"hours-{li.id}": "2", f"hours-{wang.id}": "3"})
    assert recorded.status_code == 302
    assert sorted(session.scalars(select(OfflineAttendance.hours))) == [2.0, 3.0]
