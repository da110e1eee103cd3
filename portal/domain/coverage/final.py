"""Final reports: once the office has sent a year's report to the district government, it marks it final and
the portal keeps that PDF, byte for byte, with its SHA-256; later imports and corrections no longer change it."""
from __future__ import annotations

import hashlib
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain import audit
from portal.domain.errors import ValidationError
from portal.domain.localtime import local_date
from portal.models import FinalReport


def find(session: Session, year: int, locale: str) -> FinalReport | None:
    return session.scalar(select(FinalReport).where(FinalReport.year == year, FinalReport.locale == locale))


def finals_by_year(session: Session, locale: str) -> dict[int, FinalReport]:
    return {r.year: r for r in session.scalars(select(FinalReport).where(FinalReport.locale == locale))}


def keep(session: Session, *, year: int, locale: str, pdf: bytes, actor_id: int | None, now: datetime) -> FinalReport:
    """Store a year's report as final (once per year and language)."""
    if find(session, year, locale) is not None:
        raise ValidationError(_l("The %(year)s report is already final.", year=year))
    if year >= local_date(now).year:
        raise ValidationError(_l("Only a past year's report can be final: this year's figures still change."))
    report = FinalReport(year=year, locale=locale, pdf=pdf, digest=hashlib.sha256(pdf).hexdigest(),
                         finalized_by_id=actor_id, finalized_at=now)
    session.add(report)
    session.flush()
    audit.record(session, actor_id=actor_id, action="coverage.report_final", target_type="report", target_id=year,
                 details={"locale": locale, "sha256": report.digest})
    return report
