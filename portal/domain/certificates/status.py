"""The state a certificate is in on a given day.

Stored statuses are valid | revoked | replaced | superseded; "expired" is never stored: it is a
valid certificate looked at after its valid_until date, so no job has to run at midnight.
"""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from portal.models import Certificate

VALID, EXPIRED, REVOKED, REPLACED, SUPERSEDED = "valid", "expired", "revoked", "replaced", "superseded"
STATES = (VALID, EXPIRED, REVOKED, REPLACED, SUPERSEDED)

LABELS = {
    VALID: _l("Valid"),
    EXPIRED: _l("Expired"),
    REVOKED: _l("Revoked"),
    REPLACED: _l("Replaced"),
    SUPERSEDED: _l("Superseded"),
}
EXPLANATIONS = {
    VALID: _l("This certificate is genuine and currently valid."),
    EXPIRED: _l("This certificate is genuine but has expired: the holder must renew the training."),
    REVOKED: _l("This certificate was revoked by the issuing office and is no longer valid."),
    REPLACED: _l("This certificate was replaced by a corrected one and is no longer valid."),
    SUPERSEDED: _l("This certificate was superseded by a renewed one."),
}
TONES = {VALID: "ok", EXPIRED: "warn", REVOKED: "bad", REPLACED: "warn", SUPERSEDED: "warn"}


def state_of(cert: Certificate, today: date) -> str:
    """valid, expired, revoked, replaced or superseded on `today`."""
    if cert.status != VALID:
        return cert.status
    if cert.valid_until is not None and cert.valid_until < today:
        return EXPIRED
    return VALID


def is_current(cert: Certificate, today: date) -> bool:
    """True when the certificate proves training today."""
    return state_of(cert, today) == VALID
