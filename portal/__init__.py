"""Fire Safety Training Portal (消防安全培训平台)."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from portal.config import DEFAULT_SECRET_KEY, check_production, check_time_zone, config_for, instance_secret_key


def connect_domain_events() -> None:
    from portal.domain import wiring

    wiring.connect()


def create_app(config: dict | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, errors, commands."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("PORTAL_INSTANCE_PATH") or str(Path(__file__).resolve().parent.parent / "instance"),
        static_folder=str(Path(__file__).resolve().parent.parent / "static"),
        instance_relative_config=True,
    )
    overrides = dict(config or {})
    app.config.from_object(config_for(overrides.get("PORTAL_ENV")))
    app.config.update(overrides)
    configure_database(app)
    configure_secret_key(app)
    check_production(app.config)
    check_time_zone(app.config)
    register_extensions(app)
    register_url_converters(app)
    register_blueprints(app)
    register_request_hooks(app)
    register_errorhandlers(app)
    register_commands(app)
    connect_domain_events()
    if app.config.get("PROXY_COUNT"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    return app


def configure_database(app: Flask) -> None:
    """Default to SQLite in the instance folder (WAL, foreign keys on, see web.database)."""
    if not app.config.get("STORAGE_PATH"):
        app.config["STORAGE_PATH"] = str(Path(app.instance_path) / "storage")
    if not app.config.get("SIGNING_KEY_PATH"):
        app.config["SIGNING_KEY_PATH"] = str(Path(app.instance_path) / "signing-key.pem")
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        path = Path(app.instance_path) / "portal.sqlite3"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    if app.config.get("DATABASE_REPLICA_URL"):
        app.config["SQLALCHEMY_BINDS"] = {"replica": app.config["DATABASE_REPLICA_URL"]}
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if uri.startswith("sqlite"):
        options.setdefault("connect_args", {"timeout": 30})
    else:
        options.setdefault("pool_pre_ping", True)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def configure_secret_key(app: Flask) -> None:
    """Development without a SECRET_KEY (or with the published default) gets a random one kept in the instance
    folder; tests have their fixed key, and production refuses to start without a real one (check_production)."""
    if app.config.get("PORTAL_ENV") == "development" and app.config.get("SECRET_KEY") in (None, "", DEFAULT_SECRET_KEY):
        app.config["SECRET_KEY"] = instance_secret_key(Path(app.instance_path))


def register_extensions(app: Flask) -> None:
    from portal.extensions import babel, compress, csrf, db, limiter, login_manager, migrate
    from portal.web.database import close_reporting_session, install_sqlite_pragmas
    from portal.web.i18n import install_template_gettext, select_locale

    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            install_sqlite_pragmas(engine)
    app.teardown_appcontext(close_reporting_session)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    install_template_gettext(app)
    from portal.web.errors import keep_retry_after

    app.after_request(keep_retry_after)  # before the limiter's hook, so after it (see keep_retry_after)
    limiter.init_app(app)
    login_manager.init_app(app)
    compress.init_app(app)
    from portal.web.session import configure_login, forget_cached_user

    configure_login(login_manager)
    app.before_request(forget_cached_user)


def register_url_converters(app: Flask) -> None:
    """`<int:...>` takes only what an id column can hold (see web.parameters); before any route is added."""
    from portal.web.parameters import RecordIdConverter

    app.url_map.converters["int"] = RecordIdConverter


def register_blueprints(app: Flask) -> None:
    from portal.api.v1 import bp as api_bp
    from portal.auth import reset_views  # noqa: F401 (its routes join the auth blueprint)
    from portal.auth.views import bp as auth_bp
    from portal.certificates.views import bp as certificates_bp
    from portal.company import account_views, commitment_views, reminder_views  # noqa: F401 (join the company blueprint)
    from portal.company import drill_views  # noqa: F401 (its routes join the company blueprint)
    from portal.company.imports import bp as company_import_bp
    from portal.company.tokens import bp as company_tokens_bp
    from portal.company.views import bp as company_bp
    from portal.coverage.views import bp as coverage_bp
    from portal.office import commitment_views as office_commitments  # noqa: F401 (routes join office blueprints)
    from portal.office import content_views  # noqa: F401 (the content pages join the office blueprint)
    from portal.office import post_views, rules_views  # noqa: F401 (their routes join the office setup blueprint)
    from portal.office.setup_views import bp as office_setup_bp
    from portal.office.views import bp as office_bp
    from portal.public.views import bp as public_bp
    from portal.trainee import commitment_views as trainee_commitments  # noqa: F401 (joins the trainee blueprint)
    from portal.trainee.views import bp as trainee_bp

    for blueprint in (public_bp, auth_bp, trainee_bp, company_bp, company_import_bp, company_tokens_bp, office_bp,
                      office_setup_bp, coverage_bp, certificates_bp, api_bp):
        app.register_blueprint(blueprint)


def register_request_hooks(app: Flask) -> None:
    from portal.web.assets import install_assets
    from portal.web.headers import add_security_headers, keep_signed_in_pages_out_of_caches
    from portal.web.templating import install_template_globals

    from portal.web.input_guard import refuse_nul_characters

    app.before_request(refuse_nul_characters)
    app.after_request(add_security_headers)
    app.after_request(keep_signed_in_pages_out_of_caches)
    install_template_globals(app)
    install_assets(app)


def register_errorhandlers(app: Flask) -> None:
    from portal.web.errors import register

    register(app)


def register_commands(app: Flask) -> None:
    from portal.cli import register

    register(app)
