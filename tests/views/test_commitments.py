"""Duty commitment pages: the trainee's card, signing page (errors in the user's language, CSRF) and PDF; the
company's list, filter, export and PDF; the office's overview and texts; in Chinese and English."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.domain.platform.localtime import local_today
from portal.models import AuditEvent, Commitment, CommitmentText
from tests.factories import make_completion, make_course, make_org, make_trainee, make_user


@pytest.fixture
def mall(session):
    org = make_org("示范商场", kind="public_gathering")
    course = make_course("responsible-person")
    make_course("safety-manager")
    user = make_user()
    head = make_trainee(org, user=user, name="王大明", groups=("all_staff", "responsible_person"))
    make_completion(head, course, on=local_today() - timedelta(days=3), valid_until=local_today() + timedelta(days=300))
    manager = make_trainee(org, name="赵管理", groups=("safety_manager",))
    admin = make_user("org_admin", org=org)
    session.commit()
    return {"org": org, "user": user, "head": head, "manager": manager, "admin": admin}


def english(client):
    client.get("/lang/en?next=/")


def words(app, msgid: str, locale: str = "zh_CN", **variables) -> str:
    """A message as the page shows it in the language (its catalog entry once translated, else the source)."""
    from flask_babel import force_locale, gettext

    with app.test_request_context(), force_locale(locale):
        return gettext(msgid, **variables)


def sign_page(mall):
    return f"/me/commitments/{mall['head'].id}/responsible_person"


def test_the_trainee_is_asked_to_sign_then_signs_and_downloads_the_copy(app, client, login, session, mall):
    login(mall["user"])
    home = client.get("/me/").get_data(as_text=True)
    card = words(app, "Sign your duty commitment")
    assert card in home and sign_page(mall) in home
    page = client.get(sign_page(mall)).get_data(as_text=True)
    assert "单位消防安全责任人履职承诺书" in page and "示范商场" in page and "第六条" in page
    response = client.post(sign_page(mall), data={"confirm": "y", "typed_name": "王 大明"},
                           headers={"User-Agent": "Mozilla/5.0 (Linux; Android 14) Test"})
    assert response.status_code == 302
    record = session.scalar(select(Commitment))
    assert record.typed_name == "王 大明" and "Android 14" in record.user_agent
    done = client.get(sign_page(mall)).get_data(as_text=True)
    assert words(app, "Download the PDF copy") in done and f"/me/commitments/{record.id}.pdf" in done
    assert card not in client.get("/me/").get_data(as_text=True)
    pdf = client.get(f"/me/commitments/{record.id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    history = client.get("/me/history").get_data(as_text=True)
    assert words(app, "Duty commitments signed") in history and record.serial in history
    data = client.get("/me/data.json").get_json()
    assert data["commitments"][0]["serial"] == record.serial
    assert any(e["action"] == "commitment.sign" for e in data["audit_events_about_you"])


TICK = "Tick the box to confirm that you have read the commitment and accept it."
WRONG_NAME = ("The name you typed is not the name on your record. Type your full name as it appears on your "
              "employer's roster.")


@pytest.mark.parametrize("locale, form, message", [
    ("zh_CN", {"typed_name": "王大明"}, TICK),
    ("zh_CN", {"confirm": "y", "typed_name": "王小明"}, WRONG_NAME),
    ("en", {"typed_name": "王大明"}, TICK),
    ("en", {"confirm": "y", "typed_name": "Wang"}, WRONG_NAME),
])
def test_a_wrong_signature_is_answered_in_the_user_s_language(app, client, login, session, mall, locale, form,
                                                              message):
    login(mall["user"])
    if locale == "en":
        english(client)
    response = client.post(sign_page(mall), data=form)
    assert response.status_code == 422  # refused, like every form that refuses its input
    page = response.get_data(as_text=True)
    assert words(app, message, locale).replace("'", "&#39;") in page
    assert (f'value="{form["typed_name"]}"' in page)  # what was typed is kept
    assert session.scalar(select(Commitment)) is None


def test_signing_needs_the_csrf_token(app, client, login, session, mall):
    login(mall["user"])
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(sign_page(mall), data={"confirm": "y", "typed_name": "王大明"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert session.scalar(select(Commitment)) is None


def test_training_first_shows_the_courses_missing_and_no_form(app, client, login, session, mall):
    user = make_user()
    job = make_trainee(mall["org"], user=user, groups=("safety_manager",))
    session.commit()
    login(user)
    page = client.get(f"/me/commitments/{job.id}/safety_manager").get_data(as_text=True)
    assert words(app, "Complete your training first") in page and "课程safety-manager" in page
    assert 'name="typed_name"' not in page
    client.post(f"/me/commitments/{job.id}/safety_manager", data={"confirm": "y", "typed_name": job.real_name})
    assert session.scalar(select(Commitment)) is None


def test_the_company_sees_who_signed_filters_exports_and_downloads(app, client, login, session, mall):
    login(mall["user"])
    client.post(sign_page(mall), data={"confirm": "y", "typed_name": "王大明"})
    client.post("/auth/logout")
    login(mall["admin"])
    org = mall["org"].id
    dashboard = client.get(f"/company/{org}/").get_data(as_text=True)
    assert words(app, "Duty commitments") in dashboard and f"/company/{org}/commitments" in dashboard
    page = client.get(f"/company/{org}/commitments").get_data(as_text=True)
    assert "王大明" in page and "赵管理" in page
    only = client.get(f"/company/{org}/commitments?status=training_first").get_data(as_text=True)
    assert "赵管理" in only and "王大明" not in only
    export = client.get(f"/company/{org}/commitments?format=csv")
    rows = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig"))))
    assert rows[0][:2] == ["姓名", "岗位"]
    assert {row[0]: row[3] for row in rows[1:]} == {"王大明": words(app, "Signed"),
                                                    "赵管理": words(app, "Training first")}
    assert rows[1][2] in (words(app, "Fire-safety responsible person"), words(app, "Fire-safety manager"))
    xlsx = client.get(f"/company/{org}/commitments?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.data.startswith(b"PK")
    record = session.scalar(select(Commitment))
    pdf = client.get(f"/company/{org}/commitments/{record.id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    english(client)
    page = client.get(f"/company/{org}/commitments").get_data(as_text=True)
    assert "Duty commitments" in page and "Signed" in page and "Training first" in page


def test_the_office_edits_a_text_as_a_new_version_and_sees_the_overview(app, client, login, session, mall):
    office = make_user("office_admin")
    session.commit()
    login(office)
    texts = client.get("/office/commitments/texts").get_data(as_text=True)
    assert "微型消防站站长履职承诺书" in texts and "/office/commitments/texts/complex_shop_owner" in texts
    url = "/office/commitments/texts/responsible_person"
    form = client.get(url).get_data(as_text=True)
    assert words(app, "Save as a new version") in form and "第六条" in form
    data = {"title_zh": "责任人承诺书（2027）", "title_en": "Commitment 2027", "body_zh": "本人承诺。",
            "body_en": "I commit.", "basis": "《中华人民共和国消防法》第十六条"}
    assert client.post(url, data=data).status_code == 302
    active = session.scalar(select(CommitmentText).where(CommitmentText.role == "responsible_person",
                                                         CommitmentText.active.is_(True)))
    assert (active.version, active.title_zh) == (2, "责任人承诺书（2027）")
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "commitment_text.save")) is not None
    bad = client.post(url, data={**data, "body_en": ""}).get_data(as_text=True)
    assert "此项为必填项" in bad or "This field is required" in bad
    overview = client.get("/office/commitments").get_data(as_text=True)
    assert "示范商场" in overview and f"/company/{mall['org'].id}/commitments" in overview
    english(client)
    overview = client.get("/office/commitments").get_data(as_text=True)
    assert "commitments required" in overview and "示范商场" in overview
