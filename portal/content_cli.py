"""`flask content ...`: check, sync, GIFT import and export."""
from __future__ import annotations

from flask.cli import AppGroup

content_cli = AppGroup("content", help="Courses and the question bank.")
