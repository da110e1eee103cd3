"""Template globals: the locale, the navigation for the user's roles, helpers for names."""
from __future__ import annotations

from flask import Flask, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.web.i18n import current_locale

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
    from flask_babel import gettext as _

    return {"key_unit": _("Key fire-safety unit"), "public_gathering": _("Public gathering place"),
            "general": _("General unit")}


def navigation() -> list[tuple[str, str]]:
    if not current_user.is_authenticated:
        return []
    return [(endpoint, label) for names, endpoint, label in NAVIGATION if current_user.has_role(*names)]


def install_template_globals(app: Flask) -> None:
    @app.context_processor
    def inject():
        locale = current_locale()
        return {
            "locale": locale,
            "html_lang": "en" if locale == "en" else "zh-CN",
            "navigation": navigation(),
            "current_path": request.full_path.rstrip("?") if request else "/",
        }

    @app.template_global("group_name")
    def group_name(code: str) -> str:
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
        return group.name(current_locale()) if group else code

    @app.template_filter("t")
    def translated_text(value) -> str:
        """The current language's text of a {zh_CN, en} content mapping."""
        from portal.domain.questions import text

        return text(value, current_locale())

    @app.template_filter("localized")
    def localized(obj, attr: str = "name"):
        """obj.name(locale) / obj.title(locale) for the current language."""
        method = getattr(obj, attr, None)
        return method(current_locale()) if callable(method) else ""
