"""Pagination of list pages, the same everywhere."""
from __future__ import annotations

from flask import request
from sqlalchemy import Select

from portal.extensions import db

PER_PAGE = 25


def paginate(statement: Select, per_page: int = PER_PAGE):
    """A Flask-SQLAlchemy Pagination for `page` in the query string (bad values mean page 1)."""
    page = request.args.get("page", "1")
    page_number = int(page) if page.isdigit() and 0 < int(page) < 100000 else 1
    return db.paginate(statement, page=page_number, per_page=per_page, error_out=False, count=True)
