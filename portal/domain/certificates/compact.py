"""The signed compact claims carried in a certificate's QR code, checked offline with the portal's public key.

Version 2 (printed since the secret salts):
    `2.<serial>.<base64url sha256(name + salt)>.<salt>.<course code>.<valid until YYYYMMDD or 0>.<signature>`
Version 1 (certificates printed before; still verified):
    `1.<serial>.<base64url sha256(name + serial)>.<course code>.<valid until YYYYMMDD or 0>.<signature>`
The signature is Ed25519 over everything before the last dot, in base64url. The claims travel in the QR
code's URL as they are (no base64 around them, to keep the code small); a phone just opens the page.

The QR code is printed beside the holder's full name, so the salt in it discloses nothing new; it lets a
scanner holding the public key check a name typed from an ID card without a connection. Public pages and the
public JSON credential never carry the salt.
"""
from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from portal.domain.certificates import signing
from portal.domain.certificates.documents import CertificateDocument, CertificateSettings

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

VERSION = "2"
COURSE_CODE = re.compile(r"^[a-z0-9-]{1,64}$")
SALT = re.compile(r"^[A-Za-z0-9_-]{16,32}$")


class InvalidClaims(ValueError):
    """Compact claims whose signature or shape does not check out."""


def name_hash(name: str, salt: str) -> bytes:
    """sha256 of the holder's name (whitespace around it ignored) followed by the salt, both UTF-8: Open Badges'
    IdentityObject hash."""
    return signing.sha256((name.strip() + salt).encode("utf-8"))


@dataclass(frozen=True)
class CompactClaims:
    version: str
    serial: str
    name_hash: bytes
    salt: str  # version 1 salted with the serial
    course_code: str
    valid_until: date | None

    def matches_name(self, name: str) -> bool:
        """True when `name` is the holder's name (constant-time compare)."""
        return hmac.compare_digest(self.name_hash, name_hash(name, self.salt))

    def valid_on(self, today: date) -> bool:
        return self.valid_until is None or today <= self.valid_until


def compact_claims(doc: CertificateDocument, settings: CertificateSettings) -> str:
    """The signed version-2 claims for the QR code."""
    expiry = f"{doc.valid_until:%Y%m%d}" if doc.valid_until else "0"
    if not COURSE_CODE.match(doc.course_code):
        raise ValueError(f"course code {doc.course_code!r} cannot travel in a URL unencoded")
    if not SALT.match(doc.identity_salt or ""):
        raise ValueError("a certificate needs its secret salt before its QR code is drawn")
    claims = ".".join((VERSION, doc.serial, signing.b64url(name_hash(doc.holder_name, doc.identity_salt)),
                       doc.identity_salt, doc.course_code, expiry))
    signature = signing.sign(settings.signing_key_path, claims.encode("ascii"))
    return f"{claims}.{signing.b64url(signature)}"


def _parse(claims: str) -> CompactClaims:
    parts = claims.split(".")
    if parts[0] == "1" and len(parts) == 5:
        version, serial, hashed, course, expiry = parts
        salt = serial
    elif parts[0] == VERSION and len(parts) == 6:
        version, serial, hashed, salt, course, expiry = parts
        if not SALT.match(salt):
            raise ValueError(salt)
    else:
        raise ValueError(parts[0])
    until = None if expiry == "0" else datetime.strptime(expiry, "%Y%m%d").date()
    return CompactClaims(version=version, serial=serial, name_hash=signing.b64url_decode(hashed), salt=salt,
                         course_code=course, valid_until=until)


def verify_compact(text: str, key: Ed25519PublicKey) -> CompactClaims:
    """Check compact claims (the `c` parameter of a QR code's URL, version 1 or 2) offline; raises InvalidClaims."""
    claims, _, signature_part = (text or "").rpartition(".")
    try:
        signature = signing.b64url_decode(signature_part)
        data = claims.encode("ascii")
    except (ValueError, UnicodeEncodeError):
        raise InvalidClaims("not <claims>.<signature>") from None
    if not claims or not signing.signature_valid(key, signature, data):
        raise InvalidClaims("bad signature")
    try:
        return _parse(claims)
    except ValueError:
        raise InvalidClaims("malformed claims") from None


def qr_url(doc: CertificateDocument, settings: CertificateSettings) -> str:
    """What the certificate's QR code holds: the verification page plus the compact claims."""
    return f"{settings.verify_url(doc.token)}?c={compact_claims(doc, settings)}"
