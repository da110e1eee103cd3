"""GET /api/v1/commitments: the role holders of the token's organization and their duty commitments (#21)."""
from __future__ import annotations

from datetime import timedelta

from portal.domain.workforce import commitments
from portal.domain.platform.localtime import local_today
from portal.models import Organization, utcnow
from tests.factories import make_completion, make_org, make_trainee, make_user


def _sign(session, job, role):
    commitments.sign(session, job=job, role=role, typed_name=job.real_name, confirmed=True, now=utcnow(),
                     user=make_user(), user_agent="HR test", address="203.0.113.9")


def test_the_role_holders_and_where_each_stands(api, session, tenant, courses):
    org = session.get(Organization, tenant.org_id)
    today = local_today()
    head = make_trainee(org, name="李责任", groups=("responsible_person",))
    manager = make_trainee(org, name="王管理", groups=("safety_manager",))
    make_trainee(org, name="张员工")  # holds no role: not listed
    make_completion(head, courses["responsible-person"], on=today - timedelta(days=3),
                    valid_until=today + timedelta(days=300))
    _sign(session, head, "responsible_person")
    stranger = make_trainee(make_org(), groups=("responsible_person",))  # another organization's
    session.commit()

    answer = api.get("/commitments").json
    by_name = {item["real_name"]: item for item in answer["items"]}

    assert set(by_name) == {"李责任", "王管理"} and stranger.real_name not in by_name
    assert by_name["李责任"]["status"] == "signed" and by_name["李责任"]["role"] == "responsible_person"
    assert by_name["李责任"]["valid_until"] == (today + timedelta(days=300)).isoformat()
    assert by_name["李责任"]["signed_at"] and by_name["李责任"]["role_label"] == "Fire-safety responsible person"
    assert by_name["王管理"]["status"] == "training_first" and by_name["王管理"]["courses_missing"] == ["safety-manager"]
    assert by_name["王管理"]["mobile"] == manager.mobile
    assert answer["counts"] == {"to_sign": 0, "expired": 0, "training_first": 1, "signed": 1}


def test_the_status_filter_and_a_bad_one(api, session, tenant, courses):
    org = session.get(Organization, tenant.org_id)
    make_trainee(org, name="王管理", groups=("safety_manager",))
    session.commit()
    assert [item["real_name"] for item in api.get("/commitments?status=training_first").json["items"]] == ["王管理"]
    assert api.get("/commitments?status=signed").json["items"] == []
    refused = api.get("/commitments?status=maybe")
    assert refused.status_code == 400 and refused.json["error"]["field"] == "status"
