"""Coverage: the office's and departments' view of progress toward full coverage."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("coverage", __name__, url_prefix="/office/coverage", template_folder="templates")
