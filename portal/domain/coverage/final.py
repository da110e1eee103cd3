"""Final reports: once the office has sent a year's report to the district government, it marks the year final
and the portal keeps that year's report in every language at once (one FinalReport per language), each PDF byte
for byte with its SHA-256; later imports and corrections no longer change them, whichever language a viewer reads.
"""
from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.platform import audit
from portal.domain.coverage.report import CoverageReport
from portal.domain.platform.errors import ValidationError
from portal.domain.platform.localtime import local_date
from portal.models import FinalReport

if TYPE_CHECKING:
    from portal.domain.coverage.report_pdf import ReportSettings


def _kept(session: Session, year: int | None = None) -> list[FinalReport]:
    statement = select(FinalReport).order_by(FinalReport.year, FinalReport.id)
    if year is not None:
        statement = statement.where(FinalReport.year == year)
    return list(session.scalars(statement))


def _in_language(reports: list[FinalReport], locale: str) -> FinalReport | None:
    """The file in `locale`; a year made final before every language was kept offers the one it has."""
    return next((r for r in reports if r.locale == locale), reports[0] if reports else None)


def find(session: Session, year: int, locale: str) -> FinalReport | None:
    """The year's final report to download in `locale` (None: the year is not final)."""
    return _in_language(_kept(session, year), locale)


def finals_by_year(session: Session, locale: str) -> dict[int, FinalReport]:
    """Every final year and the file a viewer in `locale` downloads."""
    by_year: dict[int, list[FinalReport]] = {}
    for report in _kept(session):
        by_year.setdefault(report.year, []).append(report)
    return {year: _in_language(reports, locale) for year, reports in by_year.items()}


def keep(session: Session, *, year: int, pdfs: dict[str, bytes], actor_id: int | None,
         now: datetime) -> list[FinalReport]:
    """Store a year's report as final, one PDF per language (locale -> bytes), all at once and once per year."""
    if _kept(session, year):
        raise ValidationError(_l("The %(year)s report is already final.", year=year))
    if year >= local_date(now).year:
        raise ValidationError(_l("Only a past year's report can be final: this year's figures still change."))
    kept = [FinalReport(year=year, locale=locale, pdf=pdf, digest=hashlib.sha256(pdf).hexdigest(),
                        finalized_by_id=actor_id, finalized_at=now) for locale, pdf in sorted(pdfs.items())]
    session.add_all(kept)
    session.flush()
    audit.record(session, actor_id=actor_id, action="coverage.report_final", target_type="report", target_id=year,
                 details={"sha256": {r.locale: r.digest for r in kept}})
    return kept


def make_final(session: Session, report: CoverageReport, settings: list[ReportSettings], *, actor_id: int | None,
               now: datetime) -> list[FinalReport]:
    """Render a year's report in each language of `settings` and keep them as the year's final report."""
    from portal.domain.coverage.report_pdf import render_report  # reportlab: loaded by the first report, not at start

    pdfs = {}
    for each in settings:
        with force_locale(each.locale):
            pdfs[each.locale] = render_report(report, each)
    return keep(session, year=report.period.last, pdfs=pdfs, actor_id=actor_id, now=now)
