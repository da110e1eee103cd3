"""Every table exports the same way: CSV (UTF-8 with BOM) or XLSX, formulas neutralised."""
from __future__ import annotations

from flask import Response, stream_with_context

from portal.domain.platform.tabular import MEDIA_TYPES as MIMETYPES
from portal.domain.platform.tabular import csv_chunks, write_xlsx


def export_response(headers, rows, fmt: str, basename: str) -> Response:
    """A download of the table in the asked format. CSV is streamed as its rows are read (a district-wide
    table starts downloading at once); XLSX, a ZIP that is only complete at the end, is written first."""
    if fmt == "xlsx":
        body = write_xlsx(list(headers), rows)
    else:
        body = stream_with_context(csv_chunks(list(headers), rows))
    response = Response(body, mimetype=MIMETYPES["xlsx" if fmt == "xlsx" else "csv"])
    response.headers["Content-Disposition"] = f'attachment; filename="{basename}.{"xlsx" if fmt == "xlsx" else "csv"}"'
    response.headers["Cache-Control"] = "no-store"
    return response
