"""Which language a request is served in: chosen, remembered, zh_CN by default."""
from __future__ import annotations

from typing import NamedTuple

from babel.support import NullTranslations
from flask import Flask, current_app, g, request
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup

LANG_COOKIE = "lang"


def select_locale() -> str:
    """The cookie set by the language switch, then the user's preference, then zh_CN."""
    languages = current_app.config["LANGUAGES"]
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


class Language(NamedTuple):
    code: str  # "zh_CN" or "en"
    translations: NullTranslations  # that language's catalog (babel Translations, a NullTranslations subclass)


def request_language() -> Language:
    """The current language and its catalog, looked up once per request (or per force_locale block).

    Flask-Babel resolves the locale and the catalog on every gettext call (about ten context look-ups),
    which a page with fifty strings and filters pays fifty times. The result is kept in Flask-Babel's own
    per-context namespace under the key its refresh() deletes and its force_locale() clears and
    restores (`babel_translations`, unused by Flask-Babel 4 itself), so a language switch, refresh()
    between requests sharing a context, and force_locale() blocks all see the right language.
    """
    from flask_babel import get_locale, get_translations

    if not g:  # outside an application context: the default language, untranslated
        return Language("zh_CN", get_translations())
    language = getattr(g.get("_flask_babel"), "babel_translations", None)
    if language is None:
        locale = get_locale()  # creates g._flask_babel
        language = Language("en" if locale and locale.language == "en" else "zh_CN", get_translations())
        g._flask_babel.babel_translations = language
    return language


def current_locale() -> str:
    return request_language().code


def template_language(context) -> Language:
    """The language a template renders in: the one render_template's context processor put in its
    context, else (a macro imported without context, a mail rendered without processors) request_language()."""
    return context.get("_language") or request_language()


@pass_context
def template_gettext(context, string: str, **variables) -> str:
    """`_()` and `gettext()` in templates: Jinja's new-style gettext over the request's catalog."""
    text = template_language(context).translations.ugettext(string)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % variables  # always a format string, as in Jinja's i18n extension


def install_template_gettext(app: Flask) -> None:
    """Give templates gettext callables that use request_language() (after babel.init_app)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: request_language().translations.ugettext(s),
        ngettext=lambda s, p, n: request_language().translations.ungettext(s, p, n),
        pgettext=lambda c, s: request_language().translations.upgettext(c, s),
        npgettext=lambda c, s, p, n: request_language().translations.unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.globals.update(_=template_gettext, gettext=template_gettext)
