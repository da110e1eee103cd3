"""Signed forms of a certificate that can be checked offline with the portal's public key.

1. A JSON credential shaped after W3C Verifiable Credentials 2.0 / Open Badges 3.0, secured with a
   Data Integrity proof (cryptosuite eddsa-jcs-2022: JCS canonical JSON, SHA-256, Ed25519, base58btc).
2. Compact claims carried in the QR code's URL, `?c=1.<serial>.<base64url sha256(name + serial)>.
   <course code>.<valid until YYYYMMDD or 0>.<base64url Ed25519 signature of everything before it>`.
   A scanner holding the public key checks them without a connection; a phone just opens the page.

The holder is represented only by sha256(name + serial) (Open Badges' IdentityObject with the serial
as salt): an inspector hashes the name on the ID card shown to them and compares.
"""
from __future__ import annotations

import copy
import hmac
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from portal.domain.certificates import signing
from portal.domain.certificates.documents import CertificateDocument, CertificateSettings
from portal.domain.privacy import mask_name

CONTEXTS = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
CRYPTOSUITE = "eddsa-jcs-2022"
COMPACT_VERSION = "1"
COURSE_CODE = re.compile(r"^[a-z0-9-]{1,64}$")


class InvalidCredential(ValueError):
    """A credential or compact claim whose signature or shape does not check out."""


def name_hash(name: str, serial: str) -> bytes:
    """sha256 of the holder's name followed by the serial (whitespace around the name ignored)."""
    return signing.sha256((name.strip() + serial).encode("utf-8"))


def _iso(day: date, end: bool = False) -> str:
    return f"{day.isoformat()}T{'23:59:59' if end else '00:00:00'}Z"


def _languages(zh: str, en: str) -> list[dict[str, str]]:
    return [{"@value": zh, "@language": "zh-CN"}, {"@value": en, "@language": "en"}]


def unsigned_credential(doc: CertificateDocument, settings: CertificateSettings, *, state: str,
                        checked_at: datetime) -> dict[str, Any]:
    """The credential without its proof."""
    credential: dict[str, Any] = {
        "@context": list(CONTEXTS),
        "id": settings.verify_url(doc.token),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": _languages("消防安全培训合格证书", "Fire-safety training certificate"),
        "issuer": {"id": settings.base_url, "type": ["Profile"],
                   "name": _languages(settings.office_name_zh, settings.office_name_en)},
        "validFrom": _iso(doc.completed_on),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{"type": "IdentityObject", "identityType": "name", "hashed": True,
                            "identityHash": "sha256$" + name_hash(doc.holder_name, doc.serial).hex(),
                            "salt": doc.serial}],
            "achievement": {
                "id": f"urn:fire-safety-portal:course:{doc.course_code}",
                "type": ["Achievement"], "achievementType": "Course",
                "name": _languages(doc.course_title_zh, doc.course_title_en),
                "criteria": {"narrative": "Read every lesson and passed the course assessment."},
                "creditsAvailable": doc.credit_hours,
            },
            "creditsEarned": doc.credit_hours,
            "activityEndDate": _iso(doc.completed_on),
            "source": {"type": ["Profile"], "name": doc.organization_name},
        },
        "certificate": {"serial": doc.serial, "holderMasked": mask_name(doc.holder_name),
                        "status": state, "statusCheckedAt": checked_at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")},
    }
    if doc.valid_until is not None:
        credential["validUntil"] = _iso(doc.valid_until, end=True)
    return credential


def _hash_data(document: dict[str, Any], proof_config: dict[str, Any]) -> bytes:
    return signing.sha256(signing.canonical_json(proof_config)) + signing.sha256(signing.canonical_json(document))


def signed_credential(doc: CertificateDocument, settings: CertificateSettings, *, state: str,
                      now: datetime) -> dict[str, Any]:
    """The credential with a Data Integrity proof made with the portal's key."""
    credential = unsigned_credential(doc, settings, state=state, checked_at=now)
    key = signing.public_key(settings.signing_key_path)
    proof = {
        "type": "DataIntegrityProof", "cryptosuite": CRYPTOSUITE,
        "created": now.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "verificationMethod": f"{settings.key_url}#{signing.key_id(key)}",
        "proofPurpose": "assertionMethod",
        "@context": credential["@context"],
    }
    signature = signing.sign(settings.signing_key_path, _hash_data(credential, proof))
    del proof["@context"]
    credential["proof"] = dict(proof, proofValue="z" + signing.b58encode(signature))
    return credential


def verify_credential(credential: dict[str, Any], key: Ed25519PublicKey) -> dict[str, Any]:
    """Check a signed credential offline; returns it without its proof, raises InvalidCredential."""
    if not isinstance(credential, dict) or not isinstance(credential.get("proof"), dict):
        raise InvalidCredential("no proof")
    document = copy.deepcopy(credential)
    proof = document.pop("proof")
    value = proof.pop("proofValue", "")
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != CRYPTOSUITE:
        raise InvalidCredential("unsupported proof")
    if not isinstance(value, str) or not value.startswith("z"):
        raise InvalidCredential("proofValue is not base58btc multibase")
    try:
        signature = signing.b58decode(value[1:])
    except ValueError:
        raise InvalidCredential("proofValue is not base58btc") from None
    proof["@context"] = document.get("@context")
    try:
        hashed = _hash_data(document, proof)
    except (TypeError, ValueError):
        raise InvalidCredential("not canonical JSON") from None
    if not signing.signature_valid(key, signature, hashed):
        raise InvalidCredential("bad signature")
    return document


@dataclass(frozen=True)
class CompactClaims:
    serial: str
    name_hash: bytes
    course_code: str
    valid_until: date | None

    def matches_name(self, name: str) -> bool:
        """True when `name` is the holder's name (constant-time compare)."""
        return hmac.compare_digest(self.name_hash, name_hash(name, self.serial))

    def valid_on(self, today: date) -> bool:
        return self.valid_until is None or today <= self.valid_until


def compact_claims(doc: CertificateDocument, settings: CertificateSettings) -> str:
    """The signed compact claims for the QR code, URL-safe as they are (no base64 around them, to keep
    the QR code small): `1.<serial>.<base64url name hash>.<course code>.<YYYYMMDD or 0>.<base64url signature>`,
    the signature covering everything before the last dot."""
    expiry = f"{doc.valid_until:%Y%m%d}" if doc.valid_until else "0"
    if not COURSE_CODE.match(doc.course_code):
        raise ValueError(f"course code {doc.course_code!r} cannot travel in a URL unencoded")
    claims = ".".join((COMPACT_VERSION, doc.serial, signing.b64url(name_hash(doc.holder_name, doc.serial)),
                       doc.course_code, expiry))
    signature = signing.sign(settings.signing_key_path, claims.encode("ascii"))
    return f"{claims}.{signing.b64url(signature)}"


def verify_compact(text: str, key: Ed25519PublicKey) -> CompactClaims:
    """Check compact claims (the `c` parameter of a QR code's URL) offline; raises InvalidCredential."""
    claims, _, signature_part = (text or "").rpartition(".")
    try:
        signature = signing.b64url_decode(signature_part)
        data = claims.encode("ascii")
    except (ValueError, UnicodeEncodeError):
        raise InvalidCredential("not <claims>.<signature>") from None
    if not claims or not signing.signature_valid(key, signature, data):
        raise InvalidCredential("bad signature")
    try:
        version, serial, hashed, course, expiry = claims.split(".")
        if version != COMPACT_VERSION:
            raise ValueError(version)
        until = None if expiry == "0" else datetime.strptime(expiry, "%Y%m%d").date()
        return CompactClaims(serial=serial, name_hash=signing.b64url_decode(hashed), course_code=course,
                             valid_until=until)
    except ValueError:
        raise InvalidCredential("malformed claims") from None


def qr_url(doc: CertificateDocument, settings: CertificateSettings) -> str:
    """What the certificate's QR code holds: the verification page plus the compact claims."""
    return f"{settings.verify_url(doc.token)}?c={compact_claims(doc, settings)}"
