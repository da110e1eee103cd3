"""Static files under content-hashed names, cached by browsers for a year.

`url_for('static', filename='css/portal.css')` gives `/static/css/portal.1a2b3c4d.css`, the eight hex
digits being the start of the SHA-256 of the file's bytes; templates do not change. The static view
serves `css/portal.<hash>.css` from `css/portal.css` with `Cache-Control: public, max-age=31536000,
immutable` when the hash is the file's current one. A stale hash (a page rendered before a deploy, or by
another node) still gets the current file, cached only briefly. Plain names work as before.
"""
from __future__ import annotations

import hashlib
import os
import re

from flask import Flask, abort, current_app, send_from_directory
from werkzeug.security import safe_join

IMMUTABLE_MAX_AGE = 31_536_000  # one year
STALE_MAX_AGE = 60
HASHED_NAME = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{8})(?P<suffix>\.[A-Za-z0-9]+)$")


class StaticAssets:
    """Content hashes of the files in one folder, computed once per process (per change with debug on)."""

    def __init__(self, folder: str, *, watch: bool = False):
        self.folder, self.watch = folder, watch
        self._digests: dict[str, tuple[float, str | None]] = {}

    def digest(self, filename: str) -> str | None:
        """The file's eight-hex content hash, or None when there is no such file."""
        cached = self._digests.get(filename)
        if cached is not None and not self.watch:
            return cached[1]
        path = safe_join(self.folder, filename)
        try:
            stamp = os.stat(path).st_mtime_ns if path else None
        except OSError:
            stamp = None
        if cached is not None and cached[0] == stamp:
            return cached[1]
        digest = None
        if stamp is not None and os.path.isfile(path):
            with open(path, "rb") as file:
                digest = hashlib.sha256(file.read()).hexdigest()[:8]
        self._digests[filename] = (stamp, digest)
        return digest

    def hashed_name(self, filename: str) -> str:
        """css/portal.css -> css/portal.<hash>.css (unchanged for unknown files)."""
        digest = self.digest(filename)
        if digest is None:
            return filename
        stem, dot, suffix = filename.rpartition(".")
        if not dot or "/" in suffix:
            return f"{filename}.{digest}"
        return f"{stem}.{digest}.{suffix}"

    @staticmethod
    def split(filename: str) -> tuple[str, str | None]:
        """The plain name and the hash of a hashed name; (filename, None) for a plain one."""
        match = HASHED_NAME.match(filename)
        if match is None:
            return filename, None
        return match["stem"] + match["suffix"], match["digest"]


def install_assets(app: Flask) -> None:
    """Hash static file names in url_for('static', ...) and serve them with far-future caching."""
    if not app.has_static_folder or "static" not in app.view_functions:
        return
    assets = StaticAssets(app.static_folder, watch=app.debug or bool(app.config.get("TEMPLATES_AUTO_RELOAD")))
    app.extensions["portal_assets"] = assets

    @app.url_defaults
    def hashed_static_names(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values:
            values["filename"] = assets.hashed_name(values["filename"])

    def static(filename: str):
        if assets.digest(filename) is not None:  # a real file by that name (hashed-looking or not)
            return _whole(current_app.send_static_file(filename))
        plain, digest = assets.split(filename)
        current = assets.digest(plain) if digest else None
        if current is None:
            abort(404)
        immutable = digest == current
        response = send_from_directory(app.static_folder, plain,
                                       max_age=IMMUTABLE_MAX_AGE if immutable else STALE_MAX_AGE)
        response.cache_control.public = True
        response.cache_control.immutable = immutable or None
        return _whole(response)

    app.view_functions["static"] = static
    # Flask-Compress then compresses whole bodies only: static files are made whole above, and a streamed
    # response (a download, a byte range) is left alone; compressing streams leaves the file to the GC.
    app.config["COMPRESS_STREAMS"] = False


def _whole(response):
    """Read a (small) static file into the response, so that it can be compressed; ranges stay streamed."""
    if response.status_code in (200, 304) and response.is_streamed:
        stream = response.response
        try:
            data = b"".join(stream) if response.status_code == 200 else b""
        finally:
            getattr(stream, "close", lambda: None)()
        response.direct_passthrough = False
        response.response = [data]
        if data:
            response.content_length = len(data)
    return response
