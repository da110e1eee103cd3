"""The signing key, the signed JSON credential and the compact QR claims, checked offline."""
from __future__ import annotations

import copy
import os
import stat
from dataclasses import replace
from datetime import date, datetime, timezone

import pytest

from portal.domain.certificates import signing
from portal.domain.certificates.credentials import (InvalidCredential, compact_claims, name_hash, signed_credential,
                                                    verify_compact, verify_credential)
from portal.domain.certificates.documents import CertificateDocument, CertificateSettings

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
        completed_on=date(2026, 5, 1), issued_at=datetime(2026, 5, 1, tzinfo=timezone.utc), valid_until=date(2027, 5, 1))


def public(settings):
    return signing.key_from_jwk(signing.public_jwk(signing.public_key(settings.signing_key_path)))


def test_key_is_created_once_with_mode_0600_and_reused(settings):
    first = signing.public_jwk(signing.public_key(settings.signing_key_path))
    mode = stat.S_IMODE(os.stat(settings.signing_key_path).st_mode)
    assert mode == 0o600
    signing._keys.clear()  # a new process reads the same file
    assert signing.public_jwk(signing.public_key(settings.signing_key_path)) == first
    assert first["kty"] == "OKP" and first["crv"] == "Ed25519" and len(signing.b64url_decode(first["x"])) == 32


def test_signed_credential_verifies_offline_and_is_shaped_like_a_vc(doc, settings):
    credential = signed_credential(doc, settings, state="valid", now=NOW)
    assert credential["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["validFrom"] == "2026-05-01T00:00:00Z" and credential["validUntil"] == "2027-05-01T23:59:59Z"
    subject = credential["credentialSubject"]
    assert subject["achievement"]["name"][0]["@value"] == "示例课程"
    assert subject["identifier"][0]["identityHash"] == "sha256$" + name_hash("张小伟", doc.serial).hex()
    assert credential["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    assert credential["proof"]["proofValue"].startswith("z")
    assert "张小伟" not in str(credential) and credential["certificate"]["holderMasked"] == "张*伟"
    assert verify_credential(credential, public(settings))["id"] == "https://fire.example.org/verify/" + doc.token


@pytest.mark.parametrize("tamper", [
    lambda c: c["credentialSubject"]["identifier"][0].update(identityHash="sha256$" + "0" * 64),
    lambda c: c.update(validUntil="2099-01-01T23:59:59Z"),
    lambda c: c["certificate"].update(status="valid" if c["certificate"]["status"] != "valid" else "revoked"),
    lambda c: c["proof"].update(created="2020-01-01T00:00:00Z"),
    lambda c: c["proof"].update(proofValue="z" + signing.b58encode(b"\x01" * 64)),
    lambda c: c.pop("proof"),
])
def test_tampered_credential_fails(doc, settings, tamper):
    credential = signed_credential(doc, settings, state="valid", now=NOW)
    tampered = copy.deepcopy(credential)
    tamper(tampered)
    with pytest.raises(InvalidCredential):
        verify_credential(tampered, public(settings))


def test_credential_signed_by_another_key_fails(doc, settings, tmp_path):
    credential = signed_credential(doc, settings, state="valid", now=NOW)
    other = replace(settings, signing_key_path=str(tmp_path / "other.pem"))
    with pytest.raises(InvalidCredential):
        verify_credential(credential, public(other))


def test_compact_claims_verify_and_fail_after_tampering(doc, settings):
    text = compact_claims(doc, settings)
    claims = verify_compact(text, public(settings))
    assert claims.matches_name("张小伟") and claims.valid_on(date(2027, 5, 1)) and not claims.valid_on(date(2027, 5, 2))
    claims_part, signature = text.rsplit(".", 1)
    for bad in (claims_part.replace("20270501", "20990501") + "." + signature,
                claims_part.replace("SFQ-2026-000007-3", "SFQ-2026-000008-1") + "." + signature,
                claims_part, "", "....", text + "x", "1.a.b.c.d.!!!"):
        with pytest.raises(InvalidCredential):
            verify_compact(bad, public(settings))


def test_compact_claims_of_a_certificate_without_expiry(doc, settings):
    claims = verify_compact(compact_claims(replace(doc, valid_until=None), settings), public(settings))
    assert claims.valid_until is None and claims.valid_on(date(2099, 1, 1))


def test_canonical_json_sorts_keys_and_writes_integral_floats_as_integers():
    assert signing.canonical_json({"b": 1.0, "a": [2.5, "中"]}) == '{"a":[2.5,"中"],"b":1}'.encode()


def test_base58_round_trip():
    for data in (b"", b"\0\0abc", bytes(range(64))):
        assert signing.b58decode(signing.b58encode(data)) == data
