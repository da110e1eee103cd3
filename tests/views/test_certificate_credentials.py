"""Signed credentials over HTTP, checked as a wallet or an inspector's tool would: with the published key and an
implementation of the specifications of its own (tests/independent_credentials.py), the status list fetched
separately. And the brute force of issue #19: the public JSON no longer gives the holder's name back."""
from __future__ import annotations

import hashlib
import json
from urllib.parse import urlsplit

import pytest
from cryptography.exceptions import InvalidSignature
from sqlalchemy import select

from portal.domain.certificates import issue
from portal.domain.platform.localtime import local_today
from portal.models import AuditEvent, Certificate, Person
from tests.domain.test_certificates_credentials import schema_errors
from tests.factories import make_trainee, make_user
from tests.independent_credentials import status_bit, verify_proof
from tests.views.routes_certificates import NOW, complete
from tests.views.test_certificates import app_config, cert, course, english, holder, main, org, page  # noqa: F401

COMMON_HANZI = [chr(c) for c in range(0x4E00, 0xA000)]  # CJK Unified Ideographs: 20,992 characters


def jwk(client) -> dict:
    return client.get("/.well-known/portal-signing-key.json").json


def fetch(client, url: str):
    response = client.get(urlsplit(url).path)
    assert response.status_code == 200, url
    return response


def status_of(client, credential: dict) -> int:
    """The credential's bit in its status list, the list's own proof checked first."""
    entry = credential["credentialStatus"]
    listed = fetch(client, entry["statusListCredential"]).json
    verify_proof(listed, jwk(client))
    assert listed["id"] == entry["statusListCredential"] and entry["statusPurpose"] == "revocation"
    return status_bit(listed, int(entry["statusListIndex"]))


def test_two_downloads_are_the_same_bytes(client, cert):
    first = client.get(f"/verify/{cert.token}.json")
    second = client.get(f"/verify/{cert.token}.json")
    assert first.status_code == second.status_code == 200 and first.mimetype == "application/json"
    assert first.data == second.data
    assert first.headers["Access-Control-Allow-Origin"] == "*"


def test_a_credential_verifies_independently_and_its_status_changes_without_resigning(client, session, cert):
    credential_bytes = client.get(f"/verify/{cert.token}.json").data
    credential = json.loads(credential_bytes)
    document = verify_proof(credential, jwk(client))
    assert document["credentialSubject"]["achievement"]["name"] == "示例课程" and schema_errors(credential) == []
    assert status_of(client, credential) == 0
    issue.revoke(session, cert, reason="违规", actor_id=None, now=NOW)
    session.commit()
    assert client.get(f"/verify/{cert.token}.json").data == credential_bytes  # the credential itself is unchanged
    assert status_of(client, credential) == 1
    tampered = json.loads(credential_bytes)
    tampered["validUntil"] = "2099-12-31T23:59:59Z"
    with pytest.raises(InvalidSignature):
        verify_proof(tampered, jwk(client))


def test_replaced_and_superseded_certificates_are_set_in_the_list_too(client, session, cert, holder, course):
    old = json.loads(client.get(f"/verify/{cert.token}.json").data)
    holder.trainee.person.real_name = "张晓伟"
    new = issue.reissue(session, cert, reason="更正姓名", actor_id=None, now=NOW)
    session.commit()
    assert status_of(client, old) == 1
    corrected = json.loads(client.get(f"/verify/{new.token}.json").data)
    assert status_of(client, corrected) == 0
    complete(session, holder.trainee, course, completed_on=local_today())
    session.commit()
    assert status_of(client, corrected) == 1 and schema_errors(corrected) == []


def test_the_status_list_is_revalidated_by_its_etag(client, session, cert):
    credential = client.get(f"/verify/{cert.token}.json").json
    path = urlsplit(credential["credentialStatus"]["statusListCredential"]).path
    first = client.get(path)
    assert first.headers["Cache-Control"] == "public, no-cache" and first.headers["ETag"]
    assert client.get(path, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    issue.revoke(session, cert, reason="违规", actor_id=None, now=NOW)
    session.commit()
    changed = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]


def test_the_public_json_does_not_give_the_name_back(client, cert):
    """#19 item 3: with sha256(name + serial) beside the masked name, trying the 20,992 common characters found the
    name in milliseconds. The public credential now holds no name hash and no salt; the brute force finds nothing,
    neither salted with the serial nor unsalted (what a hash without `salt` means in Open Badges)."""
    text = client.get(f"/verify/{cert.token}.json").get_data(as_text=True)
    page_text = page(client.get(f"/verify/{cert.token}"))
    assert cert.identity_salt not in text and cert.identity_salt not in page_text
    assert '"salt"' not in text and "identityHash" not in text and "张小伟" not in text
    masked = "张*伟"
    assert masked in page_text
    found = [c for c in COMMON_HANZI for salt in (cert.serial, "")
             for digest in [hashlib.sha256(masked.replace("*", c).encode() + salt.encode()).digest()]
             if digest.hex() in text or digest.hex() in page_text]
    assert found == []
    # The same search does find the name in the old form of the credential.
    old = hashlib.sha256(("张小伟" + cert.serial).encode()).hexdigest()
    assert [c for c in COMMON_HANZI
            if hashlib.sha256((masked.replace("*", c) + cert.serial).encode()).hexdigest() == old] == ["小"]


def test_the_holder_downloads_a_copy_that_proves_their_name(client, login, session, holder, cert):
    login(holder)
    response = client.get(f"/me/certificates/{cert.serial}.json")
    assert response.status_code == 200 and f'{cert.serial}.json' in response.headers["Content-Disposition"]
    assert client.get(f"/me/certificates/{cert.serial}.json").data == response.data
    credential = json.loads(response.data)
    [identity] = verify_proof(credential, jwk(client))["credentialSubject"]["identifier"]
    assert identity["salt"] == cert.identity_salt and identity["identityType"] == "name"
    assert identity["identityHash"] == "sha256$" + hashlib.sha256(("张小伟" + cert.identity_salt).encode()).hexdigest()
    assert schema_errors(credential) == []
    public = client.get(f"/verify/{cert.token}.json").json
    assert public["credentialSubject"]["id"] == credential["credentialSubject"]["id"]
    assert public["credentialStatus"] == credential["credentialStatus"]


def test_an_employer_gets_no_holder_copy(client, login, session, org, cert):
    admin = make_user("org_admin", org=org)
    session.commit()
    login(admin)
    assert client.get(f"/me/certificates/{cert.serial}.json").status_code == 403


def name_check(client, cert, name: str, address: str = "203.0.113.7"):
    return client.post(f"/verify/{cert.token}/name", data={"name": name}, environ_base={"REMOTE_ADDR": address})


def test_an_inspector_confirms_the_name_on_the_id_card(client, session, cert):
    client = english(client)
    for typed in ("张小伟", " 张 小伟 ", "张小伟"):
        body = main(page(name_check(client, cert, typed)))
        assert "The name matches the certificate" in body and "张小伟" not in body
    for typed in ("张大伟", "张小", "张小伟伟"):
        assert "The name does not match" in page(name_check(client, cert, typed))
    response = name_check(client, cert, "")
    assert response.status_code == 200 and "matches" not in page(response)
    assert session.scalar(select(AuditEvent.id).limit(1)) is None  # nothing about the check is kept
    assert 'name="name"' in page(client.get(f"/verify/{cert.token}"))


def test_a_name_in_latin_letters_or_with_a_middle_dot_matches_however_typed(client, session, org, course):
    other = complete(session, make_trainee(org, name="阿沛·阿旺晋美"), course)
    latin = complete(session, make_trainee(org, name="Ma Lin"), course)
    session.commit()
    client = english(client)
    assert "The name matches" in page(name_check(client, other, "阿沛・阿旺晋美"))
    assert "The name matches" in page(name_check(client, latin, "MA LIN"))


@pytest.mark.parametrize("app_config", [{"CERT_NAME_CHECK_RATE_LIMIT": "2 per hour"}], indirect=True)
def test_names_tried_against_one_certificate_are_limited_from_every_address(client, session, org, course, cert):
    assert name_check(client, cert, "张一伟", "198.51.100.1").status_code == 200
    assert name_check(client, cert, "张二伟", "198.51.100.2").status_code == 200
    assert name_check(client, cert, "张小伟", "198.51.100.3").status_code == 429
    other = complete(session, make_trainee(org, name="李雷"), course)
    session.commit()
    assert name_check(client, other, "李雷", "198.51.100.3").status_code == 200
    assert client.get(f"/verify/{cert.token}").status_code == 200  # the page itself stays readable


def test_the_related_achievement_in_english(client, cert):
    credential = client.get(f"/verify/{cert.token}.json").json
    [related] = credential["credentialSubject"]["achievement"]["related"]
    achievement = fetch(client, related["id"]).json
    assert achievement["name"] == "Sample Course" and achievement["inLanguage"] == "en" == related["inLanguage"]
    assert achievement["id"] == credential["credentialSubject"]["achievement"]["id"]
    assert achievement["related"][0]["inLanguage"] == "zh-CN"


def test_certificates_of_an_old_person_keep_verifying_after_a_name_change(client, session, cert):
    """The credential states the name as certified: a later change on the roster does not touch it."""
    before = client.get(f"/verify/{cert.token}.json").data
    session.get(Person, session.get(Certificate, cert.id).person_id).real_name = "张晓伟"
    session.commit()
    assert client.get(f"/verify/{cert.token}.json").data == before
    assert "张*伟" in page(client.get(f"/verify/{cert.token}"))


def test_unknown_status_list_and_a_serial_page_without_the_json_link(client, cert):
    assert client.get("/credentials/status/424242").status_code == 404
    body = page(client.get("/verify", query_string={"serial": cert.serial}))
    assert ".json" not in main(body)


def test_holder_copy_needs_the_holders_login(client, login, session, org, course, cert):
    colleague = make_user("trainee", org=org)
    session.commit()
    assert client.get(f"/me/certificates/{cert.serial}.json").status_code == 302
    login(colleague)
    assert client.get(f"/me/certificates/{cert.serial}.json").status_code == 404
