"""Lists of certificates for the trainee's, the company's and the office's pages and the CLI."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, and_, case, select
from sqlalchemy.orm import Session

from portal.domain.certificates.status import VALID, state_of
from portal.models import AuditEvent, Certificate, Course, Organization, Trainee


@dataclass(frozen=True)
class CertificateRow:
    """A certificate with its course and its state today, for lists."""

    cert: Certificate
    course: Course
    state: str


def _rows(session: Session, statement: Select, today: date) -> list[CertificateRow]:
    return [CertificateRow(cert, course, state_of(cert, today)) for cert, course in session.execute(statement)]


def _newest_first(statement: Select) -> Select:
    current_first = case((Certificate.status == VALID, 0), else_=1)
    return statement.order_by(current_first, Certificate.issued_at.desc(), Certificate.id.desc())


def for_trainee(session: Session, trainee: Trainee, *, today: date) -> list[CertificateRow]:
    """All of a trainee's certificates, current ones first."""
    statement = (select(Certificate, Course).join(Course, Course.id == Certificate.course_id)
                 .where(Certificate.person_id == trainee.person_id))
    return _rows(session, _newest_first(statement), today)


def staff_statement(org: Organization) -> Select:
    """select(Certificate) of the organization's active staff, current ones first (for pagination)."""
    statement = (select(Certificate).join(Trainee, Trainee.person_id == Certificate.person_id)
                 .where(Trainee.organization_id == org.id, Trainee.status == "active"))
    return _newest_first(statement)


def rows_for(session: Session, certs: list[Certificate], *, today: date) -> list[CertificateRow]:
    """Rows for a page of certificates, their courses loaded in one query."""
    ids = {cert.course_id for cert in certs}
    courses = {c.id: c for c in session.scalars(select(Course).where(Course.id.in_(ids)))} if ids else {}
    return [CertificateRow(cert, courses[cert.course_id], state_of(cert, today)) for cert in certs]


def current_for_organization(session: Session, org: Organization, *, today: date) -> list[CertificateRow]:
    """The certificates a company downloads in bulk: its active staff's certificates that are neither
    revoked, replaced nor superseded (expired ones included, marked as such in the manifest)."""
    statement = (select(Certificate, Course).join(Course, Course.id == Certificate.course_id)
                 .join(Trainee, Trainee.person_id == Certificate.person_id)
                 .where(Trainee.organization_id == org.id, Trainee.status == "active", Certificate.status == VALID)
                 .order_by(Certificate.holder_name, Course.code, Certificate.id))
    return _rows(session, statement, today)


def by_serial(session: Session, serial: str) -> Certificate | None:
    """Exact look-up for signed-in users and the CLI (public pages use verify.find_by_serial)."""
    return session.scalar(select(Certificate).where(Certificate.serial == serial.strip().upper()))


def listing(session: Session, *, org_code: str | None = None, limit: int = 50) -> list[Certificate]:
    """The newest certificates, optionally of one organization (by credit code or exact name)."""
    statement = select(Certificate).order_by(Certificate.issued_at.desc(), Certificate.id.desc()).limit(limit)
    if org_code:
        org_ids = select(Organization.id).where(
            (Organization.credit_code == org_code.strip().upper()) | (Organization.name == org_code.strip()))
        statement = statement.where(Certificate.organization_id.in_(org_ids))
    return list(session.scalars(statement))


def history(session: Session, cert: Certificate, *, today: date) -> list[CertificateRow]:
    """Every certificate of the same holder and course, oldest first (renewals and re-issues)."""
    statement = (select(Certificate, Course).join(Course, Course.id == Certificate.course_id)
                 .where(and_(Certificate.person_id == cert.person_id, Certificate.course_id == cert.course_id))
                 .order_by(Certificate.issued_at, Certificate.id))
    return _rows(session, statement, today)


def audit_events(session: Session, cert_ids: list[int]) -> list[AuditEvent]:
    """Audit events about these certificates, newest first."""
    return list(session.scalars(select(AuditEvent).where(
        AuditEvent.target_type == "certificate", AuditEvent.target_id.in_([str(i) for i in cert_ids]))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())))
