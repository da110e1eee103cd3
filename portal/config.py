"""Settings from the environment, one class per mode."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_SECRET_KEY = "dev-only-change-me"  # published in old READMEs: refused in production, replaced elsewhere
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """The configuration cannot run in the requested mode."""


class BaseConfig:
    PORTAL_ENV = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY")  # None in development: instance_secret_key() makes one
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")  # None: SQLite in the instance folder
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # Optional read replica for reports and exports (coverage dashboards, yearly report).
    DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL")
    # Number of reverse proxies (nginx) in front of the app whose X-Forwarded-* headers to trust.
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
    REDIS_URL = os.environ.get("REDIS_URL")
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "30 per 5 minutes")
    # Wrong passwords and reset codes per account (web/failed_attempts.py): LOGIN_BACKOFF_AFTER of them are free, then
    # each further one means a wait before the next try is heard, doubling from LOGIN_BACKOFF_FIRST_MINUTES up to
    # LOGIN_BACKOFF_MAX_MINUTES. A guesser gets a few tries an hour; the owner waits at most that long (or sets a new
    # password with a reset code at once). Wrong tries are forgotten LOGIN_BACKOFF_FORGET_HOURS after the first.
    LOGIN_BACKOFF_AFTER = int(os.environ.get("LOGIN_BACKOFF_AFTER", "5"))
    LOGIN_BACKOFF_FIRST_MINUTES = int(os.environ.get("LOGIN_BACKOFF_FIRST_MINUTES", "1"))
    LOGIN_BACKOFF_MAX_MINUTES = int(os.environ.get("LOGIN_BACKOFF_MAX_MINUTES", "60"))
    LOGIN_BACKOFF_FORGET_HOURS = int(os.environ.get("LOGIN_BACKOFF_FORGET_HOURS", "24"))
    # Registrations refused per mobile number (claiming someone else's roster row: auth/views.py register).
    CLAIM_LIMIT_PER_MOBILE = os.environ.get("CLAIM_LIMIT_PER_MOBILE", "5 per 5 minutes")

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "127.0.0.1")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0") == "1"
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "noreply@fire-training.local")
    MAIL_TIMEOUT = int(os.environ.get("MAIL_TIMEOUT", "30"))
    # Only a server someone configured counts: without MAIL_SERVER the forgot-password page says that reset links
    # by e-mail are not available, instead of offering one that never arrives.
    MAIL_CONFIGURED = bool(os.environ.get("MAIL_SERVER"))

    # Password resets without SMS (domain/password_resets.py): how long an administrator's reset code and an
    # e-mailed link last, and how many links one account may be sent (wrong codes count like failed logins).
    PASSWORD_RESET_CODE_HOURS = int(os.environ.get("PASSWORD_RESET_CODE_HOURS", "24"))
    PASSWORD_RESET_LINK_MINUTES = int(os.environ.get("PASSWORD_RESET_LINK_MINUTES", "60"))
    RESET_LINK_LIMIT_PER_ACCOUNT = os.environ.get("RESET_LINK_LIMIT_PER_ACCOUNT", "3 per hour")

    # HR system API: requests per token, failed authentications per address
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "120 per minute")
    API_AUTH_FAILURE_LIMIT = os.environ.get("API_AUTH_FAILURE_LIMIT", "30 per minute")
    IDEMPOTENCY_KEEP_DAYS = int(os.environ.get("IDEMPOTENCY_KEEP_DAYS", "30"))

    BABEL_DEFAULT_LOCALE = "zh_CN"
    LANGUAGES = ("zh_CN", "en")
    # Where the people live: every time shown, mailed, printed or exported, and "today", are local to it.
    TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")

    # Sessions are kept on the server (domain/login_sessions.py): one without "remember me" ends after this long
    # without a request; every session ends this long after its login, and the remember-me cookie lasts as long.
    SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "720"))
    SESSION_ABSOLUTE_DAYS = int(os.environ.get("SESSION_ABSOLUTE_DAYS", "30"))
    REMEMBER_COOKIE_DURATION = timedelta(days=SESSION_ABSOLUTE_DAYS)
    PERMANENT_SESSION_LIFETIME = timedelta(days=SESSION_ABSOLUTE_DAYS)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    WTF_CSRF_TIME_LIMIT = None  # a trainee may read a lesson for hours before answering
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024

    CONTENT_ROOT = Path(os.environ.get("CONTENT_ROOT", PROJECT_ROOT))
    # `flask content check` warns about a lesson last reviewed against the law more than this many months ago.
    CONTENT_REVIEW_MONTHS = int(os.environ.get("CONTENT_REVIEW_MONTHS", "12"))
    PUBLIC_INVITE_CODE = os.environ.get("PUBLIC_INVITE_CODE", "PUBLIC-2026")
    # May a person hold jobs at two organizations at once (part-time guards)? Otherwise the first employer
    # releases them, or they confirm the move, before another can add them.
    ALLOW_CONCURRENT_EMPLOYMENT = os.environ.get("ALLOW_CONCURRENT_EMPLOYMENT", "").lower() in ("1", "true", "yes")
    # An organization's first roster import: staff without any training record get this many days from the
    # import for what would otherwise be overdue at once (their historical start dates).
    FIRST_IMPORT_GRACE_DAYS = int(os.environ.get("FIRST_IMPORT_GRACE_DAYS", "30"))
    # Classroom sessions: recorded (with their attendance) up to this many days after they were held, every date
    # before today audit-logged (their completions are back-dated); planned up to this many days ahead.
    CLASSROOM_SESSION_DAYS_BACK = int(os.environ.get("CLASSROOM_SESSION_DAYS_BACK", "90"))
    CLASSROOM_SESSION_DAYS_AHEAD = int(os.environ.get("CLASSROOM_SESSION_DAYS_AHEAD", "365"))
    # Photos of a drill: the largest upload taken (before re-encoding) and how many a drill keeps.
    DRILL_PHOTO_MAX_BYTES = int(os.environ.get("DRILL_PHOTO_MAX_BYTES", str(8 * 1024 * 1024)))
    DRILL_PHOTOS_PER_DRILL = int(os.environ.get("DRILL_PHOTOS_PER_DRILL", "12"))
    # Where links in certificates, QR codes and e-mails point.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    # Generated files (certificate PDFs, import uploads, reports): a shared volume when scaled out.
    STORAGE_PATH = os.environ.get("STORAGE_PATH")  # None: <instance>/storage

    # Certificates
    CERT_FONT_PATH = os.environ.get("CERT_FONT_PATH", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
    CERT_OFFICE_NAME_ZH = os.environ.get("CERT_OFFICE_NAME_ZH", "示范区消防安全委员会办公室")
    CERT_OFFICE_NAME_EN = os.environ.get("CERT_OFFICE_NAME_EN", "Demo District Fire Safety Committee Office")
    # The training office's phone, shown to trainees who need help (used all their attempts, no employer).
    OFFICE_CONTACT_PHONE = os.environ.get("OFFICE_CONTACT_PHONE", "")
    CERT_SEAL_PATH = os.environ.get("CERT_SEAL_PATH", str(PROJECT_ROOT / "static" / "img" / "seal.png"))
    CERT_SERIAL_PREFIX = os.environ.get("CERT_SERIAL_PREFIX", "SFQ")  # the district's prefix
    SIGNING_KEY_PATH = os.environ.get("SIGNING_KEY_PATH")  # None: <instance>/signing-key.pem
    # Public verification: look-ups per address (its pages share one budget); names tried against one certificate
    CERT_VERIFY_RATE_LIMIT = os.environ.get("CERT_VERIFY_RATE_LIMIT", "30 per minute")
    CERT_NAME_CHECK_RATE_LIMIT = os.environ.get("CERT_NAME_CHECK_RATE_LIMIT", "10 per hour")
    # argon2id as OWASP's Password Storage Cheat Sheet recommends (19 MiB, 2 iterations, 1 lane: about 20 ms of one
    # core); hashes made with other settings are replaced at the next login (domain/passwords.py).
    ARGON2_TIME_COST = int(os.environ.get("ARGON2_TIME_COST", "2"))
    ARGON2_MEMORY_COST = int(os.environ.get("ARGON2_MEMORY_COST", "19456"))  # KiB
    ARGON2_PARALLELISM = int(os.environ.get("ARGON2_PARALLELISM", "1"))
    # Password checks (logins, registrations, changes) one process runs at once, how many more may wait for a turn
    # and for how long; beyond that the answer is 503 "try again in a moment" with Retry-After (seconds).
    PASSWORD_CHECKS_AT_ONCE = int(os.environ.get("PASSWORD_CHECKS_AT_ONCE", "1"))
    PASSWORD_CHECKS_QUEUED = int(os.environ.get("PASSWORD_CHECKS_QUEUED", "2"))
    PASSWORD_CHECK_WAIT_SECONDS = float(os.environ.get("PASSWORD_CHECK_WAIT_SECONDS", "3"))
    PASSWORD_CHECK_RETRY_AFTER = int(os.environ.get("PASSWORD_CHECK_RETRY_AFTER", "5"))


class DevelopmentConfig(BaseConfig):
    PORTAL_ENV = "development"


class TestingConfig(BaseConfig):
    PORTAL_ENV = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret"
    WTF_CSRF_ENABLED = False  # tests that prove CSRF switch it back on
    RATELIMIT_STORAGE_URI = "memory://"
    MAIL_CONFIGURED = False  # tests that send start their own SMTP server
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024


class ProductionConfig(BaseConfig):
    PORTAL_ENV = "production"
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "1"))
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_for(env: str | None) -> type[BaseConfig]:
    """The configuration class for PORTAL_ENV (development when unset)."""
    name = (env or os.environ.get("PORTAL_ENV") or "development").lower()
    if name not in CONFIGS:
        raise ConfigError(f"PORTAL_ENV must be one of {', '.join(CONFIGS)}, not {name!r}")
    return CONFIGS[name]


def check_time_zone(config) -> None:
    """Refuse a TIME_ZONE that is not an IANA zone name (such as Asia/Shanghai)."""
    name = config.get("TIME_ZONE") or ""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"TIME_ZONE must name a time zone such as Asia/Shanghai, not {name!r}") from None


def instance_secret_key(folder: Path) -> str:
    """The key in `folder`/secret_key, made (random, readable by this user only) when there is none yet.

    A published default key would let anyone forge a session cookie, and so be any account (a superuser too), on
    every demo left reachable; a key made on the first run is this machine's own. Made aside and linked into place,
    so processes starting together all read the one key."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "secret_key"
    if not path.exists():
        draft = folder / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_hex(32) + "\n")
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process was first: its key it is
        finally:
            draft.unlink()
    key = path.read_text().strip()
    if len(key) < 32:
        raise ConfigError(f"{path} does not hold a usable key: delete it, and a new one is made on the next start.")
    return key


def check_production(config) -> None:
    """Refuse to run production with a missing or default secret key."""
    if config.get("PORTAL_ENV") != "production":
        return
    key = config.get("SECRET_KEY") or ""
    if key in ("", DEFAULT_SECRET_KEY) or len(key) < 32:
        raise ConfigError(
            "Refusing to start in production: set SECRET_KEY to a random value of at least "
            "32 characters (for example: python -c 'import secrets; print(secrets.token_hex(32))')."
        )
