"""Certificate serials: PREFIX-YEAR-NUMBER-CHECK, e.g. SFQ-2026-000123-K.

The check character is ISO 7064 MOD 37,36 over the alphanumerics before it, so a typed serial with
one wrong character or two swapped neighbours is caught before any look-up.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from portal.models import Certificate

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_MOD = 36
SERIAL_PATTERN = re.compile(r"^([A-Z][A-Z0-9]{0,7})-(\d{4})-(\d{6,9})-([0-9A-Z])$")
_SEPARATORS = re.compile(r"[\s\u2010-\u2015\u2212_./]+")


def check_char(body: str) -> str:
    """ISO 7064 MOD 37,36 check character of the alphanumerics in `body` (dashes ignored)."""
    product = _MOD
    for ch in body.upper():
        if ch == "-":
            continue
        value = ALPHABET.index(ch)
        total = (product + value) % _MOD or _MOD
        product = (total * 2) % (_MOD + 1)
    return ALPHABET[(_MOD + 1 - product) % _MOD]


def format_serial(prefix: str, year: int, number: int) -> str:
    """The serial for the n-th certificate of a year, with its check character."""
    body = f"{prefix.upper()}-{year:04d}-{number:06d}"
    return f"{body}-{check_char(body)}"


def normalize_serial(typed: str | None) -> str | None:
    """The canonical serial for what a person typed (case, full-width characters and spacing forgiven),
    or None when it is malformed or its check character is wrong."""
    text = unicodedata.normalize("NFKC", typed or "").strip().upper()
    if len(text) > 40:
        return None
    text = _SEPARATORS.sub("-", text)
    match = SERIAL_PATTERN.match(text)
    if match is None:
        compact = text.replace("-", "")
        match = re.match(r"^([A-Z]+)(\d{4})(\d{6,9})([0-9A-Z])$", compact)
        if match is None:
            return None
    prefix, year, number, check = match.groups()
    body = f"{prefix}-{year}-{number}"
    return f"{body}-{check}" if check_char(body) == check else None


def _serialize_allocation(session: Session, head: str) -> None:
    """On PostgreSQL, hold a transaction-scoped advisory lock per prefix and year, so two trainees
    finishing at the same moment cannot both take the same number (SQLite serializes writers anyway)."""
    if session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(b"certificate-serial:" + head.encode()).digest()[:8], "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def next_serial(session: Session, *, prefix: str, year: int) -> str:
    """The next free serial of the year (numbers are zero-padded, so the text maximum is the last one).

    Call it right before inserting the certificate, in the transaction that commits it.
    """
    head = f"{prefix.upper()}-{year:04d}-"
    _serialize_allocation(session, head)
    last = session.scalar(select(func.max(Certificate.serial)).where(Certificate.serial.like(head + "%")))
    number = int(last.split("-")[2]) + 1 if last else 1
    return format_serial(prefix, year, number)
