"""Redirect targets that stay on this site."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

# A line break would end the Location header early (werkzeug refuses to send it: a 500); no link has one.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def safe_next(target: str | None, default: str) -> str:
    """`target` if it is a path on this site, otherwise `default`."""
    if not target:
        return default
    target = target.strip()
    if CONTROL_CHARACTERS.search(target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target
