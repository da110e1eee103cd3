"""Signed credentials over HTTP, checked as a wallet or an inspector's tool would: with the published key and an
implementation of the specifications of its own (tests/independent_credentials.py), the status list fetched
separately. And the brute force of issue #19: the public JSON no longer gives the holder's name back."""
from __future__ import annotations

import hashlib
import json
from urllib.parse import urlsplit

import pytest
from cryptography.exceptions import InvalidSignature

from portal.domain.certificates import issue
from portal.domain.localtime import local_today
from portal.models import Certificate, Person
from tests.domain.test_certificates_credentials import schema_errors
from tests.independent_credentials import status_bit, verify_proof
from tests.views.routes_certificates import NOW, complete
from tests.views.test_certificates import app_config, cert, course, holder, main, org, page  # noqa: F401

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
