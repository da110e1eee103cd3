"""Pagination of list pages, the same everywhere."""
from __future__ import annotations

from flask import request
from sqlalchemy import Select

from portal.extensions import db
from portal.web.parameters import whole_number

PER_PAGE = 25
LAST_PAGE = 99999


def page_asked() -> int:
    """The page number in the query string: 1 to LAST_PAGE, 1 for anything else."""
    return whole_number(request.args.get("page"), maximum=LAST_PAGE) or 1


def paginate(statement: Select, per_page: int = PER_PAGE):
    """A Flask-SQLAlchemy Pagination for `page` in the query string (bad values mean page 1)."""
    return db.paginate(statement, page=page_asked(), per_page=per_page, error_out=False, count=True)
