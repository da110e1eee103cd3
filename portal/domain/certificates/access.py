"""Who may download which certificate: the holder, the holder's company, the office (else 404)."""
from __future__ import annotations

from flask import abort
from sqlalchemy.orm import Session

from portal.domain import policy
from portal.domain.certificates.queries import by_serial
from portal.models import Certificate, Trainee, User


def certificate_or_404(session: Session, user: User, serial: str) -> Certificate:
    """The certificate if `user` holds it or manages the holder's organization; 404 otherwise."""
    cert = by_serial(session, serial)
    if cert is None:
        abort(404)
    trainee = session.get(Trainee, cert.trainee_id)
    if trainee.user_id is None or trainee.user_id != user.id:
        policy.trainee_or_404(session, user, trainee.id, manage=True)
    return cert
