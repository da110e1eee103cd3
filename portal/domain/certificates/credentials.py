"""A certificate as an Open Badges 3.0 AchievementCredential (a W3C Verifiable Credential 2.0) with a Data
Integrity proof (eddsa-jcs-2022), signed once, stored and served byte for byte ever after.

It validates against 1EdTech's published AchievementCredential JSON schema: names are plain strings in Chinese,
the achievement says its language (inLanguage) and links its English version (related), as the specification
suggests for translations; `proof` is a one-proof array. Whether the certificate is still valid is not in it:
`credentialStatus` points to a status list (status_lists), and `validUntil` gives the expiry.

Two variants, each signed once:
- public: what /verify/<token>.json serves to anybody holding the QR code's token. The holder is an opaque
  `credentialSubject.id`; no name, no name hash, no salt.
- holder: the holder's own copy (a digital wallet), which adds an IdentityObject: sha256(name + secret salt)
  with its salt, so the holder can prove the name on their ID card is the one certified. Without the salt a
  name hash could be reversed by trying the common characters, so it never appears without its owner.
"""
from __future__ import annotations

import json
import uuid
from urllib.parse import quote
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.domain.certificates import proofs, status_lists
from portal.domain.certificates.compact import name_hash
from portal.domain.certificates.documents import CertificateDocument, CertificateSettings, load_document
from portal.models import Certificate, Course, SignedCredential

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
SCHEMA_VALIDATOR = "1EdTechJsonSchemaValidator2019"
CONTEXTS = [VC_CONTEXT, OB_CONTEXT,
            {SCHEMA_VALIDATOR: f"https://purl.imsglobal.org/spec/vc/ob/vocab.html#{SCHEMA_VALIDATOR}"}]
SCHEMA_URL = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
PUBLIC, HOLDER = "public", "holder"
VARIANTS = (PUBLIC, HOLDER)
LANGUAGES = {"zh": "zh-CN", "en": "en"}  # the portal's locales and the BCP 47 tags the credentials use
CERTIFICATE_NAME = {"zh": "消防安全培训合格证书", "en": "Fire-safety training certificate"}
CRITERIA = {
    "zh": "学完课程全部课时并通过课程测验，或参加线下培训并通过考核。",
    "en": "Read every lesson of the course and passed its quiz, or attended a classroom session and passed its "
          "assessment.",
}
EVIDENCE = {
    "online": "在线学完全部课时并通过测验。Completed online: every lesson read and the quiz passed.",
    "offline": "参加线下培训并通过考核。Completed in a classroom session and its assessment passed.",
}


def _iso(day, end: bool = False) -> str:
    return f"{day.isoformat()}T{'23:59:59' if end else '00:00:00'}Z"


def subject_id(salt: str) -> str:
    """The holder as an opaque URN, one per certificate: derived from the secret salt, it links nothing."""
    return uuid.UUID(bytes=name_hash("credentialSubject", salt)[:16], version=4).urn


def achievement(*, code: str, titles: tuple[str, str], summaries: tuple[str, str], credit_hours: float,
                settings: CertificateSettings, language: str = "zh") -> dict[str, Any]:
    """A course as an Open Badges Achievement in one language ('zh' or 'en'; titles and summaries in that
    order), linking its version in the other."""
    other = "en" if language == "zh" else "zh"
    title, summary = (titles[0], summaries[0]) if language == "zh" else (titles[1], summaries[1])
    return {
        "id": f"urn:fire-safety-portal:course:{code}",
        "type": ["Achievement"],
        "achievementType": "Course",
        "name": title,
        "description": summary.strip() or title,
        "criteria": {"narrative": CRITERIA[language]},
        "creditsAvailable": credit_hours,
        "humanCode": code,
        "inLanguage": LANGUAGES[language],
        "related": [{"id": settings.achievement_url(code, LANGUAGES[other]), "type": ["Related"],
                     "inLanguage": LANGUAGES[other]}],
    }


def _source(doc: CertificateDocument) -> dict[str, Any] | None:
    """The employer when the certificate was issued, or None (no employer on record)."""
    if not doc.organization_name:
        return None
    # The unified social credit code is public; an organization deleted since is named by its name, URI-encoded.
    ref = doc.organization_code or quote(doc.organization_name, safe="")
    return {"id": f"urn:fire-safety-portal:organization:{ref}", "type": ["Profile"], "name": doc.organization_name}


def unsigned_credential(doc: CertificateDocument, settings: CertificateSettings, *, variant: str = PUBLIC,
                        status: dict[str, str] | None = None) -> dict[str, Any]:
    """The credential without its proof; `status` is its credentialStatus entry."""
    subject: dict[str, Any] = {
        "id": subject_id(doc.identity_salt),
        "type": ["AchievementSubject"],
        "achievement": achievement(code=doc.course_code, titles=(doc.course_title_zh, doc.course_title_en),
                                   summaries=(doc.course_summary_zh, doc.course_summary_en),
                                   credit_hours=doc.credit_hours, settings=settings),
        "creditsEarned": doc.credit_hours,
        "activityEndDate": _iso(doc.completed_on),
    }
    if variant == HOLDER:
        subject["identifier"] = [{"type": "IdentityObject", "identityType": "name", "hashed": True,
                                  "identityHash": "sha256$" + name_hash(doc.holder_name, doc.identity_salt).hex(),
                                  "salt": doc.identity_salt}]
    source = _source(doc)
    if source:
        subject["source"] = source
    credential: dict[str, Any] = {
        "@context": list(CONTEXTS),
        "id": settings.verify_url(doc.token),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": CERTIFICATE_NAME["zh"],
        "description": f"{CERTIFICATE_NAME['zh']} {doc.serial} / {CERTIFICATE_NAME['en']} {doc.serial}",
        "issuer": {"id": settings.base_url, "type": ["Profile"], "name": settings.office_name_zh,
                   "description": settings.office_name_en},
        "validFrom": _iso(doc.completed_on),
        "awardedDate": proofs.utc_text(doc.issued_at),
        "credentialSubject": subject,
        "evidence": [{"type": ["Evidence"], "genre": "Course completion",
                      "name": f"课程完成：{doc.course_title_zh}",
                      "description": f"Course completion: {doc.course_title_en}, {doc.completed_on.isoformat()}",
                      "narrative": EVIDENCE.get(doc.completion_mode, EVIDENCE["online"])}],
        "credentialSchema": [{"id": SCHEMA_URL, "type": SCHEMA_VALIDATOR}],
    }
    if status:
        credential["credentialStatus"] = status
    if doc.valid_until is not None:
        credential["validUntil"] = _iso(doc.valid_until, end=True)
    return credential


def signed_credential(doc: CertificateDocument, settings: CertificateSettings, *, variant: str = PUBLIC,
                      status: dict[str, str] | None = None, now: datetime) -> dict[str, Any]:
    """The credential with a Data Integrity proof made with the portal's key at `now`."""
    return proofs.sign(unsigned_credential(doc, settings, variant=variant, status=status), settings, created=now)


def _sign_and_store(session: Session, cert: Certificate, settings: CertificateSettings, variant: str,
                    now: datetime) -> str:
    status_lists.ensure_entry(session, cert, now=now)
    doc = load_document(session, cert, for_credential=True)
    signed = signed_credential(doc, settings, variant=variant, status=status_lists.entry(cert, settings), now=now)
    text = json.dumps(signed, ensure_ascii=False, separators=(",", ":"))
    try:
        with session.begin_nested():
            session.add(SignedCredential(certificate_id=cert.id, variant=variant, document=text, signed_at=now))
    except IntegrityError:  # a concurrent request stored it first: serve that one, so every download is the same
        stored = session.get(SignedCredential, (cert.id, variant), populate_existing=True)
        return stored.document
    return text


def stored_credential(session: Session, cert: Certificate, settings: CertificateSettings, *, variant: str = PUBLIC,
                      now: datetime) -> str:
    """The certificate's signed credential as JSON text: the stored one, or signed now and stored (certificates
    issued before credentials were stored get theirs on first request). The caller commits."""
    if variant not in VARIANTS:
        raise ValueError(variant)
    stored = session.get(SignedCredential, (cert.id, variant))
    return stored.document if stored is not None else _sign_and_store(session, cert, settings, variant, now)


def course_achievement(course: Course, settings: CertificateSettings, language: str) -> dict[str, Any]:
    """A course's Achievement on its own (the `related` link of a credential), in `language` ('zh-CN' or 'en')."""
    locale = {tag: name for name, tag in LANGUAGES.items()}[language]
    return {"@context": [OB_CONTEXT],
            **achievement(code=course.code, titles=(course.title_zh, course.title_en),
                          summaries=(course.summary_zh or "", course.summary_en or ""),
                          credit_hours=float(course.credit_hours or 0), settings=settings, language=locale)}
