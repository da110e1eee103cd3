"""What a certificate says, as plain data: the PDF, the credential and the pages all read this."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Mapping

from sqlalchemy.orm import Session

from portal.models import Certificate, Course


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

    @property
    def hours_text(self) -> str:
        """1.0 -> "1", 1.5 -> "1.5"."""
        return f"{self.credit_hours:g}"


def document_for(cert: Certificate, course: Course) -> CertificateDocument:
    """The document of a certificate (the course gives its code and titles)."""
    return CertificateDocument(
        serial=cert.serial, token=cert.token, holder_name=cert.holder_name,
        organization_name=cert.organization_name or "", course_code=course.code,
        course_title_zh=course.title_zh, course_title_en=course.title_en,
        credit_hours=float(cert.credit_hours or 0), completed_on=cert.completed_on,
        issued_at=cert.issued_at, valid_until=cert.valid_until,
    )


def load_document(session: Session, cert: Certificate) -> CertificateDocument:
    return document_for(cert, session.get(Course, cert.course_id))
