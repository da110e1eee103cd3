"""Fire drills: the schedule by organization kind (half-yearly for key units and public gathering places, yearly
for the others), QR sign-in, follow-up actions, and photos checked and re-encoded without their metadata."""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta, timezone

import pytest
from PIL import Image
from sqlalchemy import select

from portal.domain.workforce import drill_photos, drills
from portal.domain.platform.errors import NotAllowed, ValidationError
from portal.domain.workforce.rules import RuleProblems, parse_rules, repository_rules_text
from portal.models import AuditEvent, DrillParticipant, DrillPhoto
from tests.factories import make_org, make_trainee

TODAY = date(2026, 6, 30)
NOW = datetime(2026, 6, 30, 2, tzinfo=timezone.utc)
RULES = parse_rules(repository_rules_text())
DRILL = drills.DrillData("evacuation", date(2026, 6, 20), scenario="Fire in the food court", places="B1, 1F",
                         duration_minutes=40, summary="Exit 3 blocked by boxes")


def joined(org, day: date) -> None:
    org.created_at = datetime(day.year, day.month, day.day, 4, tzinfo=timezone.utc)


# ------------------------------------------------------------------------------ the rules

def test_the_rules_file_gives_half_a_year_to_key_units_and_public_gathering_places_a_year_to_others():
    assert {kind: rule.months for kind, rule in RULES.drills.items()} == \
        {"key_unit": 6, "public_gathering": 6, "general": 12}
    assert all("第四十条" in rule.basis for rule in RULES.drills.values())


def test_a_rules_text_saved_before_drills_reads_the_files_drill_rules_but_a_new_one_needs_them():
    text = repository_rules_text()
    start, end = text.index("drills:"), text.index("# Hire:")
    older = text[:start] + text[end:]
    assert parse_rules(older).drills == RULES.drills
    with pytest.raises(RuleProblems, match="drills: a mapping"):
        parse_rules(older, strict=True)


def test_a_wrong_drill_rule_is_refused_with_its_line():
    text = repository_rules_text().replace("    months: 12\n    basis: 《机关、团体、企业、事业单位消防安全管理规定》（公安部令第61号）第四十条：其他",
                                           "    months: 0\n    basis: 《机关、团体、企业、事业单位消防安全管理规定》（公安部令第61号）第四十条：其他")
    with pytest.raises(RuleProblems) as problem:
        parse_rules(text)
    [(line, message)] = problem.value.problems
    assert "months" in str(message) and text.splitlines()[line - 1].strip() == "months: 0"


# ------------------------------------------------------------------------------ the schedule

@pytest.mark.parametrize("kind, due", [("key_unit", date(2026, 7, 15)), ("public_gathering", date(2026, 7, 15)),
                                       ("general", date(2027, 1, 15))])
def test_the_next_drill_is_due_one_interval_after_the_last(app, session, kind, due):
    org = make_org(kind=kind)
    status = drills.drill_status(org, TODAY, RULES, last_held=date(2026, 1, 15))
    assert status.next_due == due and status.counted_from == "last_drill"
    assert status.state == ("due_soon" if kind != "general" else "ok")


def test_a_drill_overdue_says_since_when(app, session):
    org = make_org(kind="public_gathering")
    status = drills.drill_status(org, TODAY, RULES, last_held=date(2025, 11, 30))
    assert status.state == "overdue" and status.next_due == date(2026, 5, 30)
    assert status.overdue_since == date(2026, 5, 31) and status.days_overdue == 31


def test_without_any_drill_the_first_is_due_one_interval_after_joining(app, session):
    org = make_org(kind="key_unit")
    joined(org, date(2025, 10, 1))
    status = drills.drill_status(org, TODAY, RULES)
    assert status.counted_from == "joined" and status.next_due == date(2026, 4, 1) and status.state == "overdue"


def test_the_offices_last_drill_date_counts_like_a_drill_held(app, session):
    org = make_org(kind="general")
    org.last_drill_on = date(2026, 3, 1)
    assert drills.drill_status(org, TODAY, RULES, last_held=date(2025, 1, 1)).next_due == date(2027, 3, 1)


def test_recording_a_held_drill_moves_the_schedule_and_the_last_drill_date(app, session):
    org = make_org(kind="public_gathering")
    joined(org, date(2025, 1, 1))
    assert drills.organization_drill_status(session, org, today=TODAY, rules=RULES).state == "overdue"
    planned = drills.plan_drill(session, org, drills.DrillData("tabletop", date(2026, 8, 1), scenario="Power cut"),
                                actor_id=None, today=TODAY)
    drills.record_drill(session, org, DRILL, actor_id=None, now=NOW, today=TODAY)
    status = drills.organization_drill_status(session, org, today=TODAY, rules=RULES)
    assert status.last_held == date(2026, 6, 20) and status.next_due == date(2026, 12, 20) and status.state == "ok"
    assert status.next_planned == planned.planned_on and org.last_drill_on == date(2026, 6, 20)
    actions = set(session.scalars(select(AuditEvent.action)))
    assert {"drill.plan", "drill.record"} <= actions


def test_drill_compliance_of_several_organizations(app, session):
    fresh, late = make_org(kind="general"), make_org(kind="key_unit")
    joined(fresh, TODAY - timedelta(days=10))
    joined(late, date(2024, 1, 1))
    result = drills.drill_compliance(session, [fresh.id, late.id], today=TODAY, rules=RULES)
    assert result.statuses[late.id].state == "overdue" and result.statuses[fresh.id].state == "ok"
    assert result.counts == {"ok": 1, "due_soon": 0, "overdue": 1} and result.rate == 0.5


def test_dates_out_of_their_window_are_refused(app, session):
    org = make_org()
    with pytest.raises(ValidationError) as error:
        drills.record_drill(session, org, drills.DrillData("evacuation", TODAY + timedelta(days=1), "x", "y"),
                            actor_id=None, now=NOW, today=TODAY)
    assert error.value.field == "day"
    with pytest.raises(ValidationError):
        drills.plan_drill(session, org, drills.DrillData("evacuation", TODAY - timedelta(days=1), "x"),
                          actor_id=None, today=TODAY)
    with pytest.raises(ValidationError) as error:
        drills.record_drill(session, org, drills.DrillData("parade", TODAY, "x", "y"), actor_id=None, now=NOW,
                            today=TODAY)
    assert error.value.field == "kind"


# ------------------------------------------------------------------------------ who took part

@pytest.fixture
def drill(app, session):
    org = make_org(kind="public_gathering")
    people = [make_trainee(org) for _ in range(3)]
    stranger = make_trainee(make_org())
    record = drills.plan_drill(session, org, drills.DrillData("evacuation", TODAY, scenario="Smoke on 3F"),
                               actor_id=None, today=TODAY)
    return {"org": org, "people": people, "stranger": stranger, "drill": record}


def test_participants_come_from_the_roster_once_each(session, drill):
    ids = [p.id for p in drill["people"][:2]]
    assert drills.add_participants(session, drill["drill"], ids, method="roster", now=NOW, today=TODAY) == 2
    assert drills.add_participants(session, drill["drill"], ids, method="roster", now=NOW, today=TODAY) == 0
    with pytest.raises(ValidationError):
        drills.add_participants(session, drill["drill"], [drill["stranger"].id], method="roster", now=NOW,
                                today=TODAY)


def test_qr_sign_in_on_the_day_and_the_day_after_for_the_organizations_staff(session, drill):
    record, person = drill["drill"], drill["people"][2]
    with pytest.raises(NotAllowed, match="演练当天开放签到"):
        drills.sign_in(session, record, person.person_id, now=NOW, today=TODAY - timedelta(days=1))
    assert drills.sign_in(session, record, person.person_id, now=NOW, today=TODAY + timedelta(days=1)) is True
    assert drills.sign_in(session, record, person.person_id, now=NOW, today=TODAY) is False
    with pytest.raises(NotAllowed, match="签到已结束"):
        drills.sign_in(session, record, drill["people"][0].person_id, now=NOW, today=TODAY + timedelta(days=2))
    with pytest.raises(NotAllowed, match="其他单位"):
        drills.sign_in(session, record, drill["stranger"].person_id, now=NOW, today=TODAY)
    [row] = session.scalars(select(DrillParticipant)).all()
    assert row.method == "qr" and row.trainee_id == person.id


# ------------------------------------------------------------------------------ follow-up actions

def test_follow_up_actions_are_overdue_once_their_due_date_passed_until_done(session, drill):
    record = drill["drill"]
    action = drills.add_action(session, record, description="Clear exit 3", owner_name="",
                               owner_trainee_id=drill["people"][0].id, due_on=TODAY + timedelta(days=7),
                               today=TODAY, actor_id=None)
    assert action.owner_name == drill["people"][0].real_name
    assert not drills.action_overdue(action, TODAY + timedelta(days=7))
    assert drills.action_overdue(action, TODAY + timedelta(days=8))
    assert drills.open_actions(session, drill["org"].id) == [action]
    drills.mark_action_done(session, action, done_on=TODAY, today=TODAY, actor_id=None)
    assert not drills.action_overdue(action, TODAY + timedelta(days=8))
    assert drills.open_actions(session, drill["org"].id) == []


def test_an_action_needs_what_who_and_a_due_date_after_the_drill(session, drill):
    record = drill["drill"]
    for kwargs, field in ((dict(description=" ", owner_name="王", due_on=TODAY), "description"),
                          (dict(description="x", owner_name="", due_on=TODAY), "owner_name"),
                          (dict(description="x", owner_name="王", due_on=TODAY - timedelta(days=1)), "due_on")):
        with pytest.raises(ValidationError) as error:
            drills.add_action(session, record, owner_trainee_id=None, today=TODAY, actor_id=None, **kwargs)
        assert error.value.field == field
    with pytest.raises(ValidationError) as error:
        drills.add_action(session, record, description="x", owner_name="", owner_trainee_id=drill["stranger"].id,
                          due_on=TODAY, today=TODAY, actor_id=None)
    assert error.value.field == "owner_trainee_id"


# ------------------------------------------------------------------------------ photos

def png_with_exif() -> bytes:
    image = Image.new("RGBA", (2400, 1200), (200, 30, 30, 128))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (43.0, 10.0, 0.0)}  # GPSInfo
    buffer = io.BytesIO()
    image.save(buffer, "PNG", exif=exif.tobytes())
    return buffer.getvalue()


def test_a_png_is_stored_as_a_jpeg_without_exif(app, session, drill, tmp_path):
    data = png_with_exif()
    assert b"PhoneMaker" in data
    photo = drill_photos.add_photo(session, drill["drill"], io.BytesIO(data), alt_text="Staff at exit 2",
                                   storage_path=tmp_path, actor_id=None)
    stored = drill_photos.photo_file(tmp_path, photo).read_bytes()
    assert stored[:3] == b"\xff\xd8\xff" and b"PhoneMaker" not in stored and b"Exif" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG" and image.size == (2000, 1000) and not image.getexif()
    assert (photo.width, photo.height, photo.size_bytes) == (2000, 1000, len(stored))
    with Image.open(drill_photos.photo_file(tmp_path, photo, thumb=True)) as thumb:
        assert max(thumb.size) == 480
    assert photo.sha256 == __import__("hashlib").sha256(stored).hexdigest()


def test_a_text_file_named_jpg_is_refused(app, session, drill, tmp_path):
    with pytest.raises(ValidationError, match="不是照片") as error:
        drill_photos.add_photo(session, drill["drill"], io.BytesIO(b"<script>alert(1)</script>"), alt_text="x",
                               storage_path=tmp_path, actor_id=None)
    assert error.value.field == "photo"
    assert session.scalar(select(DrillPhoto)) is None and not (tmp_path / "drills").exists()


def test_a_gif_and_a_truncated_png_are_refused(app, session, drill, tmp_path):
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    truncated = png_with_exif()[:2000]
    for data in (gif.getvalue(), truncated):
        with pytest.raises(ValidationError, match="不是照片"):
            drill_photos.add_photo(session, drill["drill"], io.BytesIO(data), alt_text="x", storage_path=tmp_path,
                                   actor_id=None)


def test_too_big_and_too_many_are_refused(app, session, drill, tmp_path):
    small = drill_photos.PhotoLimits(max_bytes=1000, per_drill=1)
    with pytest.raises(ValidationError, match="照片超过"):
        drill_photos.add_photo(session, drill["drill"], io.BytesIO(png_with_exif()), alt_text="x",
                               storage_path=tmp_path, limits=small, actor_id=None)
    tiny = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(tiny, "JPEG")
    drill_photos.add_photo(session, drill["drill"], io.BytesIO(tiny.getvalue()), alt_text="x", storage_path=tmp_path,
                           limits=small, actor_id=None)
    with pytest.raises(ValidationError, match="最多保存 1 张照片"):
        drill_photos.add_photo(session, drill["drill"], io.BytesIO(tiny.getvalue()), alt_text="x",
                               storage_path=tmp_path, limits=small, actor_id=None)


def test_a_photo_needs_a_description(app, session, drill, tmp_path):
    with pytest.raises(ValidationError) as error:
        drill_photos.add_photo(session, drill["drill"], io.BytesIO(png_with_exif()), alt_text="  ",
                               storage_path=tmp_path, actor_id=None)
    assert error.value.field == "alt_text"
