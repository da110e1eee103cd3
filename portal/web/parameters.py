"""Ids, numbers, dates and tokens typed into URLs, query strings and forms, read within what the database, date
arithmetic and the file system can take.

Every id column is an INTEGER: PostgreSQL's ends at 2**31 - 1 and SQLite refuses Python integers past
2**63 - 1, so a larger number names no record and is answered like a missing one (404, or left out of a
list), never sent to the database. Only ASCII digits count: str.isdigit() also says yes to "²", which int()
refuses.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from werkzeug.routing import IntegerConverter

from portal.domain.platform.validators import is_plausible_date

MAX_ID = 2**31 - 1
ASCII_DIGITS = re.compile(r"[0-9]+")
TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def whole_number(text: str | None, *, maximum: int = MAX_ID) -> int | None:
    """`text` as a whole number from 0 to `maximum` in ASCII digits; None for anything else."""
    if not text or len(text) > len(str(maximum)) or not ASCII_DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if value <= maximum else None


def record_id(text: str | None) -> int | None:
    """A record id (1 to MAX_ID) from a query or form value; None when it cannot name a record."""
    return whole_number(text) or None


def record_ids(values: Iterable[str]) -> list[int]:
    """The values of a repeated form field (`trainee`, `item`...) that can name a record, in order."""
    return [number for number in map(record_id, values) if number is not None]


def typed_date(text: str | None) -> date | None:
    """An ISO date (2026-03-01) from a query string within the dates people type; None otherwise."""
    try:
        day = date.fromisoformat((text or "").strip())
    except ValueError:
        return None
    return day if is_plausible_date(day) else None


def is_token(text: str | None) -> bool:
    """Whether `text` can be a name the portal made with secrets.token_urlsafe (a pending import, a job): ASCII
    letters, digits, "-" and "_", at most 64. Anything else names no file (and may be too long for a file name)."""
    return bool(text) and TOKEN.fullmatch(text) is not None


class RecordIdConverter(IntegerConverter):
    """`<int:...>` in every route: 0 to MAX_ID in ASCII digits; any other number matches no route (404)."""

    regex = r"[0-9]+"

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
