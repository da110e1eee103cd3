"""Idempotency-Key: a retry replays the first answer, a reused key for another request is refused,
and concurrent duplicates apply once."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from portal.domain.platform import idempotency
from portal.models import Assignment, EmploymentEvent, IdempotencyRecord, Person, Trainee
from tests.api.conftest import Api, hire_body, in_days, new_mobile, person_body, snapshot


def _count(session, model, *where) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_change_needs_a_key(api, session):
    before = snapshot(session)
    for response in (api.put(f"/employees/{new_mobile()}", json=person_body(), key=None),
                     api.post("/events", json=hire_body(new_mobile()), key=None)):
        assert response.status_code == 400
        assert response.json["error"]["code"] == "idempotency_key_missing"
        assert "Idempotency-Key" in response.json["error"]["message"]
    assert snapshot(session) == before


@pytest.mark.parametrize("key", ["", "has space", "x" * 101, "密钥"])
def test_a_malformed_key_is_refused(api, session, key):
    before = snapshot(session)
    headers = {"Idempotency-Key": key.encode("utf-8").decode("latin-1")}
    response = api.post("/events", json=hire_body(new_mobile()), key=None, headers=headers)
    assert response.status_code == 400
    assert response.json["error"] == {"code": "idempotency_key_invalid", "message": (
        "The Idempotency-Key must have 1 to 100 visible ASCII characters and no spaces.")}
    assert snapshot(session) == before


def test_a_retry_replays_the_first_answer_and_changes_nothing_more(api, session):
    mobile = new_mobile()
    first = api.post("/events", json=hire_body(mobile), key="hire-0001")
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    before = snapshot(session)
    # The same request, keys in another order: still the same request.
    retry = api.post("/events", json=dict(reversed(list(hire_body(mobile).items()))), key="hire-0001")
    assert retry.status_code == 201 and retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json == first.json
    assert snapshot(session) == before
    assert _count(session, Trainee, Trainee.person_id.in_(select(Person.id).where(Person.mobile == mobile))) == 1
    assert _count(session, EmploymentEvent, EmploymentEvent.kind == "hire") == 1


def test_a_replayed_upsert_keeps_its_status(api):
    mobile = new_mobile()
    first = api.put(f"/employees/{mobile}", json=person_body(), key="upsert-1")
    again = api.put(f"/employees/{mobile}", json=person_body(), key="upsert-1")
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert api.put(f"/employees/{mobile}", json=person_body(), key="upsert-2").status_code == 200


def test_the_same_key_for_another_request_is_a_conflict(api, session):
    mobile = new_mobile()
    api.post("/events", json=hire_body(mobile), key="k-1")
    before = snapshot(session)
    for response in (api.post("/events", json=hire_body(mobile, post="店长"), key="k-1"),
                     api.put(f"/employees/{mobile}", json=hire_body(mobile), key="k-1")):
        assert response.status_code == 409
        assert response.json["error"]["code"] == "idempotency_conflict"
    assert snapshot(session) == before


def test_keys_belong_to_an_organization(api, other_tenant):
    other = api.as_token(other_tenant.token)
    assert api.post("/events", json=hire_body(new_mobile()), key="shared-key").status_code == 201
    response = other.post("/events", json=hire_body(new_mobile()), key="shared-key")
    assert response.status_code == 201 and "Idempotent-Replayed" not in response.headers


def test_a_refused_request_does_not_use_up_its_key(api, session):
    mobile = new_mobile()
    bad = api.post("/events", json=hire_body(mobile, start_date="2026-02-30"), key="fix-and-retry")
    assert bad.status_code == 422
    assert _count(session, IdempotencyRecord) == 0
    good = api.post("/events", json=hire_body(mobile), key="fix-and-retry")
    assert good.status_code == 201 and "Idempotent-Replayed" not in good.headers


def test_concurrent_duplicates_apply_once(app, conformance, session, tenant, monkeypatch):
    """Both requests look the key up before either claims it; the unique constraint decides."""
    barrier = threading.Barrier(2, timeout=10)
    original_find = idempotency.find
    waited = threading.local()

    def find_then_wait(*args, **kwargs):
        record = original_find(*args, **kwargs)
        if not getattr(waited, "done", False):
            waited.done = True
            barrier.wait()
        return record

    monkeypatch.setattr(idempotency, "find", find_then_wait)
    mobile = new_mobile()
    results, errors = [], []

    def send():
        try:
            api = Api(app.test_client(), conformance, tenant.token)
            results.append(api.post("/events", json=hire_body(mobile, start_date=in_days(5)), key="race-1"))
        except Exception as error:  # reported below: an exception in a thread would be lost
            errors.append(error)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == [] and len(results) == 2
    assert [r.status_code for r in results] == [201, 201]
    assert results[0].json == results[1].json
    assert sorted(r.headers.get("Idempotent-Replayed", "no") for r in results) == ["no", "true"]
    assert _count(session, Trainee, Trainee.person_id.in_(select(Person.id).where(Person.mobile == mobile))) == 1
    assert _count(session, EmploymentEvent, EmploymentEvent.kind == "hire") == 1
    assert _count(session, Assignment) == 1
    assert _count(session, IdempotencyRecord) == 1


def test_an_unexpected_error_changes_nothing_and_frees_the_key(api, session, monkeypatch):
    from portal.domain.workforce import roster

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    mobile = new_mobile()
    before = snapshot(session)
    with monkeypatch.context() as patch:
        patch.setattr(roster, "hire", broken)
        response = api.post("/events", json=hire_body(mobile), key="after-crash")
    assert response.status_code == 500
    assert response.json["error"]["code"] == "internal_error" and "the disk is full" not in response.json["error"]["message"]
    assert snapshot(session) == before
    assert api.post("/events", json=hire_body(mobile), key="after-crash").status_code == 201
