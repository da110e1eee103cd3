"""The company's drill pages: plan and record (what was typed kept on errors), the participant picker, QR sign-in,
follow-up actions, photos (clear refusals), the list's filters and exports, the dashboard card, in both languages."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import openpyxl
import pytest
from PIL import Image
from sqlalchemy import select

from portal.domain.workforce import drills
from portal.domain.platform.localtime import local_today
from portal.models import Drill, DrillAction, DrillParticipant, DrillPhoto, utcnow
from tests.factories import make_org, make_trainee, make_user


@pytest.fixture
def mall(session, login, client):
    org = make_org("示范购物中心", kind="public_gathering")
    staff = [make_trainee(org, name=name, post=post) for name, post in
             (("张保安", "保安员"), ("李收银", "收银员"), ("王店长", "店长"))]
    admin = make_user("org_admin", org=org)
    session.commit()
    login(admin)
    return {"org": org, "staff": staff, "admin": admin}


def held(session, org, *, days_ago=0, scenario="美食广场起火"):
    today = local_today()
    drill = drills.record_drill(session, org, drills.DrillData("evacuation", today - timedelta(days=days_ago),
                                                               scenario, "一楼"),
                                actor_id=None, now=utcnow(), today=today)
    session.commit()
    return drill


def png(size=(64, 48)) -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", size, "red").save(data, "PNG")
    data.seek(0)
    return data


def test_plan_a_drill_then_record_it_as_held(client, session, mall):
    org, today = mall["org"], local_today()
    response = client.post(f"/company/{org.id}/drills/new", data={
        "kind": "tabletop", "day": today.isoformat(), "scenario": "配电间起火的桌面推演", "places": "会议室",
        "duration_minutes": "45"})
    assert response.status_code == 302
    drill = session.scalar(select(Drill))
    assert drill.status == "planned" and drill.planned_on == today
    response = client.post(f"/company/{org.id}/drills/{drill.id}/record", data={
        "kind": "tabletop", "day": today.isoformat(), "scenario": drill.scenario, "places": "会议室",
        "duration_minutes": "50", "summary": "联络流程需要简化"})
    assert response.status_code == 302
    session.refresh(drill)
    assert drill.status == "held" and drill.held_on == today and drill.duration_minutes == 50
    assert session.get(type(org), org.id).last_drill_on == today


def test_a_wrong_value_keeps_what_was_typed(client, session, mall):
    client.set_cookie("lang", "en")
    org = mall["org"]
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    response = client.post(f"/company/{org.id}/drills/new?held=1", data={
        "kind": "extinguisher", "day": tomorrow, "scenario": "走廊起火，灭火器实操", "places": "三楼走廊",
        "duration_minutes": "30"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "A drill is recorded as held on or after its day" in page
    assert "走廊起火，灭火器实操" in page and 'value="三楼走廊"' in page and 'value="30"' in page
    assert f'value="{tomorrow}"' in page and '<option selected value="extinguisher">' in page
    response = client.post(f"/company/{org.id}/drills/new", data={
        "kind": "evacuation", "day": local_today().isoformat(), "scenario": "x", "duration_minutes": "99999"})
    assert response.status_code == 422 and "Between 1 and 1440 minutes." in response.get_data(as_text=True)
    assert session.scalar(select(Drill)) is None


def test_the_picker_records_participants_and_keeps_ticks_on_a_filter(client, session, mall):
    org, staff = mall["org"], mall["staff"]
    drill = held(session, org)
    url = f"/company/{org.id}/drills/{drill.id}"
    page = client.post(url, data={"trainee": [str(staff[0].id)], "q": "", "post": "收银员", "action": "filter"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "李收银" in text and "王店长" not in text.split("data-picker-list")[1].split("</ul>")[0]
    assert f'value="{staff[0].id}" checked' in text  # ticked, not in this filter: kept
    response = client.post(url, data={"trainee": [str(staff[0].id), str(staff[1].id)], "action": "record"})
    assert response.status_code == 302
    assert {p.trainee_id for p in session.scalars(select(DrillParticipant))} == {staff[0].id, staff[1].id}
    stranger = make_trainee(make_org())
    session.commit()
    response = client.post(url, data={"trainee": [str(stranger.id), str(staff[2].id)], "action": "record"})
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and f'value="{staff[2].id}" checked' in text


def test_a_person_on_the_roster_signs_in_by_qr(client, session, mall, login):
    org = mall["org"]
    drill = held(session, org)
    person = make_user("trainee", org=org)
    session.commit()
    page = client.get(f"/company/{org.id}/drills/{drill.id}").get_data(as_text=True)
    assert f"/company/drills/{drill.sign_in_code}/sign-in" in page and "<svg" in page
    client.post("/auth/logout")
    login(person)
    assert "美食广场起火" in client.get(f"/company/drills/{drill.sign_in_code}/sign-in").get_data(as_text=True)
    assert client.post(f"/company/drills/{drill.sign_in_code}/sign-in").status_code == 302
    [row] = session.scalars(select(DrillParticipant)).all()
    assert row.method == "qr" and row.person_id == person.person.id


def test_follow_up_actions_with_owners_and_due_dates_overdue_in_red(client, session, mall):
    client.set_cookie("lang", "en")
    org, staff = mall["org"], mall["staff"]
    drill = held(session, org, days_ago=20)
    url = f"/company/{org.id}/drills/{drill.id}/actions"
    late = (local_today() - timedelta(days=3)).isoformat()
    assert client.post(url, data={"description": "清理3号出口", "owner_trainee_id": str(staff[2].id),
                                  "owner_name": "", "due_on": late}).status_code == 302
    response = client.post(url, data={"description": "", "owner_trainee_id": "0", "owner_name": "维保单位",
                                      "due_on": late})
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and "Say what has to be done." in text and 'value="维保单位"' in text
    page = client.get(f"/company/{org.id}/drills/{drill.id}").get_data(as_text=True)
    assert "清理3号出口" in page and "王店长" in page and f'class="overdue">overdue: it was due by {late}' in page
    dashboard = client.get(f"/company/{org.id}/").get_data(as_text=True)
    assert "Open follow-up actions" in dashboard and "清理3号出口" in dashboard
    action = session.scalar(select(DrillAction))
    done = client.post(f"/company/{org.id}/drills/{drill.id}/actions/{action.id}/done", data={})
    assert done.status_code == 302
    session.refresh(action)
    assert action.done_on == local_today()


def test_photos_upload_with_clear_refusals(client, session, mall, app):
    client.set_cookie("lang", "en")
    org = mall["org"]
    drill = held(session, org)
    url = f"/company/{org.id}/drills/{drill.id}/photos"

    def send(data, name, alt="员工引导疏散"):
        return client.post(url, data={"photo": (data, name), "alt_text": alt}, content_type="multipart/form-data")

    assert send(png(), "exit.png").status_code == 302
    photo = session.scalar(select(DrillPhoto))
    image = client.get(f"/company/{org.id}/drills/{drill.id}/photos/{photo.id}.jpg")
    assert image.status_code == 200 and image.mimetype == "image/jpeg" and image.data[:3] == b"\xff\xd8\xff"
    assert "no-store" in image.headers["Cache-Control"]
    image.close()
    page = client.get(f"/company/{org.id}/drills/{drill.id}").get_data(as_text=True)
    assert 'alt="员工引导疏散"' in page
    refused = send(io.BytesIO(b"not an image at all"), "photo.jpg")
    assert refused.status_code == 422 and "This file is not a photo: send a JPEG, PNG or WebP image." in \
        refused.get_data(as_text=True)
    app.config["DRILL_PHOTO_MAX_BYTES"] = 100
    big = send(png((300, 300)), "big.png").get_data(as_text=True)
    assert "The photo is larger than" in big
    app.config["DRILL_PHOTO_MAX_BYTES"], app.config["DRILL_PHOTOS_PER_DRILL"] = 8 * 1024 * 1024, 1
    many = send(png((10, 10)), "second.png").get_data(as_text=True)
    assert "A drill keeps at most 1 photos." in many
    assert "Describe what the photo shows" in send(png((12, 12)), "x.png", alt="").get_data(as_text=True)
    assert session.scalar(select(DrillPhoto.id).where(DrillPhoto.id != photo.id)) is None


def test_another_organizations_drill_and_photo_answer_404(client, session, mall):
    other = make_org()
    drill = held(session, other)
    assert client.get(f"/company/{mall['org'].id}/drills/{drill.id}").status_code == 404
    assert client.get(f"/company/{other.id}/drills/{drill.id}").status_code == 404


def test_the_list_filters_and_exports(client, session, mall):
    org = mall["org"]
    held(session, org, scenario="今年的疏散演练")
    old = held(session, org, days_ago=400, scenario="去年的疏散演练")
    year = old.held_on.year
    page = client.get(f"/company/{org.id}/drills?year={year}").get_data(as_text=True)
    assert "去年的疏散演练" in page and ("今年的疏散演练" not in page or year == local_today().year)
    assert "今年的疏散演练" not in client.get(f"/company/{org.id}/drills?kind=tabletop").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(client.get(f"/company/{org.id}/drills?format=csv").data.decode("utf-8-sig"))))
    assert len(rows) == 3 and "今年的疏散演练" in rows[1] + rows[2]
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(f"/company/{org.id}/drills?format=xlsx").data))
    assert workbook.active.max_row == 3


def test_pages_in_english_and_chinese(client, session, mall):
    org = mall["org"]
    drill = held(session, org)
    client.set_cookie("lang", "en")
    listing = client.get(f"/company/{org.id}/drills").get_data(as_text=True)
    assert "Fire drills" in listing and "Next drill due" in listing and "Evacuation" in listing
    assert "A drill at least every 6 months, counted from the last drill held." in listing
    assert "第四十条" in listing
    detail = client.get(f"/company/{org.id}/drills/{drill.id}").get_data(as_text=True)
    assert "Who took part" in detail and "Follow-up actions" in detail and "Photos" in detail
    client.set_cookie("lang", "zh_CN")
    listing = client.get(f"/company/{org.id}/drills").get_data(as_text=True)
    assert 'lang="zh' in listing and "导出 CSV" in listing and "美食广场起火" in listing and "日期" in listing
    detail = client.get(f"/company/{org.id}/drills/{drill.id}").get_data(as_text=True)
    assert "扫码签到" in detail and "状态" in detail


def test_the_dashboard_shows_a_drill_overdue_in_red(client, session, mall):
    client.set_cookie("lang", "en")
    org = mall["org"]
    org.last_drill_on = date(2024, 1, 10)
    session.commit()
    page = client.get(f"/company/{org.id}/").get_data(as_text=True)
    assert "Fire drills" in page and '<strong class="overdue">2024-07-10 · overdue since 2024-07-11' in page
