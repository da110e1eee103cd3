"""Security headers on every response."""
from __future__ import annotations

from flask import Response

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)


def add_security_headers(response: Response) -> Response:
    """Each header unless the view set its own (the SVG media view sets a stricter CSP)."""
    headers = response.headers
    present = {key.lower() for key, _value in headers.items()}
    for key, value in SECURITY_HEADERS:
        if key.lower() not in present:
            headers.add(key, value)
    return response
