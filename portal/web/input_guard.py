"""Refuse path, form and query text no database can store (NUL characters) before any view sees it."""
from __future__ import annotations

from itertools import chain

from flask import abort, request


def refuse_nul_characters() -> None:
    """A NUL in the path, a form or URL parameter is never typed by a person; PostgreSQL refuses it in text."""
    if "\x00" in request.path:
        abort(400)  # the path's text reaches views as <serial>, <token>, <code>..., on the API too
    if request.path.startswith("/api/"):
        return  # the API answers in JSON, from its own body parser
    pairs = request.args.items(multi=True)
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        pairs = chain(pairs, request.form.items(multi=True))
    if any("\x00" in key or "\x00" in value for key, value in pairs):
        abort(400)
