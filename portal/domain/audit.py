"""Writing the audit trail, and the labels the audit log page shows beside an action's code."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from portal.models import AuditEvent

# Labels in the reader's language for actions an auditor looks for (the audit log page shows the code either way).
ACTION_LABELS = {
    "coverage.offline_session.backdated": _l("Classroom session dated in the past"),
}


def action_label(action: str):
    """The action's label, or None when it has none."""
    return ACTION_LABELS.get(action)


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
