"""Certificates over HTTP: the trainee's list and downloads, public verification, the office's actions,
the company's ZIP and inspection code, rate limits."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, timedelta

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import select

from portal.domain.certificates import issue, proofs, signing
from portal.domain.content.sync import sync_content
from portal.domain.platform.localtime import local_today
from portal.models import AuditEvent, Certificate, Course
from tests.conftest import FIXTURE_CONTENT
from tests.factories import make_org, make_trainee, make_user
from tests.views.routes_certificates import NOW, complete


@pytest.fixture
def app_config(tmp_path, request):
    """The signing key in the test's own folder; a test may add settings with indirect parametrization."""
    return {"SIGNING_KEY_PATH": str(tmp_path / "keys" / "signing-key.pem"), "PUBLIC_BASE_URL": "https://fire.example.org",
            **getattr(request, "param", {})}


@pytest.fixture
def course(session):
    sync_content(session, FIXTURE_CONTENT)
    return session.scalar(select(Course).where(Course.code == "sample-course"))


@pytest.fixture
def org(session):
    return make_org(name="示范购物中心")


@pytest.fixture
def holder(session, org):
    """A trainee user named 张小伟 with a valid certificate."""
    user = make_user("trainee", org=org)
    user.trainee.person.real_name = "张小伟"
    user.trainee.person.id_number = "11010519491231002X"
    session.flush()
    return user


@pytest.fixture
def cert(session, holder, course):
    cert = complete(session, holder.trainee, course, completed_on=local_today() - timedelta(days=10))
    session.commit()
    return cert


def english(client):
    client.set_cookie("lang", "en")
    return client


def page(response) -> str:
    return response.get_data(as_text=True)


def main(body: str) -> str:
    """The page's <main> (the header's language link carries the URL, which differs)."""
    return body[body.index("<main"):body.index("</main>")]


# --- the trainee ---------------------------------------------------------------------------

def test_my_certificates_lists_status_and_links(client, login, holder, cert, course, session):
    old = complete(session, holder.trainee, course, completed_on=local_today() - timedelta(days=800))
    session.commit()
    login(holder)
    body = page(english(client).get("/me/certificates"))
    assert "My certificates" in body and cert.serial in body and old.serial in body
    assert body.index(cert.serial) < body.index(old.serial)  # the current one first
    assert "Valid" in body and "Superseded" in body
    assert f'href="/certificates/{cert.serial}.pdf"' in body and f'href="/verify/{cert.token}"' in body
    assert f'href="/me/certificates/{cert.serial}.json"' in body
    assert 'style="' not in body and "<script>" not in body
    assert re.search(r"css/certificates(\.[0-9a-f]{8})?\.css", body)


def test_trainee_downloads_own_pdf_but_not_a_colleagues(client, login, holder, cert, course, session, org):
    colleague = complete(session, make_trainee(org, name="李雷"), course)
    session.commit()
    login(holder)
    response = client.get(f"/certificates/{cert.serial}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF") and len(response.data) < 200 * 1024
    assert f"{cert.serial}.pdf" in response.headers["Content-Disposition"]
    assert client.get(f"/certificates/{colleague.serial}.pdf").status_code == 404


def test_my_certificates_is_empty_before_any_completion(client, login, session, org):
    user = make_user("trainee", org=org)
    session.commit()
    login(user)
    assert "You have no certificates yet" in page(english(client).get("/me/certificates"))


# --- public verification ---------------------------------------------------------------------

def assert_leaks_nothing(body: str) -> None:
    assert "张小伟" not in body and "11010519491231002X" not in body and "1949" not in body
    assert not re.search(r"1[3-9]\d{9}", body)


def test_verification_page_shows_masked_holder_course_dates_and_organization(client, cert):
    response = english(client).get(f"/verify/{cert.token}")
    body = page(response)
    assert response.status_code == 200 and "Valid" in body and "genuine and currently valid" in body
    assert "张*伟" in body and "示范购物中心" in body and "Sample Course" in body and cert.serial in body
    assert cert.completed_on.isoformat() in body and cert.valid_until.isoformat() in body
    assert_leaks_nothing(body)
    assert response.headers["Cache-Control"] == "no-store" and "noindex" in response.headers["X-Robots-Tag"]


def test_qr_code_link_with_compact_claims_opens_the_same_page(client, cert):
    response = client.get(f"/verify/{cert.token}?c=1.garbage.or.whatever")
    assert response.status_code == 200 and "张*伟" in page(response)


def test_expired_revoked_replaced_and_superseded_show_at_once(client, session, holder, course, cert):
    client = english(client)
    expired = complete(session, make_trainee(make_org()), course, completed_on=date(2020, 1, 1), valid_until=date(2021, 1, 1))
    session.commit()
    assert "has expired" in page(client.get(f"/verify/{expired.token}"))
    issue.revoke(session, expired, reason="违规", actor_id=None, now=NOW)
    session.commit()
    body = page(client.get(f"/verify/{expired.token}"))
    assert "Revoked" in body and "违规" not in body  # the reason stays in the office
    holder.trainee.person.real_name = "张晓伟"
    new = issue.reissue(session, cert, reason="更正姓名", actor_id=None, now=NOW)
    session.commit()
    body = page(client.get(f"/verify/{cert.token}"))
    assert "Replaced" in body and new.serial in body
    renewed = complete(session, holder.trainee, course, completed_on=local_today())
    session.commit()
    body = page(client.get(f"/verify/{new.token}"))
    assert "Superseded" in body and renewed.serial in body


def test_typed_serial_shows_only_the_course_and_the_validity(client, cert):
    """A serial can be guessed and walked (#19): alone it names neither the holder nor the employer."""
    typed = cert.serial.lower().replace("-", " ")
    body = main(page(english(client).get("/verify", query_string={"serial": typed})))
    assert "Sample Course" in body and "Valid" in body and cert.valid_until.isoformat() in body
    assert "张*伟" not in body and "张" not in body and "示范购物中心" not in body and "Holder" not in body
    assert cert.completed_on.isoformat() not in body and "scan the QR code" in body
    assert f"/verify/{cert.token}" not in body and 'name="name"' not in body  # the serial does not lead to the token
    assert_leaks_nothing(body)


def test_unknown_wrong_check_and_malformed_inputs_get_the_same_not_found_page(client, cert):
    from portal.domain.certificates.serials import format_serial

    client = english(client)
    wrong_check = cert.serial[:-1] + ("A" if cert.serial[-1] != "A" else "B")
    unknown = format_serial("SFQ", 2026, 999999)
    bodies = []
    for typed in (wrong_check, unknown, "hello", "SFQ-2026-000001"):
        response = client.get("/verify", query_string={"serial": typed})
        assert response.status_code == 404
        bodies.append(main(page(response)).replace(f'value="{typed}"', 'value=""'))
    assert len(set(bodies)) == 1 and "Certificate not found" in bodies[0]
    token_bodies = []
    for token in (cert.token[:-1] + ("A" if cert.token[-1] != "A" else "B"), "short", "x" * 200):
        response = client.get(f"/verify/{token}")
        assert response.status_code == 404
        token_bodies.append(main(page(response)))
    assert set(token_bodies) == set(bodies)
    # A NUL is refused before any view, in the path as in a query (PostgreSQL cannot even compare it).
    response = client.get("/verify/%00")
    assert response.status_code == 400 and "Bad request" in page(response)


def test_serial_form_page(client):
    body = page(english(client).get("/verify"))
    assert 'name="serial"' in body and 'action="/verify"' in body and "SFQ-" in body


def test_signed_json_verifies_with_the_published_key_and_fails_after_tampering(client, cert):
    jwk = client.get("/.well-known/portal-signing-key.json").json
    assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519"
    response = client.get(f"/verify/{cert.token}.json")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    credential = response.json
    assert credential["id"] == f"https://fire.example.org/verify/{cert.token}" and "certificate" not in credential
    assert credential["proof"][0]["verificationMethod"].endswith("#" + jwk["kid"])
    key = signing.key_from_jwk(jwk)
    proofs.verify(credential, key)
    credential["validUntil"] = "2099-12-31T23:59:59Z"
    with pytest.raises(ValueError):
        proofs.verify(credential, key)
    assert client.get("/verify/nope.json").status_code == 404


@pytest.mark.parametrize("app_config", [{"CERT_VERIFY_RATE_LIMIT": "3 per minute"}], indirect=True)
def test_verification_is_rate_limited_across_its_endpoints(client, cert):
    assert client.get(f"/verify/{cert.token}").status_code == 200
    assert client.get("/verify", query_string={"serial": cert.serial}).status_code == 200
    assert client.get(f"/verify/{cert.token}.json").status_code == 200
    assert client.get(f"/verify/{cert.token}").status_code == 429
    assert client.get("/verify", query_string={"serial": "guess"}).status_code == 429
    assert client.get("/verify").status_code == 200  # the empty form is not a look-up


# --- the office ----------------------------------------------------------------------------

def test_office_revokes_with_a_reason_and_verification_shows_it(client, login, session, cert):
    office = make_user("office_admin")
    session.commit()
    login(office)
    client = english(client)
    body = page(client.get(f"/certificates/{cert.serial}"))
    assert "张小伟" in body and "Revoke certificate" in body and "Re-issue certificate" in body
    response = client.post(f"/certificates/{cert.serial}/revoke", data={"revoke-reason": ""})
    assert response.status_code == 400
    response = client.post(f"/certificates/{cert.serial}/revoke", data={"revoke-reason": "培训记录造假"})
    assert response.status_code == 302
    assert session.get(Certificate, cert.id).status == "revoked"
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "certificate.revoke"))
    assert event.actor_id == office.id and event.details["reason"] == "培训记录造假"
    assert "Revoked" in page(client.get(f"/verify/{cert.token}"))
    assert "培训记录造假" in page(client.get(f"/certificates/{cert.serial}"))


def test_office_reissues_after_a_name_correction(client, login, session, cert, holder):
    office = make_user("office_admin")
    holder.trainee.person.real_name = "张晓伟"
    session.commit()
    login(office)
    response = client.post(f"/certificates/{cert.serial}/reissue", data={"reissue-reason": "身份证核对更正姓名"})
    new = session.scalar(select(Certificate).where(Certificate.replaced_by_id.is_(None), Certificate.id != cert.id))
    assert response.headers["Location"] == f"/certificates/{new.serial}"
    assert new.holder_name == "张晓伟" and session.get(Certificate, cert.id).status == "replaced"
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "certificate.reissue")).actor_id == office.id


def test_only_the_office_revokes(client, login, session, cert, org):
    admin = make_user("org_admin", org=org)
    session.commit()
    login(admin)
    assert client.post(f"/certificates/{cert.serial}/revoke", data={"revoke-reason": "x y"}).status_code == 403
    assert session.get(Certificate, cert.id).status == "valid"


# --- the company ---------------------------------------------------------------------------

def test_company_zip_holds_current_certificates_of_active_staff(client, login, session, org, course, cert):
    left = make_trainee(org, name="王五")
    complete(session, left, course)
    left.status = "left"
    revoked = complete(session, make_trainee(org, name="赵六"), course)
    issue.revoke(session, revoked, reason="作废", actor_id=None, now=NOW)
    expired = complete(session, make_trainee(org, name="李雷"), course, completed_on=date(2020, 1, 1), valid_until=date(2021, 1, 1))
    other = complete(session, make_trainee(make_org(), name="外人"), course)
    admin = make_user("org_admin", org=org)
    session.commit()
    login(admin)
    response = client.get(f"/company/{org.id}/certificates.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip" and response.is_streamed
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    names = archive.namelist()
    assert sorted(names) == sorted([f"certificates/{cert.serial}-张小伟-sample-course.pdf",
                                    f"certificates/{expired.serial}-李雷-sample-course.pdf", "manifest.csv"])
    assert all(archive.read(n).startswith(b"%PDF") for n in names if n.endswith(".pdf"))
    manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))
    assert {(row["serial"], row["status"]) for row in manifest} == {(cert.serial, "valid"), (expired.serial, "expired")}
    assert manifest[0]["verification_url"].startswith("https://fire.example.org/verify/")
    assert other.serial not in str(names)


def test_company_page_and_inspection_qr(client, login, session, org, cert):
    org.last_drill_on = date(2026, 3, 15)
    make_trainee(org)  # untrained
    make_trainee(org, groups=("responsible_person",))  # signs a duty commitment once trained
    admin = make_user("org_admin", org=org)
    session.commit()
    login(admin)
    body = page(english(client).get(f"/company/{org.id}/certificates"))
    assert cert.serial in body and "张小伟" in body and "33%" in body
    png = client.get(f"/company/{org.id}/inspection-qr.png")
    url = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.data)))[0].text
    assert url.startswith("https://fire.example.org/verify/org/")
    poster = client.get(f"/company/{org.id}/inspection-qr.pdf")
    assert poster.data.startswith(b"%PDF")
    client.post("/auth/logout")
    inspector = english(client).get(url.removeprefix("https://fire.example.org"))
    body = page(inspector)
    assert inspector.status_code == 200 and "示范购物中心" in body and "33%" in body and "2026-03-15" in body
    months = {"public_gathering": 6, "key_unit": 6, "general": 12}[org.kind]  # the rules' drill interval
    due = date(2026, 3 + months, 15) if months < 10 else date(2027, 3, 15)
    assert due.isoformat() in body  # the next drill, from the last one
    if due < local_today():
        assert f"overdue since {(due + timedelta(days=1)).isoformat()}" in body
    assert "0 of 1 signed" in body  # the duty commitments, without names
    assert "张" not in body and cert.serial not in body
    assert client.get(url.removeprefix("https://fire.example.org")[:-2] + "AA").status_code == 404


# --- the command line ----------------------------------------------------------------------

def test_cli_lists_renders_and_revokes(app, session, cert, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["certificates", "list", "--limit", "5"])
    assert result.exit_code == 0 and cert.serial in result.output
    assert f"https://fire.example.org/verify/{cert.token}" in result.output
    assert runner.invoke(args=["certificates", "list", "--org", "no-such-org"]).output.strip() == "no certificates"
    out = tmp_path / "reprint.pdf"
    result = runner.invoke(args=["certificates", "render", cert.serial.lower(), "--out", str(out)])
    assert result.exit_code == 0 and out.read_bytes().startswith(b"%PDF")
    result = runner.invoke(args=["certificates", "revoke", cert.serial, "--reason", "重复发证"])
    assert result.exit_code == 0 and "revoked" in result.output
    session.expire_all()
    assert session.get(Certificate, cert.id).status == "revoked"
    assert runner.invoke(args=["certificates", "revoke", "SFQ-2026-000000-0", "--reason", "x"]).exit_code != 0
