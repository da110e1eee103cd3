"""The coverage blueprint and what its views share: the date, the viewer's scope, export formats.

The blueprint's routes live in views.py (dashboard, drill-down, exports, report), target_views.py
(targets and their import) and session_views.py (classroom sessions and QR sign-in).
"""
from __future__ import annotations

from datetime import date

from flask import Blueprint, request
from flask_login import current_user

from portal.domain import policy
from portal.models import utcnow

bp = Blueprint("coverage", __name__, url_prefix="/office/coverage", template_folder="templates")

VIEWERS = ("office_admin", "superuser", "dept_viewer")
OFFICE = ("office_admin", "superuser")
SESSION_KEEPERS = ("office_admin", "superuser", "org_admin")
PER_PAGE = 25


def today() -> date:
    """The as-of date of the figures (UTC, like the schedule)."""
    return utcnow().date()


def scope():
    """None for the office (the whole district); the viewer's sector clause for departments."""
    return None if policy.sees_whole_district(current_user) else policy.organization_scope(current_user)


def export_format() -> str | None:
    """"csv" or "xlsx" when the table is asked for as a download."""
    fmt = request.args.get("format")
    return fmt if fmt in ("csv", "xlsx") else None


def address() -> str:
    return request.remote_addr or ""
