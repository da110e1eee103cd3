"""flask api purge-idempotency forgets old stored answers and keeps recent ones."""
from datetime import timedelta

from sqlalchemy import select

from portal.models import IdempotencyRecord, utcnow
from tests.factories import make_org


def test_purge_removes_only_old_records(app, session):
    org = make_org()
    session.add(IdempotencyRecord(organization_id=org.id, key="old", request_hash="x", created_at=utcnow() - timedelta(days=40)))
    session.add(IdempotencyRecord(organization_id=org.id, key="new", request_hash="y", created_at=utcnow() - timedelta(days=1)))
    session.commit()
    result = app.test_cli_runner().invoke(args=["api", "purge-idempotency"])
    assert "1 idempotency record(s)" in result.output
    assert list(session.scalars(select(IdempotencyRecord.key))) == ["new"]
