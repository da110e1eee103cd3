"""Which context answers which event, in one place. The app factory calls `connect()`; nothing else needs to.

A new completion first closes the open assignments it fulfils and takes its validity from the rule that made it
due (the schedule), then earns its certificate (which states that validity)."""
from __future__ import annotations

from portal.domain.certificates.issue import issue_certificate
from portal.domain.learning import hooks
from portal.domain.workforce.schedule import close_open_assignments


def connect() -> None:
    hooks.connect(close_open_assignments, issue_certificate)
