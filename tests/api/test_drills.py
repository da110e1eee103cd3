"""POST /api/v1/drills: an HR system records a drill held, with who took part (#21)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from portal.domain.platform.localtime import local_today
from portal.models import AuditEvent, Drill, DrillParticipant, Organization
from tests.api.conftest import snapshot
from tests.factories import make_org, make_trainee

MONTHS = {"key_unit": 6, "public_gathering": 6, "general": 12}  # the rules file's drill intervals


def _body(**changes):
    body = {"held_on": (local_today() - timedelta(days=2)).isoformat(), "kind": "evacuation",
            "scenario": "美食广场厨房起火", "places": "一至三层", "duration_minutes": 40, "participants": []}
    return {**body, **changes}


def test_a_drill_is_recorded_with_its_participants_and_moves_the_schedule(api, session, tenant):
    org = session.get(Organization, tenant.org_id)
    one, two = make_trainee(org), make_trainee(org)
    session.commit()

    answer = api.post("/drills", json=_body(participants=[one.mobile, f"+86 {two.mobile}", one.mobile]))

    assert answer.status_code == 201
    drill = session.get(Drill, answer.json["id"])
    held = local_today() - timedelta(days=2)
    assert (drill.status, drill.held_on, drill.kind, drill.organization_id) == ("held", held, "evacuation", org.id)
    assert answer.json["participants"] == 2
    assert set(session.scalars(select(DrillParticipant.person_id))) == {one.person_id, two.person_id}
    session.refresh(org)
    assert org.last_drill_on == held
    months = MONTHS[org.kind]
    due = held.replace(year=held.year + (held.month - 1 + months) // 12, month=(held.month - 1 + months) % 12 + 1)
    assert answer.json["next_drill_due"] == due.isoformat()
    assert session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "drill.record")) == 1


def test_refused_drills_change_nothing(api, session, tenant):
    stranger = make_trainee(make_org())
    session.commit()
    before = snapshot(session)
    for body, field in ((_body(participants=[stranger.mobile]), "participants"),
                        (_body(held_on=(local_today() + timedelta(days=3)).isoformat()), "day"),
                        (_body(kind="fireworks"), "kind"), (_body(scenario="  "), "scenario"),
                        (_body(duration_minutes=0), "duration_minutes")):
        answer = api.post("/drills", json=body)
        assert answer.status_code in (400, 422) and answer.json["error"]["field"] in (field, "held_on"), answer.json
    assert snapshot(session) == before
