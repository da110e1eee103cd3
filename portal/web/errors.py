"""Error pages in the user's language; JSON for API and health paths."""
from __future__ import annotations

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from flask_babel.speaklater import LazyString
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.http import http_date

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Please go back and try again.")),
    403: (_l("Not allowed"), _l("Your account does not have access to this page.")),
    404: (_l("Page not found"), _l("There is no such page, or it is not yours to see.")),
    405: (_l("Not allowed"), _l("This page cannot be used that way.")),
    413: (_l("File too large"), _l("The file is larger than the portal accepts.")),
    429: (_l("Too many attempts"), _l("Too many requests in a short time. Please wait a few minutes and try again.")),
    500: (_l("Something went wrong"), _l("The portal hit an unexpected error. It has been logged; please try again later.")),
    503: (_l("Busy right now"), _l("The portal is very busy right now. Please try again in a moment.")),
}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


API_CODES = {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
             413: "payload_too_large", 429: "rate_limited", 500: "internal_error", 503: "busy"}


def render_error(code: int, detail: str | None = None):
    title, message = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    if request.path.startswith("/api/"):
        from flask_babel import force_locale

        with force_locale("en"):  # the API speaks English to HR systems, like its own errors
            text = str(message)
        return jsonify(error={"code": API_CODES.get(code, "error"), "message": text}), code
    if _wants_json():
        return jsonify(error={"code": code, "message": str(message)}), code
    return render_template("errors/error.html", code=code, title=title, message=detail or message), code


def answer_retry_after(response, retry_after) -> None:
    """Say when to come back (seconds, or a moment); the rate limiter's own header, added after, keeps it."""
    g.retry_after = str(retry_after) if isinstance(retry_after, int) else http_date(retry_after)
    response.headers["Retry-After"] = g.retry_after


def keep_retry_after(response):
    """Flask-Limiter sets Retry-After on every response of a limited route (the end of its window, minutes away);
    an answer that named its own moment (answer_retry_after) keeps it. Registered before the limiter, so it runs
    after it."""
    if g.get("retry_after"):
        response.headers["Retry-After"] = g.retry_after
    return response


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, _("The form expired or was sent from another site. Please reload the page and try again."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        # An error that says more than its status (PasswordCheckBusy: "many people are logging in") says it.
        detail = error.description if isinstance(error.description, LazyString) else None
        body, status = render_error(code, str(detail) if detail is not None else None)
        response = current_app.make_response((body, status))
        retry_after = getattr(error, "retry_after", None)
        if retry_after is not None:  # 429 and 503 tell when to come back
            answer_retry_after(response, retry_after)
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        app.logger.exception("Unhandled error on %s", request.path)
        from portal.extensions import db

        db.session.rollback()
        return render_error(500)

    app.register_error_handler(InternalServerError, lambda e: render_error(500))
