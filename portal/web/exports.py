"""Every table exports the same way: CSV (UTF-8 with BOM) or XLSX, formulas neutralised."""
from __future__ import annotations

from flask import Response

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_response(headers, rows, fmt: str, basename: str) -> Response:
    """A download of the table in the asked format."""
    from portal.domain.tabular import write_csv, write_xlsx

    data = write_xlsx(list(headers), rows) if fmt == "xlsx" else write_csv(list(headers), rows)
    response = Response(data, mimetype=MIMETYPES["xlsx" if fmt == "xlsx" else "csv"])
    response.headers["Content-Disposition"] = f'attachment; filename="{basename}.{"xlsx" if fmt == "xlsx" else "csv"}"'
    response.headers["Cache-Control"] = "no-store"
    return response
