"""Template globals: the locale, the navigation for the user's roles, helpers for names and times."""
from __future__ import annotations

from flask import Flask, current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup

from portal.domain.platform import localtime
from portal.web.i18n import current_locale, request_language, template_language

NAVIGATION = (  # (role set, endpoint, label)
    (("trainee",), "trainee.home", _l("My training")),
    (("org_admin",), "company.home", _l("My organizations")),
    (("office_admin", "superuser", "dept_viewer"), "office.home", _l("Overview")),
    (("office_admin", "superuser", "dept_viewer"), "coverage.home", _l("Coverage")),
    (("office_admin", "superuser", "dept_viewer"), "office.organizations", _l("Organizations")),
    (("office_admin", "superuser"), "office.users", _l("Accounts")),
    (("office_admin", "superuser"), "office.question_stats", _l("Questions")),
    (("office_admin", "superuser"), "office_setup.rules", _l("Rules")),
    (("office_admin", "superuser"), "office_setup.key_groups", _l("Key groups")),
    (("office_admin", "superuser"), "office.audit_log", _l("Audit log")),
)


def kind_labels() -> dict[str, str]:
    from portal.domain.workforce.organizations import KIND_LABELS

    return {kind: str(label) for kind, label in KIND_LABELS.items()}


def navigation_links() -> Markup:
    """The main navigation's links (all but the per-user log-out form) for the user's roles.

    They depend only on the roles, the language, the current page and the script root, so each
    combination is rendered once per process (but again on every page while templates auto-reload).
    """
    if not current_user.is_authenticated:
        return Markup()
    roles = frozenset(current_user.roles)
    key = (roles, current_locale(), request.endpoint, request.script_root)
    cache = current_app.extensions["portal_navigation"]
    links = cache.get(key)
    if links is None:
        entries = [(endpoint, label) for names, endpoint, label in NAVIGATION if roles.intersection(names)]
        template = current_app.jinja_env.get_template("_navigation_links.html")
        links = Markup(template.render(navigation=entries, active=request.endpoint))
        if not current_app.jinja_env.auto_reload:
            cache[key] = links
    return links


def install_template_globals(app: Flask) -> None:
    app.extensions["portal_navigation"] = {}
    app.add_template_global(navigation_links)
    from portal.domain.workforce import audit_labels

    app.add_template_global(audit_labels, "audit_labels")  # the audit log's codes in words
    install_time_filters(app)

    @app.context_processor
    def inject():
        language = request_language()
        return {
            "_language": language,  # read by _() and the filters below, instead of Flask-Babel's look-ups
            "locale": language.code,
            "html_lang": "en" if language.code == "en" else "zh-CN",
            "current_path": request.full_path.rstrip("?") if request else "/",
        }

    @app.template_global("group_name")
    @pass_context
    def group_name(context, code: str) -> str:
        """A key group's name in the current language (the code if unknown)."""
        from flask import g as request_globals
        from sqlalchemy import select

        from portal.extensions import db
        from portal.models import KeyGroup

        names = request_globals.get("_group_names")
        if names is None:
            names = {k.code: k for k in db.session.scalars(select(KeyGroup))}
            request_globals._group_names = names
        group = names.get(code)
        return group.name(template_language(context).code) if group else code

    @app.template_filter("t")
    @pass_context
    def translated_text(context, value) -> str:
        """The current language's text of a {zh_CN, en} content mapping."""
        from portal.domain.content.questions import text

        return text(value, template_language(context).code)

    @app.template_filter("localized")
    @pass_context
    def localized(context, obj, attr: str = "name"):
        """obj.name(locale) / obj.title(locale) for the current language."""
        method = getattr(obj, attr, None)
        return method(template_language(context).code) if callable(method) else ""


def install_time_filters(app: Flask) -> None:
    """Stored UTC times as people read them, in the configured zone (pages and mails alike)."""

    @app.template_filter("local_datetime")
    def local_datetime(moment, round_up: bool = False, seconds: bool = False) -> str:
        """'2026-12-07 04:30' ('' for none)."""
        return localtime.format_datetime(moment, round_up=round_up, seconds=seconds) if moment else ""

    @app.template_filter("local_time")
    def local_time(moment, round_up: bool = False) -> str:
        """'12:31' when it is today, else with the date: a deadline (rounded down) or the end of a wait
        (round_up=True)."""
        return localtime.format_time(moment, round_up=round_up) if moment else ""

    @app.template_filter("local_date")
    def local_date(moment) -> str:
        """The local day of a stored time, '2026-12-07' ('' for none)."""
        return localtime.local_date(moment).isoformat() if moment else ""
