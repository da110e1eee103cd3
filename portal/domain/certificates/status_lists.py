"""W3C Bitstring Status Lists: where a verifier learns, without the certificate being signed again, that it is
no longer valid.

One bit per certificate, purpose `revocation`: set when the certificate was revoked, replaced by a corrected
one or superseded by a renewal (none of these is ever undone); the verification page tells which. Expiry is
not in the list: the credential's validUntil says it.

A certificate gets its place when its first signed credential is made (certificates that never leave the
portal as JSON take none). Each list holds 131,072 entries (the specification's minimum, for herd privacy);
positions are mapped to indexes by a bijection chosen at random per list, as the specification asks, so an
index does not tell when it was given. A change bumps the list's version under its row lock; the signed list
credential is made again on the next request for it, with the time of the change as its validFrom and proof
time, so it stays byte-stable between changes.
"""
from __future__ import annotations

import gzip
import json
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from portal.domain.certificates import proofs, signing
from portal.domain.certificates.documents import CertificateSettings
from portal.domain.certificates.status import VALID
from portal.models import Certificate, StatusList

PURPOSE = "revocation"
LIST_SIZE = 131_072  # entries (16 KiB): the specification's minimum; a power of two (see _index)
CONTEXT = "https://www.w3.org/ns/credentials/v2"

_TAKE_POSITION = (update(StatusList).where(StatusList.id == bindparam("list_id"), StatusList.allocated < StatusList.size)
                  .values(allocated=StatusList.allocated + 1).returning(StatusList.allocated)
                  .execution_options(synchronize_session=False))


def _index(status_list: StatusList, position: int) -> int:
    """The index of the n-th position (0-based): an odd multiplier is invertible modulo a power of two."""
    return (status_list.multiplier * position + status_list.offset) % status_list.size


def _new_list(session: Session, now: datetime) -> StatusList:
    status_list = StatusList(purpose=PURPOSE, size=LIST_SIZE, multiplier=secrets.randbelow(LIST_SIZE // 2) * 2 + 1,
                             offset=secrets.randbelow(LIST_SIZE), allocated=0, version=1, changed_at=now)
    session.add(status_list)
    session.flush()
    return status_list


def _take_place(session: Session, now: datetime) -> tuple[StatusList, int]:
    """A free index in the newest list that has room (a new list when none has)."""
    while True:
        status_list = session.scalar(select(StatusList).where(StatusList.allocated < StatusList.size)
                                     .order_by(StatusList.id.desc()).limit(1)) or _new_list(session, now)
        taken = session.scalar(_TAKE_POSITION, {"list_id": status_list.id})
        if taken is not None:
            return status_list, _index(status_list, taken - 1)


def ensure_entry(session: Session, cert: Certificate, *, now: datetime) -> None:
    """Give the certificate its place in a status list (once); a certificate that is already no longer valid
    gets its bit set at once."""
    if cert.status_index is not None:
        return
    # The certificate's row first, then the list's, the order every status change takes them in.
    session.flush()
    session.refresh(cert, ["status", "status_list_id", "status_index"], with_for_update=True)
    if cert.status_index is not None:  # another request placed it while this one waited
        return
    status_list, index = _take_place(session, now)
    cert.status_list_id, cert.status_index = status_list.id, index
    session.flush()
    if cert.status != VALID:
        changed(session, cert, now=now)


def changed(session: Session, cert: Certificate, *, now: datetime) -> None:
    """Record that the certificate's status changed: its list is signed again on the next request. The UPDATE's
    row lock, held to the commit, makes a concurrent change wait, so no list is signed without it."""
    if cert.status_list_id is None:
        return
    session.execute(update(StatusList).where(StatusList.id == cert.status_list_id)
                    .values(version=StatusList.version + 1, changed_at=now)
                    .execution_options(synchronize_session=False))


def encode(indexes, size: int) -> str:
    """encodedList: multibase base64url ("u") of the GZIP of the bitstring, index 0 the left-most bit."""
    bits = bytearray(size // 8)
    for index in indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    return "u" + signing.b64url(gzip.compress(bytes(bits), mtime=0))


def unsigned_list(status_list: StatusList, indexes, settings: CertificateSettings) -> dict[str, Any]:
    url = settings.status_list_url(status_list.id)
    return {
        "@context": [CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": settings.base_url,
        "validFrom": proofs.utc_text(status_list.changed_at),
        "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList", "statusPurpose": status_list.purpose,
                              "encodedList": encode(indexes, status_list.size)},
    }


def entry(cert: Certificate, settings: CertificateSettings) -> dict[str, str]:
    """The credentialStatus of a certificate that has its place."""
    url = settings.status_list_url(cert.status_list_id)
    return {"id": f"{url}#{cert.status_index}", "type": "BitstringStatusListEntry", "statusPurpose": PURPOSE,
            "statusListIndex": str(cert.status_index), "statusListCredential": url}


def signed_list(session: Session, list_id: int, settings: CertificateSettings) -> tuple[str, int] | None:
    """The signed status list credential as stored JSON text and its version (an ETag), signed again first if a
    certificate changed since; None for an unknown list. The caller commits."""
    status_list = session.get(StatusList, list_id, populate_existing=True)
    if status_list is None:
        return None
    if status_list.document is not None and status_list.signed_version == status_list.version:
        return status_list.document, status_list.version
    version = status_list.version
    indexes = session.scalars(select(Certificate.status_index).where(
        Certificate.status_list_id == list_id, Certificate.status != VALID, Certificate.status_index.is_not(None)))
    signed = proofs.sign(unsigned_list(status_list, indexes, settings), settings, created=status_list.changed_at)
    text = json.dumps(signed, ensure_ascii=False, separators=(",", ":"))
    # Stored only if no change came in meanwhile; a newer change is signed on the request after it.
    session.execute(update(StatusList).where(StatusList.id == list_id, StatusList.version == version)
                    .values(document=text, signed_version=version).execution_options(synchronize_session=False))
    return text, version
