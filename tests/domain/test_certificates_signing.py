"""The signing key, the signed JSON credential and the compact QR claims, checked offline (the stored credentials
and status lists: test_certificates_credentials.py)."""
from __future__ import annotations

import copy
import hashlib
import os
import stat
from dataclasses import replace
from datetime import date, datetime, timezone

import pytest

from portal.domain.certificates import proofs, signing
from portal.domain.certificates.compact import InvalidClaims, compact_claims, name_hash, verify_compact
from portal.domain.certificates.credentials import HOLDER, signed_credential
from portal.domain.certificates.documents import CertificateDocument, CertificateSettings
from portal.domain.certificates.proofs import InvalidProof

NOW = datetime(2026, 6, 1, 8, 30, tzinfo=timezone.utc)


@pytest.fixture
def settings(app, tmp_path):
    return replace(CertificateSettings.from_config(app.config), base_url="https://fire.example.org",
                   signing_key_path=str(tmp_path / "keys" / "signing-key.pem"))


@pytest.fixture
def doc():
    return CertificateDocument(
        serial="SFQ-2026-000007-3", token="t" * 32, holder_name="张小伟", organization_name="东城大酒店",
        course_code="sample-course", course_title_zh="示例课程", course_title_en="Sample Course", credit_hours=2.0,
        completed_on=date(2026, 5, 1), issued_at=datetime(2026, 5, 1, tzinfo=timezone.utc), valid_until=date(2027, 5, 1),
        identity_salt="Qx8vR2mN5kL1pT7wZ3yB4c")


STATUS = {"id": "https://fire.example.org/credentials/status/1#7", "type": "BitstringStatusListEntry",
          "statusPurpose": "revocation", "statusListIndex": "7",
          "statusListCredential": "https://fire.example.org/credentials/status/1"}


def public(settings):
    return signing.key_from_jwk(signing.public_jwk(signing.public_key(settings.signing_key_path)))


def test_key_is_created_once_with_mode_0600_and_reused(settings):
    first = signing.public_jwk(signing.public_key(settings.signing_key_path))
    mode = stat.S_IMODE(os.stat(settings.signing_key_path).st_mode)
    assert mode == 0o600
    signing._keys.clear()  # a new process reads the same file
    assert signing.public_jwk(signing.public_key(settings.signing_key_path)) == first
    assert first["kty"] == "OKP" and first["crv"] == "Ed25519" and len(signing.b64url_decode(first["x"])) == 32


def test_signed_credential_verifies_offline_and_is_shaped_like_an_open_badge(doc, settings):
    credential = signed_credential(doc, settings, status=STATUS, now=NOW)
    assert credential["@context"][:2] == ["https://www.w3.org/ns/credentials/v2",
                                          "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["validFrom"] == "2026-05-01T00:00:00Z" and credential["validUntil"] == "2027-05-01T23:59:59Z"
    assert credential["name"] == "消防安全培训合格证书" and credential["credentialStatus"] == STATUS
    subject = credential["credentialSubject"]
    assert subject["id"].startswith("urn:uuid:") and "identifier" not in subject
    assert subject["achievement"]["name"] == "示例课程" and subject["achievement"]["inLanguage"] == "zh-CN"
    assert subject["achievement"]["related"][0]["id"] == "https://fire.example.org/achievements/sample-course/en"
    assert subject["source"]["name"] == "东城大酒店"
    assert credential["evidence"][0]["type"] == ["Evidence"] and "示例课程" in credential["evidence"][0]["name"]
    [proof] = credential["proof"]
    assert proof["cryptosuite"] == "eddsa-jcs-2022" and proof["created"] == "2026-06-01T08:30:00Z"
    assert proof["proofValue"].startswith("z")
    assert "张小伟" not in str(credential) and doc.identity_salt not in str(credential)
    assert proofs.verify(credential, public(settings))["id"] == "https://fire.example.org/verify/" + doc.token


def test_signing_is_deterministic(doc, settings):
    """Ed25519 and JCS: the same facts and proof time give the same bytes."""
    assert signed_credential(doc, settings, status=STATUS, now=NOW) == signed_credential(doc, settings, status=STATUS,
                                                                                         now=NOW)


def test_holders_copy_carries_the_salted_name_hash_and_its_salt(doc, settings):
    credential = signed_credential(doc, settings, variant=HOLDER, status=STATUS, now=NOW)
    [identity] = credential["credentialSubject"]["identifier"]
    assert identity == {"type": "IdentityObject", "identityType": "name", "hashed": True, "salt": doc.identity_salt,
                        "identityHash": "sha256$" + hashlib.sha256("张小伟Qx8vR2mN5kL1pT7wZ3yB4c".encode()).hexdigest()}
    public_copy = signed_credential(doc, settings, status=STATUS, now=NOW)
    assert credential["credentialSubject"]["id"] == public_copy["credentialSubject"]["id"]
    proofs.verify(credential, public(settings))


def test_the_employer_is_named_by_its_credit_code_and_left_out_when_unknown(doc, settings):
    credential = signed_credential(replace(doc, organization_code="91220302MA0Y123456"), settings, status=STATUS, now=NOW)
    assert credential["credentialSubject"]["source"]["id"] == "urn:fire-safety-portal:organization:91220302MA0Y123456"
    credential = signed_credential(doc, settings, status=STATUS, now=NOW)  # an organization deleted since
    assert credential["credentialSubject"]["source"]["id"].isascii()
    credential = signed_credential(replace(doc, organization_name=""), settings, status=STATUS, now=NOW)
    assert "source" not in credential["credentialSubject"]


@pytest.mark.parametrize("tamper", [
    lambda c: c["credentialSubject"].update(id="urn:uuid:00000000-0000-4000-8000-000000000000"),
    lambda c: c.update(validUntil="2099-01-01T23:59:59Z"),
    lambda c: c["credentialStatus"].update(statusListIndex="8"),
    lambda c: c["proof"][0].update(created="2020-01-01T00:00:00Z"),
    lambda c: c["proof"][0].update(proofValue="z" + signing.b58encode(b"\x01" * 64)),
    lambda c: c.update(proof=[]),
    lambda c: c.pop("proof"),
])
def test_tampered_credential_fails(doc, settings, tamper):
    credential = signed_credential(doc, settings, status=STATUS, now=NOW)
    tampered = copy.deepcopy(credential)
    tamper(tampered)
    with pytest.raises(InvalidProof):
        proofs.verify(tampered, public(settings))


def test_credential_signed_by_another_key_fails(doc, settings, tmp_path):
    credential = signed_credential(doc, settings, status=STATUS, now=NOW)
    other = replace(settings, signing_key_path=str(tmp_path / "other.pem"))
    with pytest.raises(InvalidProof):
        proofs.verify(credential, public(other))


def test_compact_claims_verify_and_fail_after_tampering(doc, settings):
    text = compact_claims(doc, settings)
    assert text.startswith(f"2.{doc.serial}.") and f".{doc.identity_salt}.sample-course.20270501." in text
    claims = verify_compact(text, public(settings))
    assert claims.matches_name("张小伟") and not claims.matches_name("张大伟")
    assert claims.valid_on(date(2027, 5, 1)) and not claims.valid_on(date(2027, 5, 2))
    claims_part, signature = text.rsplit(".", 1)
    for bad in (claims_part.replace("20270501", "20990501") + "." + signature,
                claims_part.replace("SFQ-2026-000007-3", "SFQ-2026-000008-1") + "." + signature,
                claims_part.replace(doc.identity_salt, "A" * 22) + "." + signature,
                claims_part, "", "....", text + "x", "2.a.b.c.d.e.!!!"):
        with pytest.raises(InvalidClaims):
            verify_compact(bad, public(settings))


def test_version_1_claims_printed_before_the_salts_still_verify(doc, settings):
    """Certificates printed before carry `1.<serial>.<sha256(name + serial)>...`: scanners keep accepting them."""
    claims = ".".join(("1", doc.serial, signing.b64url(hashlib.sha256(("张小伟" + doc.serial).encode()).digest()),
                       "sample-course", "20270501"))
    text = claims + "." + signing.b64url(signing.sign(settings.signing_key_path, claims.encode()))
    checked = verify_compact(text, public(settings))
    assert checked.version == "1" and checked.matches_name("张小伟") and not checked.matches_name("张大伟")
    assert checked.valid_until == date(2027, 5, 1)


def test_compact_claims_of_a_certificate_without_expiry(doc, settings):
    claims = verify_compact(compact_claims(replace(doc, valid_until=None), settings), public(settings))
    assert claims.valid_until is None and claims.valid_on(date(2099, 1, 1))


def test_no_qr_code_without_a_salt(doc, settings):
    with pytest.raises(ValueError):
        compact_claims(replace(doc, identity_salt=""), settings)


def test_name_hash_is_open_badges_identity_hash():
    assert name_hash(" 张小伟 ", "salt") == hashlib.sha256("张小伟salt".encode()).digest()


def test_canonical_json_sorts_keys_and_writes_integral_floats_as_integers():
    assert signing.canonical_json({"b": 1.0, "a": [2.5, "中"]}) == '{"a":[2.5,"中"],"b":1}'.encode()


def test_base58_round_trip():
    for data in (b"", b"\0\0abc", bytes(range(64))):
        assert signing.b58decode(signing.b58encode(data)) == data
