"""The coverage blueprint and what its views share: the date, the viewer's scope and sectors, the figures'
cache, export formats.

The blueprint's routes live in views.py (dashboard, drill-down, exports), report_views.py (the yearly and plan
period reports, final reports), target_views.py (targets and their import) and session_views.py (classroom
sessions and QR sign-in).
"""
from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

from flask import Blueprint, Flask, current_app, request
from flask_login import current_user
from sqlalchemy import select

from portal.domain.platform import policy
from portal.domain.coverage.cache import SharedStore, SnapshotCache
from portal.domain.platform.localtime import local_today
from portal.extensions import db
from portal.models import Sector
from portal.web.database import reporting_session

bp = Blueprint("coverage", __name__, url_prefix="/office/coverage", template_folder="templates")

VIEWERS = ("office_admin", "superuser", "dept_viewer")
OFFICE = ("office_admin", "superuser")
SESSION_KEEPERS = ("office_admin", "superuser", "org_admin")
PER_PAGE = 25
# Figures computed up to an hour ago are served while newer ones are computed in the background; with
# `flask coverage warm` every few minutes (deploy/portal-coverage.timer) they are minutes old at most.
MAX_AGE = 3600
# A page starts that background computation only when the figures are older than this: changed data alone
# (every completion changes it) would otherwise keep every worker recomputing the district.
REFRESH_AFTER = 300


def snapshot_cache(app: Flask) -> SnapshotCache | None:
    """The process's coverage cache, sharing its entries through Redis (REDIS_URL) or STORAGE_PATH; None
    when COVERAGE_CACHE is off (the default in tests, which want every figure computed)."""
    if not app.config.get("COVERAGE_CACHE", not app.testing):
        return None
    cache = app.extensions.get("coverage_cache")
    if cache is None:
        store = SharedStore(redis_url=app.config.get("REDIS_URL"),
                            folder=str(Path(app.config["STORAGE_PATH"]) / "coverage-cache"))
        cache = app.extensions.setdefault("coverage_cache", SnapshotCache(
            store=store, refresh_after=float(app.config.get("COVERAGE_REFRESH_AFTER", REFRESH_AFTER))))
    return cache


def cache() -> SnapshotCache | None:
    return snapshot_cache(current_app)


def max_age() -> float:
    return float(current_app.config.get("COVERAGE_MAX_AGE", MAX_AGE))


def spawn(job) -> None:
    """Run job(session) in a background thread with its own session (refreshing a cached snapshot)."""
    app = current_app._get_current_object()

    def run() -> None:
        with app.app_context():
            try:
                job(reporting_session())
            except Exception:  # a failed refresh leaves the previous figures in place
                app.logger.exception("coverage refresh failed")
            finally:
                db.session.rollback()
                db.session.remove()

    threading.Thread(target=run, name="coverage-refresh", daemon=True).start()


def visible_sectors() -> list[Sector]:
    """The sectors the viewer sees: all of them for the office, their own for a department."""
    statement = select(Sector).order_by(Sector.code)
    if not policy.sees_whole_district(current_user):
        statement = statement.where(Sector.id.in_(policy.viewed_sector_ids(current_user) or {-1}))
    return list(reporting_session().scalars(statement))


def today() -> date:
    """The as-of date of the figures: the local date, like the schedule's."""
    return local_today()


def scope():
    """None for the office (the whole district); the viewer's sector clause for departments."""
    return None if policy.sees_whole_district(current_user) else policy.organization_scope(current_user)


def export_format() -> str | None:
    """"csv" or "xlsx" when the table is asked for as a download."""
    fmt = request.args.get("format")
    return fmt if fmt in ("csv", "xlsx") else None


def address() -> str:
    return request.remote_addr or ""
