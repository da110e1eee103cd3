"""Stored credentials and status lists: Open Badges 3.0 credentials that pass 1EdTech's published JSON schema, signed
once and served byte for byte, whose validity a verifier reads from a W3C Bitstring Status List."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import jsonschema
import pytest
from sqlalchemy import func, select

from portal.domain.certificates import credentials, issue, status_lists
from portal.domain.certificates.documents import CertificateSettings
from portal.domain.content.sync import sync_content
from portal.domain.platform.localtime import local_today
from portal.models import Certificate, Course, SignedCredential, StatusList
from tests.conftest import FIXTURE_CONTENT
from tests.factories import make_org, make_trainee
from tests.independent_credentials import bitstring, status_bit
from tests.views.routes_certificates import NOW, complete

SCHEMA = json.loads((Path(__file__).parents[1] / "fixtures" / "schemas" /
                     "ob_v3p0_achievementcredential_schema.json").read_text(encoding="utf-8"))
LATER = NOW + timedelta(days=3)


@pytest.fixture
def app_config(tmp_path):
    return {"SIGNING_KEY_PATH": str(tmp_path / "keys" / "signing-key.pem"), "PUBLIC_BASE_URL": "https://fire.example.org"}


@pytest.fixture
def settings(app):
    return CertificateSettings.from_config(app.config)


@pytest.fixture
def course(session):
    sync_content(session, FIXTURE_CONTENT)
    return session.scalar(select(Course).where(Course.code == "sample-course"))


@pytest.fixture
def org(session):
    return make_org(name="示范购物中心")


def certificate(session, org, course, name="张小伟", **kwargs) -> Certificate:
    return complete(session, make_trainee(org, name=name), course, **kwargs)


def stored(session, cert, settings, variant=credentials.PUBLIC) -> dict:
    return json.loads(credentials.stored_credential(session, cert, settings, variant=variant, now=LATER))


def schema_errors(credential: dict) -> list[str]:
    validator = jsonschema.Draft201909Validator(SCHEMA, format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(credential)]


def validator_requirements(credential: dict) -> None:
    """What 1EdTech's reference validator checks beyond the schema (its CredentialSubjectProbe, EvidenceProbe,
    IssuerProbe and RevocationListProbe)."""
    subject = credential["credentialSubject"]
    assert subject["id"] and "AchievementSubject" in subject["type"]
    assert "Profile" in credential["issuer"]["type"] and subject["achievement"]["criteria"]["narrative"]
    assert all("Evidence" in e["type"] for e in credential["evidence"])
    assert all(i["type"] == "IdentityObject" for i in subject.get("identifier", []))
    assert "Profile" in subject.get("source", {"type": ["Profile"]})["type"]
    assert credential["credentialStatus"]["type"] == "BitstringStatusListEntry"
    assert credential["credentialStatus"]["statusPurpose"] == "revocation"


@pytest.mark.parametrize("variant", credentials.VARIANTS)
def test_issued_revoked_and_superseded_credentials_pass_the_published_schema(session, org, course, settings, variant):
    issued = certificate(session, org, course)
    revoked = certificate(session, org, course, name="李雷")
    issue.revoke(session, revoked, reason="培训记录造假", actor_id=None, now=NOW)
    superseded = certificate(session, org, course, name="韩梅梅", completed_on=local_today() - timedelta(days=400))
    complete(session, session.get(Certificate, superseded.id).completion.person.current_employment, course)
    session.commit()
    assert session.get(Certificate, superseded.id).status == "superseded"
    for cert in (issued, revoked, superseded):
        credential = stored(session, cert, settings, variant)
        assert schema_errors(credential) == []
        validator_requirements(credential)
        assert ("identifier" in credential["credentialSubject"]) == (variant == credentials.HOLDER)
        assert credential["credentialSubject"]["achievement"]["description"]


def test_the_schema_refuses_what_the_portal_used_to_serve(session, org, course, settings):
    """The shapes issue #26 reported: no achievement description, names as language arrays, one proof object."""
    credential = stored(session, certificate(session, org, course), settings)
    for path, broken in ((("credentialSubject", "achievement"), lambda a: a.pop("description")),
                         (("credentialSubject", "achievement"), lambda a: a.update(name=[{"@value": "课", "@language": "zh"}])),
                         ((), lambda c: c.update(proof=c["proof"][0])),
                         (("credentialSubject",), lambda s: s.update(identifier=[{"type": "IdentityObject", "x": 1}]))):
        copy = json.loads(json.dumps(credential))
        target = copy
        for key in path:
            target = target[key]
        broken(target)
        assert schema_errors(copy)


def test_a_credential_is_signed_once_and_served_byte_for_byte(session, org, course, settings):
    cert = certificate(session, org, course)
    session.commit()
    first = credentials.stored_credential(session, cert, settings, now=LATER)
    session.commit()
    course.title_zh = "改名后的课程"
    session.commit()
    again = credentials.stored_credential(session, cert, settings, now=LATER + timedelta(hours=5))
    assert again == first and "改名后的课程" not in again
    assert json.loads(first)["proof"][0]["created"] == "2026-05-04T10:00:00Z"
    assert session.scalar(select(func.count()).select_from(SignedCredential)) == 1


def test_a_certificate_from_before_the_stored_credentials_gets_its_own_on_first_request(session, org, course,
                                                                                        settings, app):
    """Certificates issued before 0018 have a salt (the migration's) but no place in a status list and no stored
    credential: the first request signs and stores them; `flask certificates credentials` does it for all."""
    old = [certificate(session, org, course, name=n) for n in ("王五", "赵六", "孙七")]
    session.commit()
    assert all(c.status_index is None for c in old) and session.scalar(select(func.count(SignedCredential.variant))) == 0
    credential = stored(session, old[0], settings)
    session.commit()
    assert old[0].status_index is not None and credential["credentialStatus"]["statusListIndex"] == str(old[0].status_index)
    issue.revoke(session, old[1], reason="重复发证", actor_id=None, now=NOW)
    session.commit()
    result = app.test_cli_runner().invoke(args=["certificates", "credentials", "--batch", "2"])
    assert result.exit_code == 0 and "3 certificates signed" in result.output  # the first lacked the holder's copy
    session.expire_all()
    assert session.scalar(select(func.count(SignedCredential.variant))) == 2 * 3
    status_list = session.get(StatusList, old[1].status_list_id)
    listed = json.loads(status_list.document)
    assert status_list.signed_version == status_list.version
    assert status_bit(listed, old[1].status_index) == 1 and status_bit(listed, old[2].status_index) == 0


def test_the_status_list_sets_the_bit_of_each_certificate_no_longer_valid(session, org, course, settings):
    valid, revoked, replaced = (certificate(session, org, course, name=n) for n in ("张三", "李四", "王五"))
    session.commit()
    for cert in (valid, revoked, replaced):
        stored(session, cert, settings)
    session.commit()
    listed = json.loads(status_lists.signed_list(session, valid.status_list_id, settings)[0])
    assert not any(bitstring(listed))
    issue.revoke(session, revoked, reason="违规", actor_id=None, now=NOW)
    replaced.completion.person.real_name = "王伍"
    new = issue.reissue(session, replaced, reason="更正姓名", actor_id=None, now=NOW)
    renewed_from = valid
    complete(session, valid.completion.person.current_employment, course, completed_on=local_today())
    session.commit()
    assert renewed_from.status == "superseded"
    text, version = status_lists.signed_list(session, valid.status_list_id, settings)
    session.commit()
    listed = json.loads(text)
    bits = {c.status_index: status_bit(listed, c.status_index) for c in (valid, revoked, replaced)}
    assert set(bits.values()) == {1} and sum(bin(b).count("1") for b in bitstring(listed)) == 3
    assert new.status_index is None  # not yet out as JSON: no place taken
    assert listed["credentialSubject"]["statusPurpose"] == "revocation"


def test_the_status_list_is_signed_again_only_after_a_change(session, org, course, settings):
    certs = [certificate(session, org, course, name=n) for n in ("张三", "李四")]
    session.commit()
    for cert in certs:
        stored(session, cert, settings)
    session.commit()
    first, version = status_lists.signed_list(session, certs[0].status_list_id, settings)
    session.commit()
    assert status_lists.signed_list(session, certs[0].status_list_id, settings) == (first, version)
    revoked_at = datetime(2026, 6, 2, 9, 15, tzinfo=timezone.utc)
    issue.revoke(session, certs[1], reason="违规", actor_id=None, now=revoked_at)
    session.commit()
    second, newer = status_lists.signed_list(session, certs[0].status_list_id, settings)
    assert newer == version + 1 and second != first
    listed = json.loads(second)
    assert listed["validFrom"] == "2026-06-02T09:15:00Z" and listed["proof"][0]["created"] == "2026-06-02T09:15:00Z"
    assert status_lists.signed_list(session, 999, settings) is None


def test_a_certificate_already_revoked_when_it_takes_its_place_is_listed_at_once(session, org, course, settings):
    cert = certificate(session, org, course)
    issue.revoke(session, cert, reason="违规", actor_id=None, now=NOW)
    session.commit()
    credential = stored(session, cert, settings)
    session.commit()
    listed = json.loads(status_lists.signed_list(session, cert.status_list_id, settings)[0])
    assert status_bit(listed, int(credential["credentialStatus"]["statusListIndex"])) == 1


def test_indexes_are_spread_over_the_list_and_a_full_list_makes_a_new_one(session, org, course, settings):
    certs = [certificate(session, org, course, name=f"学员{n}") for n in range(6)]
    session.commit()
    for cert in certs[:4]:
        status_lists.ensure_entry(session, cert, now=NOW)
    indexes = [c.status_index for c in certs[:4]]
    assert len(set(indexes)) == 4 and indexes != sorted(indexes) or max(indexes) - min(indexes) > 4
    assert all(0 <= i < status_lists.LIST_SIZE for i in indexes)
    first = session.get(StatusList, certs[0].status_list_id)
    first.allocated = first.size - 1
    session.flush()
    status_lists.ensure_entry(session, certs[4], now=NOW)
    status_lists.ensure_entry(session, certs[5], now=NOW)
    assert certs[4].status_list_id == first.id and certs[5].status_list_id != first.id
    status_lists.ensure_entry(session, certs[5], now=NOW)  # once only
    assert session.get(StatusList, certs[5].status_list_id).allocated == 1


def test_the_list_index_is_a_bijection():
    status_list = StatusList(size=16, multiplier=5, offset=3)
    assert sorted(status_lists._index(status_list, p) for p in range(16)) == list(range(16))


def test_encoding_puts_index_zero_at_the_left_most_bit():
    listed = {"type": ["VerifiableCredential", "BitstringStatusListCredential"],
              "credentialSubject": {"encodedList": status_lists.encode([0, 9, 131071], 131072)}}
    bits = bitstring(listed)
    assert bits[0] == 0x80 and bits[1] == 0x40 and bits[-1] == 0x01 and len(bits) == 16384
