"""Public verification: by token (QR code), by typed serial, and an organization's inspection page.

What each key discloses: the token (in the QR code, printed beside the holder's name) shows the holder's masked
name, the organization and the dates, and lets an inspector confirm a full name typed from an ID card. A serial
can be typed, so it can be guessed and walked: alone it says only whether that certificate is valid, for which
course and until when - no holder, no organization.

Unknown, malformed and guessed inputs take the same path as real ones (one indexed look-up and one
constant-time compare), so response time does not tell whether a serial or token exists.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.workforce import commitments, compliance, drills
from portal.domain.certificates.serials import normalize_serial
from portal.domain.certificates.status import EXPLANATIONS, LABELS, TONES, state_of
from portal.domain.platform.localtime import local_date
from portal.domain.workforce.drills import DrillStatus
from portal.models.privacy import mask_name
from portal.domain.workforce.rules import current_rules
from portal.models import Certificate, Course, Organization

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_DUMMY_TOKEN = "x" * 32
_DUMMY_SERIAL = "NONE-0000-000000-0"
ORG_TOKEN_PATTERN = re.compile(r"^(\d{1,10})-([A-Za-z0-9_-]{22})$")


@dataclass(frozen=True)
class PublicCertificate:
    """What anybody may learn about a certificate: no ID number, no mobile, the name masked."""

    serial: str
    state: str
    holder_masked: str | None  # None: not disclosed (a serial typed alone)
    organization_name: str | None
    course_title_zh: str
    course_title_en: str
    credit_hours: float
    completed_on: date | None
    issued_on: date | None
    valid_until: date | None
    successor_serial: str | None
    checked_on: date

    @property
    def label(self):
        return LABELS[self.state]

    @property
    def explanation(self):
        return EXPLANATIONS[self.state]

    @property
    def tone(self) -> str:
        return TONES[self.state]

    def course_title(self, locale: str) -> str:
        return self.course_title_en if locale == "en" else self.course_title_zh


def _find(session: Session, column, value: str, dummy: str) -> Certificate | None:
    """One look-up and one constant-time compare, whether or not `value` is well formed."""
    probe = value if value is not None else dummy
    cert = session.scalar(select(Certificate).where(column == probe))
    stored = getattr(cert, column.key) if cert is not None else dummy
    same = hmac.compare_digest(stored.encode("utf-8"), (value or dummy).encode("utf-8"))
    return cert if cert is not None and value is not None and same else None


def find_by_token(session: Session, token: str | None) -> Certificate | None:
    """The certificate of a verification token, or None (for unknown and malformed tokens alike)."""
    value = token if token and TOKEN_PATTERN.match(token) else None
    return _find(session, Certificate.token, value, _DUMMY_TOKEN)


def find_by_serial(session: Session, typed: str | None) -> Certificate | None:
    """The certificate of a typed serial, or None: unknown serials and serials with a wrong check
    character are not told apart."""
    return _find(session, Certificate.serial, normalize_serial(typed), _DUMMY_SERIAL)


def public_view(session: Session, cert: Certificate, *, today: date) -> PublicCertificate:
    """The masked facts a verification page shows."""
    course = session.get(Course, cert.course_id)
    successor = session.get(Certificate, cert.replaced_by_id) if cert.replaced_by_id else None
    return PublicCertificate(
        serial=cert.serial, state=state_of(cert, today), holder_masked=mask_name(cert.holder_name),
        organization_name=cert.organization_name, course_title_zh=course.title_zh, course_title_en=course.title_en,
        credit_hours=float(cert.credit_hours or 0), completed_on=cert.completed_on,
        issued_on=local_date(cert.issued_at), valid_until=cert.valid_until,
        successor_serial=successor.serial if successor else None, checked_on=today,
    )


def serial_view(session: Session, cert: Certificate, *, today: date) -> PublicCertificate:
    """What a typed serial alone may show: the state, the course and the validity; not who holds it or where
    they worked, so walking serials lists no people."""
    full = public_view(session, cert, today=today)
    return PublicCertificate(
        serial=full.serial, state=full.state, holder_masked=None, organization_name=None,
        course_title_zh=full.course_title_zh, course_title_en=full.course_title_en, credit_hours=full.credit_hours,
        completed_on=None, issued_on=None, valid_until=full.valid_until, successor_serial=None, checked_on=today,
    )


# Middle dots in names of the minority nationalities (阿沛·阿旺晋美) are typed in several ways.
_MIDDLE_DOTS = str.maketrans({"\u30fb": "\u00b7", "\uff65": "\u00b7", "\u2022": "\u00b7", "\u2027": "\u00b7",
                              "\u2219": "\u00b7", "\u22c5": "\u00b7", ".": "\u00b7"})


def normalize_name(name: str | None) -> str:
    """A name as compared: full-width forms folded (NFKC), no spaces, one middle dot, Latin letters in one case."""
    text = unicodedata.normalize("NFKC", name or "").translate(_MIDDLE_DOTS)
    return "".join(text.split()).casefold()


def name_matches(cert: Certificate, typed: str | None) -> bool:
    """True when `typed` is the holder's name (constant-time compare of digests, so the time taken tells nothing)."""
    typed_name = normalize_name(typed)
    expected = hashlib.sha256(normalize_name(cert.holder_name).encode("utf-8")).digest()
    same = hmac.compare_digest(expected, hashlib.sha256(typed_name.encode("utf-8")).digest())
    return same and bool(typed_name)


# --- organizations: a printed QR code leading to an anonymous summary ---------------------------

def _org_mac(org_id: int, secret: str) -> str:
    key = hmac.new(secret.encode("utf-8"), b"fire-safety-portal/organization-inspection", hashlib.sha256).digest()
    mac = hmac.new(key, str(org_id).encode("ascii"), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def organization_token(org_id: int, secret: str) -> str:
    """The token in an organization's inspection QR code: its id and an HMAC of it (SECRET_KEY),
    so no column is needed; rotating SECRET_KEY invalidates printed codes."""
    return f"{org_id}-{_org_mac(org_id, secret)}"


def find_organization(session: Session, token: str | None, secret: str) -> Organization | None:
    """The organization of an inspection token, or None."""
    match = ORG_TOKEN_PATTERN.match(token or "")
    org_id = int(match.group(1)) if match else 0
    expected = _org_mac(org_id, secret)
    same = hmac.compare_digest(expected, match.group(2) if match else "x" * 22)
    org = session.get(Organization, org_id) if org_id else None
    return org if org is not None and same else None


@dataclass(frozen=True)
class OrganizationSummary:
    """What an inspector sees: no names, only the organization's standings (the figures of its dashboard,
    compliance.counts), its drill schedule (drills.organization_drill_status) and how many of its duty
    commitments are signed (commitments.count_by_status), and dates."""

    name: str
    kind: str
    standings: dict[str, int]
    drills: DrillStatus
    commitments: dict[str, int]
    checked_on: date

    @property
    def last_drill_on(self) -> date | None:
        return self.drills.last_held

    @property
    def commitments_required(self) -> int:
        return sum(self.commitments.values())

    @property
    def staff(self) -> int:
        return sum(self.standings.values())

    @property
    def compliant(self) -> int:
        return self.standings["compliant"]

    @property
    def percent(self) -> int:
        return round(100 * self.compliant / self.staff) if self.staff else 0


def organization_summary(session: Session, org: Organization, *, today: date) -> OrganizationSummary:
    """An organization's active staff by standing, its drills and its duty commitments, counted as its own
    dashboard counts them."""
    rules = current_rules(session)
    duties = commitments.organization_commitments(session, org.id, today=today, rules=rules)
    return OrganizationSummary(name=org.name, kind=org.kind, standings=compliance.counts(session, org.id, today),
                               drills=drills.organization_drill_status(session, org, today=today, rules=rules),
                               commitments=commitments.count_by_status(duties), checked_on=today)
