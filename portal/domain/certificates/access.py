"""Who may download which certificate: the holder, the holder's company, the office (else 404)."""
from __future__ import annotations

from flask import abort
from sqlalchemy.orm import Session

from portal.domain import policy
from portal.domain.certificates.queries import by_serial
from portal.models import Certificate, Person, User


def certificate_or_404(session: Session, user: User, serial: str) -> Certificate:
    """The certificate if `user` holds it or manages the holder's organization; 404 otherwise."""
    cert = by_serial(session, serial)
    if cert is None:
        abort(404)
    person = session.get(Person, cert.person_id)
    if person.user_id is not None and person.user_id == user.id:
        return cert
    # The certificate follows the person: whoever may manage any of their jobs (as trainee_or_404 decides for one
    # job: its organization's administrators, the office) may see it.
    if any(policy.can_manage_organization(user, job.organization) if job.organization is not None
           else policy.sees_whole_district(user) for job in person.employments):
        return cert
    abort(404)


def own_certificate_or_404(session: Session, user: User, serial: str) -> Certificate:
    """The certificate if `user` holds it; 404 otherwise (the holder's copy of the credential carries the salt of
    their name hash, which even their employer does not need)."""
    cert = by_serial(session, serial)
    person = session.get(Person, cert.person_id) if cert is not None else None
    if person is None or person.user_id is None or person.user_id != user.id:
        abort(404)
    return cert
