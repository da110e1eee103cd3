"""Checks for identifiers users type: credit codes, ID numbers, mobiles, dates (passwords: password_strength.py)."""
from __future__ import annotations

import re
import unicodedata
from datetime import date

from flask_babel import lazy_gettext as _l

from portal.domain.platform.errors import ValidationError
from portal.domain.platform.localtime import local_today

# GB 32100-2015: the 31 characters allowed (no I, O, S, V, Z) and the position weights.
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_PATTERN = re.compile(r"^[0-9A-HJ-NP-RTUWXY]{2}\d{6}[0-9A-HJ-NP-RTUWXY]{10}$")

# GB 11643-1999: weights of the first 17 digits and the check characters by remainder.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
ID_PATTERN = re.compile(r"^[0-9]{17}[0-9X]$")  # ASCII digits: \d would also take other scripts' digits
ID_RULE = _l("A resident ID number has 17 digits followed by a digit or X.")

# A mainland China mobile number, digit by digit: 11 digits, starting 13 to 19. MOBILE_PATTERN is the form it is
# stored and compared in; MOBILE_INPUT_PATTERN is what may be typed or sent for it: the same digits, a +86 in front,
# spaces and dashes anywhere (the HR API's document states it as the mobile's pattern).
MOBILE_DIGITS = ("1", "[3-9]", *("[0-9]",) * 9)
MOBILE_PATTERN = re.compile("^" + "".join(MOBILE_DIGITS) + "$")
_GAP = "[ -]*"
MOBILE_INPUT_PATTERN = re.compile("^" + _GAP + "(?:" + _GAP.join(("\\+", "8", "6", "")) + ")?"
                                  + _GAP.join(MOBILE_DIGITS) + _GAP + "$")
MOBILE_RULE = _l("A mobile number has 11 digits and starts with 13 to 19.")

# Dates people type (into forms, query strings, imports, the API). Nothing the portal records lies outside
# these years, and staying inside them keeps every date computed from one (a due date years ahead, the UTC
# start of a local day) inside Python's calendar, which ends at 9999-12-31 and starts at 0001-01-01.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)


def uscc_check_char(first17: str) -> str:
    """The check character of a unified social credit code's first 17 characters."""
    total = sum(USCC_CHARSET.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS))
    return USCC_CHARSET[(31 - total % 31) % 31]


def normalize_credit_code(value: str) -> str:
    """Validate a unified social credit code (GB 32100-2015) and return it upper-cased."""
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationError(_l("A unified social credit code has exactly 18 characters."))
    if not USCC_PATTERN.match(code):
        raise ValidationError(
            _l("This credit code contains characters that are not allowed (I, O, S, V and Z never appear).")
        )
    if uscc_check_char(code[:17]) != code[17]:
        raise ValidationError(_l("This credit code's check character is wrong: please check for a typo."))
    return code


def id_check_char(first17: str) -> str:
    """The check character of a resident ID number's first 17 digits."""
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS)) % 11]


def canonical_id_number(value: str | None) -> str:
    """The form ID numbers are stored and compared in: full-width characters made ASCII, spaces and
    dashes removed, upper case (110105 19491231 002x and １１０１０５…００２Ｘ are the same number)."""
    return re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", value or "")).upper()


def normalize_id_number(value: str) -> str:
    """Validate an 18-digit resident ID number (GB 11643-1999) and return its canonical form."""
    number = canonical_id_number(value)
    if re.fullmatch(r"[0-9]{15}", number):  # the first-generation card, replaced by 2013
        raise ValidationError(_l("This is an old 15-digit ID number: enter the 18-character number on the "
                                 "person's current ID card."))
    if not ID_PATTERN.match(number):
        raise ValidationError(ID_RULE)
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(_l("This ID number contains an impossible date of birth.")) from None
    if born.year < 1900 or born > local_today():
        raise ValidationError(_l("This ID number contains an impossible date of birth."))
    if id_check_char(number[:17]) != number[17]:
        raise ValidationError(_l("This ID number's check digit is wrong: please check for a typo."))
    return number


def normalize_mobile(value: str) -> str:
    """Validate a mainland China mobile number (MOBILE_INPUT_PATTERN once full-width characters are made ASCII
    and any space is read as a space) and return its 11 digits."""
    typed = re.sub(r"\s", " ", unicodedata.normalize("NFKC", value or ""))
    if not MOBILE_INPUT_PATTERN.match(typed):
        raise ValidationError(MOBILE_RULE)
    return re.sub(r"[ -]", "", typed).removeprefix("+86")


def is_plausible_date(day: date) -> bool:
    """Whether a typed date lies within EARLIEST_DATE..LATEST_DATE (a year typed 0202 or 9999 is not)."""
    return EARLIEST_DATE <= day <= LATEST_DATE


def date_range_message():
    """The message for a typed date outside EARLIEST_DATE..LATEST_DATE."""
    return _l("Enter a date between %(first)s and %(last)s.", first=EARLIEST_DATE.isoformat(),
              last=LATEST_DATE.isoformat())


DEPARTMENT_MAX_LENGTH = 100  # Trainee.department
DEPARTMENT_RULE = _l("A department has at most 100 characters.")


def normalize_department(value: str | None) -> str:
    """A roster department as stored: spaces collapsed; ValidationError when longer than DEPARTMENT_MAX_LENGTH."""
    department = " ".join((value or "").split())
    if len(department) > DEPARTMENT_MAX_LENGTH:
        raise ValidationError(DEPARTMENT_RULE, "department")
    return department
