"""Idempotency keys of the HR API: a retried request gets the first answer and never changes twice.

The caller claims the key (inserting its record) in the same transaction as the change, before
making it. The unique constraint on (organization_id, key) makes a concurrent duplicate wait for
the first transaction and then fail, so it can replay the stored answer instead of applying again.
Only successful answers are kept: a refused request changes nothing and may be retried with the
same key once corrected.
"""
from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import IdempotencyRecord

KEY_MAX = 100
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,%d}$" % KEY_MAX)  # visible ASCII, no spaces

REPLAY = "replay"
CONFLICT = "conflict"


def valid_key(key: str | None) -> bool:
    """1 to 100 visible ASCII characters (a UUID is a good choice)."""
    return bool(key) and KEY_PATTERN.match(key) is not None


def request_hash(method: str, path: str, body: Any) -> str:
    """SHA-256 of method, path and the JSON body in canonical form (key order and spacing don't count)."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{method.upper()}\n{path}\n{canonical}".encode("utf-8")).hexdigest()


def find(session: Session, organization_id: int, key: str) -> IdempotencyRecord | None:
    """The stored record of this organization's key, if any."""
    return session.scalar(select(IdempotencyRecord).where(IdempotencyRecord.organization_id == organization_id,
                                                          IdempotencyRecord.key == key))


def verdict(record: IdempotencyRecord, fingerprint: str) -> str:
    """REPLAY when the stored request is this one, CONFLICT when the key was used for another."""
    return REPLAY if record.request_hash == fingerprint else CONFLICT


def claim(session: Session, organization_id: int, key: str, fingerprint: str, *, now: datetime) -> IdempotencyRecord:
    """Insert the key's record before the change is made (flushes: raises IntegrityError when taken)."""
    record = IdempotencyRecord(organization_id=organization_id, key=key, request_hash=fingerprint, status_code=0,
                               response={}, created_at=now)
    session.add(record)
    session.flush()
    return record


def settle(record: IdempotencyRecord, status_code: int, response: dict[str, Any]) -> None:
    """Store the answer that retries of this request will get."""
    record.status_code, record.response = status_code, response


def purge(session: Session, *, older_than: datetime) -> int:
    """Forget stored answers older than a date (retries come within minutes, not months)."""
    from sqlalchemy import delete

    result = session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < older_than))
    return result.rowcount or 0
