"""Writing the audit trail (what its codes mean, in words: audit_labels.py)."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from portal.models import AuditEvent


def record(
    session: Session,
    *,
    actor_id: int | None,
    action: str,
    target_type: str,
    target_id: Any = None,
    details: dict[str, Any] | None = None,
    address: str = "",
) -> AuditEvent:
    """Add an audit event (flushed, committed by the caller)."""
    event = AuditEvent(
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        details=details or {},
        address=address or "",
    )
    session.add(event)
    session.flush()
    return event
