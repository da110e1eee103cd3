"""Duty commitments (履职承诺): who must sign, only after the role's training, the name typed, what a signature
records, renewal with the training, the organization's list and the district's coverage, the PDF copy, the texts'
versions and the rules' `commitments` section."""
from __future__ import annotations

import subprocess
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from portal.domain.workforce import commitments
from portal.domain.workforce.commitment_pdf import CommitmentPdfSettings, render_commitment
from portal.domain.demo.commitments import seed_commitment_stories
from portal.domain.workforce.rules import RuleProblems, dump_rules, parse_rules, repository_rules_text
from portal.models import AuditEvent, Commitment, CommitmentText
from tests.factories import make_completion, make_course, make_org, make_trainee, make_user

TODAY = date(2026, 6, 1)
NOW = datetime(2026, 6, 1, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai


@pytest.fixture
def courses(session):
    return {code: make_course(code) for code in ("responsible-person", "safety-manager", "security-micro-station",
                                                 "small-business-owner")}


@pytest.fixture
def mall(session):
    return make_org("示范商场", kind="public_gathering")


def trained(job, course, *, on=TODAY - timedelta(days=10), until=TODAY + timedelta(days=200)):
    return make_completion(job, course, on=on, valid_until=until)


def statuses(session, job, on=TODAY):
    return {duty.role: duty.status for duty in commitments.person_duties(session, job.person_id, today=on)}


def sign(session, job, role="responsible_person", *, name=None, confirmed=True, now=NOW):
    user = make_user()
    return commitments.sign(session, job=job, role=role, typed_name=job.real_name if name is None else name,
                            confirmed=confirmed, now=now, user=user, user_agent="Mozilla/5.0 (iPhone)",
                            address="203.0.113.7")


def test_who_must_sign_is_read_from_the_rules(session, courses, mall):
    shop_mall = mall
    office = make_org("普通单位", kind="general")
    head = make_trainee(shop_mall, groups=("all_staff", "responsible_person"))
    manager = make_trainee(shop_mall, groups=("safety_manager",))
    chief = make_trainee(shop_mall, groups=("security_staff",), post="微型消防站站长")
    guard = make_trainee(shop_mall, groups=("security_staff",), post="保安员")
    shop = make_trainee(shop_mall, groups=("small_business_owner",))
    owner_elsewhere = make_trainee(office, groups=("small_business_owner",))
    employee = make_trainee(shop_mall)
    assert statuses(session, head) == {"responsible_person": "training_first"}
    assert statuses(session, manager) == {"safety_manager": "training_first"}
    assert statuses(session, chief) == {"micro_station_chief": "training_first"}
    assert statuses(session, shop) == {"complex_shop_owner": "training_first"}
    for nobody in (guard, owner_elsewhere, employee):
        assert statuses(session, nobody) == {}
    listed = commitments.organization_commitments(session, shop_mall.id, today=TODAY)
    assert sorted(d.trainee.id for d in listed) == sorted(j.id for j in (head, manager, chief, shop))
    head.status = "left"
    assert statuses(session, head) == {}  # only active rosters


def test_nobody_signs_before_the_training_of_the_role(session, courses, mall):
    head = make_trainee(mall, groups=("responsible_person",), name="李四")
    duty = commitments.person_duties(session, head.person_id, today=TODAY)[0]
    assert duty.training.missing == ("responsible-person",)
    with pytest.raises(commitments.CommitmentError, match="请先完成本角色的培训"):
        sign(session, head)
    trained(head, courses["responsible-person"], until=None)
    assert statuses(session, head) == {"responsible_person": "to_sign"}


@pytest.mark.parametrize("typed", ["张三丰", " 张 三 丰 ", "张\u3000三丰", "张三丰\t"])
def test_the_typed_name_is_the_person_s_name_blanks_aside(session, courses, mall, typed):
    head = make_trainee(mall, groups=("responsible_person",), name="张三丰")
    trained(head, courses["responsible-person"])
    assert sign(session, head, name=typed).typed_name == typed.strip()


def test_full_width_latin_names_match_and_a_wrong_name_or_no_tick_is_refused(session, courses, mall):
    head = make_trainee(mall, groups=("responsible_person",), name="Anna Li")
    trained(head, courses["responsible-person"])
    with pytest.raises(commitments.CommitmentError) as wrong:
        sign(session, head, name="李安娜")
    assert wrong.value.field == "typed_name"
    with pytest.raises(commitments.CommitmentError) as untick:
        sign(session, head, confirmed=False)
    assert untick.value.field == "confirm"
    with pytest.raises(commitments.CommitmentError):
        sign(session, head, name="   ")
    assert sign(session, head, name="ＡＮＮＡ　ＬＩ").typed_name == "ＡＮＮＡ　ＬＩ"


def test_a_signature_records_time_device_text_and_the_training_s_expiry_once(session, courses, mall):
    manager = make_trainee(mall, groups=("safety_manager",))
    trained(manager, courses["safety-manager"], until=date(2027, 1, 31))
    first = sign(session, manager, "safety_manager")
    text = session.scalar(select(CommitmentText).where(CommitmentText.role == "safety_manager"))
    assert (first.signed_at, first.user_agent, first.address) == (NOW, "Mozilla/5.0 (iPhone)", "203.0.113.7")
    assert (first.text_id, first.text_version, first.valid_until) == (text.id, 1, date(2027, 1, 31))
    assert (first.person_id, first.trainee_id, first.organization_id) == (manager.person_id, manager.id, mall.id)
    assert first.serial == f"CMT-2026-{first.id:06d}"
    again = sign(session, manager, "safety_manager", now=NOW + timedelta(hours=1))
    assert again.id == first.id  # the same training period: signed once
    assert session.scalars(select(Commitment)).all() == [first]
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "commitment.sign"))
    assert event.details["role"] == "safety_manager" and event.target_id == str(first.id)
    assert statuses(session, manager) == {"safety_manager": "signed"}


def test_the_commitment_renews_with_the_training(session, courses, mall):
    head = make_trainee(mall, groups=("responsible_person",))
    course = courses["responsible-person"]
    trained(head, course, on=date(2025, 7, 1), until=date(2026, 6, 30))
    signed = sign(session, head)
    assert signed.valid_until == date(2026, 6, 30)
    # renewed early: still signed until the old period ends
    trained(head, course, on=date(2026, 6, 20), until=date(2027, 6, 19))
    assert statuses(session, head, date(2026, 6, 25)) == {"responsible_person": "signed"}
    # the old period over, the renewed training asks for a new signature
    later = date(2026, 7, 1)
    assert statuses(session, head, later) == {"responsible_person": "expired"}
    renewed = sign(session, head, now=datetime(2026, 7, 1, 3, tzinfo=timezone.utc))
    assert renewed.id != signed.id and renewed.valid_until == date(2027, 6, 19)
    assert statuses(session, head, later) == {"responsible_person": "signed"}
    # without renewed training the lapsed commitment means training first
    assert statuses(session, head, date(2027, 7, 1)) == {"responsible_person": "training_first"}


def test_an_edited_text_is_a_new_version_and_earlier_signers_stay_signed(session, courses, mall):
    head = make_trainee(mall, groups=("responsible_person",))
    trained(head, courses["responsible-person"])
    signed = sign(session, head)
    office = make_user("office_admin")
    data = commitments.TextData("新承诺书", "New commitment", "本人承诺……", "I commit...", "《中华人民共和国消防法》第十六条")
    new = commitments.save_text(session, "responsible_person", data, user=office, now=NOW)
    assert new.version == 2 and new.active
    assert commitments.save_text(session, "responsible_person", data, user=office, now=NOW).id == new.id
    assert [t.active for t in commitments.text_versions(session, "responsible_person")] == [True, False]
    duty = commitments.person_duties(session, head.person_id, today=TODAY)[0]
    assert duty.status == "signed" and duty.commitment.id == signed.id and duty.commitment.text_version == 1
    assert duty.text.version == 2
    with pytest.raises(commitments.CommitmentError):
        commitments.save_text(session, "responsible_person", commitments.TextData("", "x", "y", "z", "b"),
                              user=office, now=NOW)


def test_coverage_counts_required_and_signed_on_a_date(session, courses, mall):
    other = make_org(kind="key_unit")
    head = make_trainee(mall, groups=("responsible_person",), start_date=date(2020, 1, 1))
    manager = make_trainee(mall, groups=("safety_manager",), start_date=date(2020, 1, 1))
    trained(head, courses["responsible-person"])
    trained(manager, courses["safety-manager"])
    make_trainee(other, groups=("responsible_person",))
    sign(session, head)
    today = commitments.commitment_coverage(session, [mall.id, other.id], on=TODAY)
    assert (today.required, today.signed) == (3, 1)
    assert today.by_organization[mall.id] == {"to_sign": 1, "expired": 0, "training_first": 0, "signed": 1}
    assert today.by_organization[other.id]["training_first"] == 1
    before = commitments.commitment_coverage(session, [mall.id], on=TODAY - timedelta(days=1))
    assert (before.required, before.signed) == (2, 0)
    assert commitments.commitment_coverage(session, [], on=TODAY).rate is None


def test_the_pdf_copy_holds_the_text_the_name_and_the_local_time(app, session, courses, mall, tmp_path):
    head = make_trainee(mall, groups=("responsible_person",), name="欧阳小明")
    trained(head, courses["responsible-person"])
    record = sign(session, head)
    with app.test_request_context():
        data = render_commitment(record, CommitmentPdfSettings.from_config(app.config, "zh_CN"), locale="zh_CN")
    assert data.startswith(b"%PDF")
    path = tmp_path / "commitment.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    for expected in ("欧阳小明", "示范商场", "单位消防安全责任人履职承诺书", "2026-06-01 10:00:00", record.serial,
                     "Mozilla/5.0 (iPhone)"):
        assert expected in text.replace("\n", " "), expected


def test_the_demo_mall_has_one_signed_and_one_to_sign(session, courses):
    org = make_org("示范购物中心", kind="public_gathering")
    head = make_trainee(org, groups=("responsible_person",))
    manager = make_trainee(org, groups=("safety_manager",))
    assert seed_commitment_stories(session, today=TODAY) == {"commitments": 1}
    assert seed_commitment_stories(session, today=TODAY) == {"commitments": 0}
    assert statuses(session, head) == {"responsible_person": "signed"}
    assert statuses(session, manager) == {"safety_manager": "to_sign"}


def test_the_rules_commitments_section_is_checked_and_dumped_back():
    shipped = parse_rules(repository_rules_text())
    assert shipped.commitments["micro_station_chief"].post == "微型消防站站长"
    assert shipped.commitments["complex_shop_owner"].organization_kind == "public_gathering"
    assert parse_rules(dump_rules(shipped), strict=True).commitments == shipped.commitments
    text = repository_rules_text() + ("  owner:\n    group: nobody\n    organization_kind: mall\n    colour: red\n"
                                      "  chief:\n    post: 站长\n  '坏': {group: safety_manager}\n")
    with pytest.raises(RuleProblems) as problems:
        parse_rules(text, groups={"responsible_person", "safety_manager", "security_staff", "small_business_owner",
                                  "grid_worker", "community_police", "committee_staff", "property_staff"})
    lines = text.splitlines()
    found = {message.split(":")[0] if ":" in message else message: line for line, message in
             ((line, str(message)) for line, message in problems.value.problems)}
    assert "mall" in lines[found["commitments.owner"] - 1] or "colour" in lines[found["commitments.owner"] - 1]
    messages = " | ".join(str(m) for _line, m in problems.value.problems)
    assert "“nobody” is not a key group" in messages and "“colour” is not a setting" in messages
    assert "commitments.chief: group is a non-empty text" in messages and "“坏” is not a role code" in messages
