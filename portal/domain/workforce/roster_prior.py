"""Optional roster columns for one prior training per row: training a person did before or outside the portal
(a paper ledger, a training institution), imported with the roster and recorded like the form does (prior.py).

A row either leaves all five cells empty or names the course and gives its date, provider, class hours and proof.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date

from flask_babel import lazy_gettext as _l

from portal.domain.workforce.prior import EARLIEST, MAX_HOURS

PRIOR_ALIASES = {
    "prior_course": ("以往培训课程", "以往培训", "priortrainingcourse", "priorcourse", "priortraining"),
    "prior_date": ("以往培训日期", "培训日期", "priortrainingdate", "priordate"),
    "prior_provider": ("培训机构", "培训单位", "trainingprovider", "provider"),
    "prior_hours": ("学时", "培训学时", "classhours", "hours"),
    "prior_evidence": ("证明材料", "证明编号", "证书编号", "proof", "evidence"),
}
PRIOR_FIELDS = tuple(PRIOR_ALIASES)


def _key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text or "").casefold().split())


def course_lookup(courses: Iterable[tuple[str, str, str]]) -> dict[str, str]:
    """A course found by its code, Chinese or English title: (code, title_zh, title_en) -> {key: code}."""
    lookup: dict[str, str] = {}
    for code, title_zh, title_en in courses:
        for name in (code, title_zh, title_en):
            if name:
                lookup.setdefault(_key(name), code)
    return lookup


def read_prior(raw: Mapping[str, tuple], courses: Mapping[str, str], *, today: date, parse_date) -> tuple:
    """(prior training as a JSON-ready dict or None, reasons) from a row's raw (cell, text) per prior column."""
    texts = {name: " ".join((raw[name][1] if name in raw else "").split()) for name in PRIOR_FIELDS}
    if not any(texts.values()):
        return None, []
    reasons = []
    course = courses.get(_key(texts["prior_course"]))
    if course is None:
        reasons.append(_l("Prior training: name a course of the portal (its code or title) it stands for.")
                       if not texts["prior_course"] else
                       _l('Prior training: "%(value)s" is not a course of the portal.',
                          value=texts["prior_course"][:40]))
    day = parse_date(raw["prior_date"][0]) if "prior_date" in raw and texts["prior_date"] else None
    if day is None or not EARLIEST <= day <= today:
        reasons.append(_l("Prior training: give its date, a past date from 1990 on."))
    if not 2 <= len(texts["prior_provider"]) <= 200:
        reasons.append(_l("Prior training: name who gave it (2 to 200 characters)."))
    try:
        hours = float(texts["prior_hours"])
    except ValueError:
        hours = 0.0
    if not 0 < hours <= MAX_HOURS:
        reasons.append(_l("Prior training: class hours are more than 0 and at most %(n)s.", n=MAX_HOURS))
    if not 2 <= len(texts["prior_evidence"]) <= 200:
        reasons.append(_l("Prior training: say where the proof is (2 to 200 characters)."))
    if reasons:
        return None, reasons
    return {"course": course, "completed_on": day.isoformat(), "provider": texts["prior_provider"], "hours": hours,
            "evidence": texts["prior_evidence"]}, []
