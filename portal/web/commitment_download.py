"""A signed duty commitment as a PDF download, in the reader's language: the signer's copy (trainee pages) and the
company's copy (company pages) are the same file."""
from __future__ import annotations

from flask import Response, current_app

from portal.models import Commitment
from portal.web.i18n import current_locale


def commitment_download(record: Commitment) -> Response:
    # reportlab loads with the first PDF, not in every worker at start
    from portal.domain.workforce.commitment_pdf import CommitmentPdfSettings, render_commitment

    locale = current_locale()
    data = render_commitment(record, CommitmentPdfSettings.from_config(current_app.config, locale), locale=locale)
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{record.serial}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response
