"""Certificate serials: PREFIX-YEAR-NUMBER-CHECK, e.g. SFQ-2026-000123-K.

The check character is ISO 7064 MOD 37,36 over the alphanumerics before it, so a typed serial with
one wrong character or two swapped neighbours is caught before any look-up.
"""
from __future__ import annotations

import re
import unicodedata

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from portal.domain.platform.sql import INSERT_ON_CONFLICT
from portal.models import Certificate, SerialCounter

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


# The head's next number; no row (None) until the head's first certificate.
_TAKE_NEXT = (update(SerialCounter).where(SerialCounter.head == bindparam("counter_head"))
              .values(last_number=SerialCounter.last_number + 1).returning(SerialCounter.last_number)
              .execution_options(synchronize_session=False))


def next_serial(session: Session, *, prefix: str, year: int) -> str:
    """The next serial of the prefix and year: one UPDATE of its counter, whose row lock (until the commit)
    keeps two trainees finishing at the same moment from taking the same number.

    Call it right before inserting the certificate, in the transaction that commits it.
    """
    head = f"{prefix.upper()}-{year:04d}-"
    number = session.scalar(_TAKE_NEXT, {"counter_head": head})
    if number is None:
        number = _start_counter(session, head)
    return format_serial(prefix, year, number)


def _start_counter(session: Session, head: str) -> int:
    """The first number taken through a new counter: after the highest serial already issued with the head
    (certificates from before the counters), found once. If another transaction starts the same counter
    first, the INSERT waits for it to commit, does nothing, and the number comes from the counter."""
    last = session.scalar(select(func.max(Certificate.serial)).where(Certificate.serial.like(head + "%")))
    number = int(last.split("-")[2]) + 1 if last else 1
    insert = INSERT_ON_CONFLICT[session.get_bind().dialect.name]
    started = session.scalar(insert(SerialCounter).values(head=head, last_number=number)
                             .on_conflict_do_nothing(index_elements=[SerialCounter.head])
                             .returning(SerialCounter.last_number))
    return started if started is not None else session.scalar(_TAKE_NEXT, {"counter_head": head})
