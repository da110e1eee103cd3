"""Who may download which certificate: the holder, the holder's company, the office (else 404)."""
from __future__ import annotations

from flask import abort
from werkzeug.exceptions import NotFound
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
    # The certificate follows the person: any organization that employs (or employed) them may see it.
    jobs = sorted(person.employments, key=lambda job: job.status != "active")
    for job in jobs[:-1]:
        try:
            policy.trainee_or_404(session, user, job.id, manage=True)
            return cert
        except NotFound:
            continue
    if not jobs:
        abort(404)
    policy.trainee_or_404(session, user, jobs[-1].id, manage=True)
    return cert
