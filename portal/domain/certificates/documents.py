"""What a certificate says, as plain data: the PDF, the credential and the pages all read this."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Mapping

from sqlalchemy.orm import Session

from portal.models import Certificate, Completion, Course, Organization


@dataclass(frozen=True)
class CertificateSettings:
    """The deployment's certificate settings, captured once so rendering needs no app context."""

    base_url: str
    font_path: str
    seal_path: str
    office_name_zh: str
    office_name_en: str
    signing_key_path: str
    storage_path: str | None = None

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "CertificateSettings":
        return cls(
            base_url=(config.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000").rstrip("/"),
            font_path=str(config["CERT_FONT_PATH"]), seal_path=str(config.get("CERT_SEAL_PATH") or ""),
            office_name_zh=config["CERT_OFFICE_NAME_ZH"], office_name_en=config["CERT_OFFICE_NAME_EN"],
            signing_key_path=str(config["SIGNING_KEY_PATH"]),
            storage_path=str(config["STORAGE_PATH"]) if config.get("STORAGE_PATH") else None,
        )

    def verify_url(self, token: str) -> str:
        return f"{self.base_url}/verify/{token}"

    @property
    def verify_form_url(self) -> str:
        return f"{self.base_url}/verify"

    @property
    def key_url(self) -> str:
        return f"{self.base_url}/.well-known/portal-signing-key.json"

    def status_list_url(self, list_id: int) -> str:
        return f"{self.base_url}/credentials/status/{list_id}"

    def achievement_url(self, course_code: str, language: str) -> str:
        return f"{self.base_url}/achievements/{course_code}/{language}"

    @property
    def certificate_cache(self) -> Path | None:
        return Path(self.storage_path) / "certificates" if self.storage_path else None


@dataclass(frozen=True)
class CertificateDocument:
    """Everything printed on or signed into one certificate."""

    serial: str
    token: str
    holder_name: str
    organization_name: str
    course_code: str
    course_title_zh: str
    course_title_en: str
    credit_hours: float
    completed_on: date
    issued_at: datetime
    valid_until: date | None
    identity_salt: str  # secret: only the holder's own credential and the printed QR code carry it
    course_summary_zh: str = ""
    course_summary_en: str = ""
    completion_mode: str = "online"  # online | offline (a classroom session)
    organization_code: str = ""  # the unified social credit code, or "" when unknown
    status_list_id: int | None = None
    status_index: int | None = None

    @property
    def hours_text(self) -> str:
        """1.0 -> "1", 1.5 -> "1.5"."""
        return f"{self.credit_hours:g}"


def document_for(cert: Certificate, course: Course, *, completion_mode: str = "online",
                 organization_code: str = "") -> CertificateDocument:
    """The document of a certificate (the course gives its code, titles and summaries)."""
    return CertificateDocument(
        serial=cert.serial, token=cert.token, holder_name=cert.holder_name,
        organization_name=cert.organization_name or "", course_code=course.code,
        course_title_zh=course.title_zh, course_title_en=course.title_en,
        credit_hours=float(cert.credit_hours or 0), completed_on=cert.completed_on,
        issued_at=cert.issued_at, valid_until=cert.valid_until, identity_salt=cert.identity_salt,
        course_summary_zh=course.summary_zh or "", course_summary_en=course.summary_en or "",
        completion_mode=completion_mode, organization_code=organization_code,
        status_list_id=cert.status_list_id, status_index=cert.status_index,
    )


def load_document(session: Session, cert: Certificate, *, for_credential: bool = False) -> CertificateDocument:
    """The certificate's document; `for_credential` also looks up how the course was completed and the
    employer's credit code, which only the signed credential states."""
    course = session.get(Course, cert.course_id)
    if not for_credential:
        return document_for(cert, course)
    completion = session.get(Completion, cert.completion_id)
    org = session.get(Organization, cert.organization_id) if cert.organization_id else None
    return document_for(cert, course, completion_mode=completion.mode if completion else "online",
                        organization_code=(org.credit_code or "") if org else "")
