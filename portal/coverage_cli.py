"""`flask report ...` and `flask targets ...`: the yearly report and coverage targets."""
from __future__ import annotations

from flask.cli import AppGroup

report_cli = AppGroup("report", help="Coverage reports.")
