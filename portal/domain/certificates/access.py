"""Who may download which certificate: the holder, whoever may manage one of the holder's jobs, the office."""
from __future__ import annotations

from sqlalchemy.orm import Session

from portal.domain.certificates.queries import by_serial
from portal.domain.platform import policy
from portal.models import Certificate, Person, User


def certificate_for(session: Session, user: User, serial: str) -> Certificate | None:
    """The certificate if `user` holds it or manages the holder's organization; None otherwise."""
    cert = by_serial(session, serial)
    if cert is None:
        return None
    person = session.get(Person, cert.person_id)
    if person.user_id is not None and person.user_id == user.id:
        return cert
    # The certificate follows the person: whoever may manage any of their jobs (as policy.trainee_for decides for
    # one job: its organization's administrators, the office) may see it.
    if any(policy.can_manage_organization(user, job.organization) if job.organization is not None
           else policy.sees_whole_district(user) for job in person.employments):
        return cert
    return None


def own_certificate(session: Session, user: User, serial: str) -> Certificate | None:
    """The certificate if `user` holds it; None otherwise (the holder's copy of the credential carries the salt of
    their name hash, which even their employer does not need)."""
    cert = by_serial(session, serial)
    person = session.get(Person, cert.person_id) if cert is not None else None
    if person is None or person.user_id is None or person.user_id != user.id:
        return None
    return cert
