"""Public pages: the landing page, the language switch, the health check."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import text

from portal.domain.platform import policy
from portal.extensions import db
from portal.web.i18n import LANG_COOKIE
from portal.web.navigation import safe_next
from portal.web import access

bp = Blueprint("public", __name__, template_folder="templates")


@bp.route("/")
@access.public
def index():
    home = url_for(policy.home_endpoint(current_user)) if current_user.is_authenticated else None
    return render_template("public/index.html", home=home)


@bp.route("/figures")
@access.public
def figures():
    """How each figure the portal shows is counted: one explanation, linked from every page that shows one."""
    from portal.domain.workforce.compliance import DUE_SOON_DAYS

    return render_template("public/figures.html", due_soon_days=DUE_SOON_DAYS)


@bp.route("/lang/<code>", methods=["GET", "POST"])
@access.public
def set_language(code: str):
    target = safe_next(request.values.get("next"), url_for("public.index"))
    response = make_response(redirect(target))
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                            secure=current_app.config["SESSION_COOKIE_SECURE"])
        if current_user.is_authenticated and current_user.locale != code:
            current_user.locale = code
            db.session.commit()
    return response


@bp.route("/healthz")
@access.public
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception as error:  # the point is to report it, whatever it is
        db.session.rollback()
        current_app.logger.warning("health check: database unavailable: %s", error)
        database = "unavailable"
    status = 200 if database == "ok" else 503
    return jsonify(status="ok" if status == 200 else "degraded", database=database,
                   dialect=db.engine.dialect.name), status
