"""Security headers on every response."""
from __future__ import annotations

from flask import Response, g

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


def keep_signed_in_pages_out_of_caches(response: Response) -> Response:
    """A page shown to a signed-in user is stored by no cache (the browser's back button after logout included),
    unless its view chose its own Cache-Control."""
    user = g.get("_login_user")
    # is_anonymous reads no column: asking is_authenticated would reload a user the view's commit expired
    if user is not None and not user.is_anonymous and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-store"
    return response
