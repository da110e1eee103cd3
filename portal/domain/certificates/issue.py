"""Issuing certificates: one per completion, renewals supersede, re-issues replace, revocation.

`issue_certificate` answers the completion event (connected in portal.domain.wiring, after the schedule's
handler that closes assignments, in the same transaction).
"""
from __future__ import annotations

import secrets
from datetime import datetime

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.platform import audit
from portal.domain.certificates import CertificateError, status_lists
from portal.domain.certificates.serials import next_serial
from portal.domain.certificates.status import REPLACED, REVOKED, SUPERSEDED, VALID
from portal.domain.platform.localtime import local_date
from portal.domain.learning.study_time import credited_hours
from portal.models import Certificate, Completion, Organization, Person, Trainee

DEFAULT_PREFIX = "SFQ"
MAX_REASON = 300


def serial_prefix() -> str:
    """The district's serial prefix (CERT_SERIAL_PREFIX)."""
    if has_app_context():
        return current_app.config.get("CERT_SERIAL_PREFIX") or DEFAULT_PREFIX
    return DEFAULT_PREFIX


def new_token() -> str:
    """An unguessable verification token (192 bits)."""
    return secrets.token_urlsafe(24)


def _new_certificate(session: Session, completion: Completion, trainee: Trainee, now: datetime) -> Certificate:
    org = session.get(Organization, trainee.organization_id) if trainee.organization_id else None
    cert = Certificate(
        serial=next_serial(session, prefix=serial_prefix(), year=local_date(now).year), token=new_token(),
        completion_id=completion.id, person_id=trainee.person_id, course_id=completion.course_id,
        organization_id=org.id if org else None, holder_name=trainee.real_name.strip(),
        organization_name=org.name if org else "", completed_on=completion.completed_on,
        credit_hours=credited_hours(session, completion), issued_at=now,
        valid_until=completion.valid_until, status=VALID, status_reason="",
    )
    session.add(cert)
    session.flush()
    return cert


def issue_for_completion(session: Session, completion: Completion, *, now: datetime) -> Certificate:
    """Issue the completion's certificate (once); older valid certificates of the course are superseded."""
    if completion.id is None:  # not written yet (maybe_complete's new completion): it has no certificate
        session.flush()
    else:
        existing = session.scalar(select(Certificate).where(Certificate.completion_id == completion.id)
                                  .order_by(Certificate.id).limit(1))
        if existing is not None:
            return existing
    trainee = session.get(Person, completion.person_id).current_employment  # the employer when issued
    cert = _new_certificate(session, completion, trainee, now)
    older = session.scalars(select(Certificate).where(
        Certificate.person_id == trainee.person_id, Certificate.course_id == completion.course_id,
        Certificate.status == VALID, Certificate.id != cert.id))
    for previous in older:
        if previous.completed_on <= cert.completed_on:
            previous.status, previous.replaced_by_id, previous.status_reason = SUPERSEDED, cert.id, "renewed"
            status_lists.changed(session, previous, now=now)
        else:  # a back-dated completion recorded after a newer one: born superseded
            cert.status, cert.replaced_by_id, cert.status_reason = SUPERSEDED, previous.id, "renewed"
    session.flush()
    return cert


def issue_certificate(session: Session, completion: Completion, now: datetime) -> None:
    """Completion hook: every completion on the portal (online or in class) earns a certificate; prior training
    recorded from elsewhere does not (its proof is the evidence it was recorded with)."""
    if completion.mode != "prior":
        issue_for_completion(session, completion, now=now)


def _reason(reason: str | None) -> str:
    text = " ".join((reason or "").split())
    if len(text) < 2:
        raise CertificateError(_l("Please give a reason."), field="reason")
    if len(text) > MAX_REASON:
        raise CertificateError(_l("The reason must have at most %(n)s characters.", n=MAX_REASON), field="reason")
    return text


def revoke(session: Session, cert: Certificate, *, reason: str, actor_id: int | None, now: datetime,
           address: str = "") -> Certificate:
    """Revoke a certificate with a reason (audit-logged); verification shows it at once, its status list on the
    next request for it."""
    text = _reason(reason)
    if cert.status == REVOKED:
        raise CertificateError(_l("This certificate is already revoked."))
    previous = cert.status
    cert.status, cert.status_reason = REVOKED, text
    status_lists.changed(session, cert, now=now)
    audit.record(session, actor_id=actor_id, action="certificate.revoke", target_type="certificate",
                 target_id=cert.id, address=address,
                 details={"serial": cert.serial, "reason": text, "previous_status": previous,
                          "at": now.isoformat()})
    return cert


def reissue(session: Session, cert: Certificate, *, reason: str, actor_id: int | None, now: datetime,
            address: str = "") -> Certificate:
    """Re-issue a certificate with the roster's current name and organization (after a correction).

    The new certificate keeps the completion's dates; the old one shows as replaced.
    """
    text = _reason(reason)
    if cert.status != VALID:
        raise CertificateError(_l("Only a certificate that is neither revoked, replaced nor superseded can be re-issued."))
    completion = session.get(Completion, cert.completion_id)
    trainee = session.get(Person, cert.person_id).current_employment
    new = _new_certificate(session, completion, trainee, now)
    new.valid_until, new.completed_on, new.credit_hours = cert.valid_until, cert.completed_on, cert.credit_hours
    cert.status, cert.replaced_by_id, cert.status_reason = REPLACED, new.id, text
    status_lists.changed(session, cert, now=now)
    audit.record(session, actor_id=actor_id, action="certificate.reissue", target_type="certificate",
                 target_id=cert.id, address=address,
                 details={"serial": cert.serial, "new_serial": new.serial, "reason": text,
                          "old_name": cert.holder_name, "new_name": new.holder_name, "at": now.isoformat()})
    session.flush()
    return new
