"""Portico settings: every value comes from an environment variable with an embedded default.

Embedded mode (no variables set) runs on SQLite and local files under ``var/``.
Set ``DATABASE_URL``, ``REDIS_URL`` and the storage variables to scale out.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int, minimum: int = 0) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = minimum - 1
    if number < minimum:
        raise ImproperlyConfigured(
            f"{name} must be a whole number of at least {minimum}: {value!r}."
        )
    return number


BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(env("PORTICO_VAR_DIR", str(PROJECT_DIR / "var")))

PORTICO_ENV = env("PORTICO_ENV", "development")
IS_PRODUCTION = PORTICO_ENV == "production"

DEBUG = env_bool("PORTICO_DEBUG", default=not IS_PRODUCTION)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if IS_PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when PORTICO_ENV=production.")
    SECRET_KEY = "portico-development-key-not-for-production-use-0123456789-abcdefghijklmnop"

ALLOWED_HOSTS = [h.strip() for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in env("CSRF_TRUSTED_ORIGINS").split(",") if o.strip()]

INSTALLED_APPS = [
    "portico.core",
    "portico.accounts",
    "portico.customers",
    "portico.home",
    "portico.assets",
    "portico.orders",
    "portico.meters",
    "portico.threads",
    "portico.service",
    "portico.billing",
    "portico.backoffice.apps.BackofficeConfig",
    "portico.backoffice.apps.PorticoAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "csp",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portico.core.csp.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portico.accounts.middleware.UserPreferencesMiddleware",
    # Before AccountSecurityMiddleware, which reads the (lazy) scope.
    "portico.core.access.ScopeMiddleware",
    "portico.accounts.middleware.AccountSecurityMiddleware",
    # AxesMiddleware must be last: it turns lockouts into responses.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portico.urls"
WSGI_APPLICATION = "portico.wsgi.application"
ASGI_APPLICATION = "portico.asgi.application"
# Threads per server process answering requests (portico.serving); more requests wait.
WEB_THREADS = env_int("PORTICO_WEB_THREADS", 2, minimum=1)
# How often an open timeline asks for new entries (threads/_live_timeline.html).
TIMELINE_POLL_SECONDS = env_int("PORTICO_TIMELINE_POLL_SECONDS", 30, minimum=1)

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portico.core.context_processors.portal",
            ],
            "builtins": ["portico.core.templatetags.portal"],
        },
    }
]
# Django's widget templates, with inputs and selects rendered in Python (same markup).
FORM_RENDERER = "portico.core.renderers.PorticoFormRenderer"

# --- Database -------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    # Django's connection pool (psycopg_pool) lends each request a connection, whichever
    # thread serves it (portico.serving's threads, the task worker, management commands).
    # PORTICO_DB_POOL=0 turns it off (e.g. behind pgbouncer in transaction mode).
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
    if env_bool("PORTICO_DB_POOL", True) and DATABASES["default"]["ENGINE"].endswith("postgresql"):
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": env_int("PORTICO_DB_POOL_SIZE", 10, minimum=1),
            "timeout": 10,
        }
else:
    DATABASES = {
        "default": {
            # Django's SQLite backend, with closed connections kept in a pool for reuse.
            "ENGINE": "portico.core.db.sqlite",
            "NAME": str(VAR_DIR / "portico.sqlite3"),
            # Tests run in memory, as with Django's own SQLite backend (stated here because
            # test runners only recognise that backend by its name).
            "TEST": {"NAME": ":memory:"},
            "OPTIONS": {
                # IMMEDIATE takes the write lock when a transaction starts, so two writers
                # queue on the busy timeout instead of failing with "database is locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA busy_timeout=20000;"
                    "PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions ------------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "portico",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = env_int("PORTICO_SESSION_AGE", 60 * 60 * 12)

# --- Background tasks -----------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env("PORTICO_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# --- Authentication -------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
# Welcome and reset links stay valid for three days.
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_ADAPTER = "portico.accounts.adapter.PorticoAccountAdapter"
ACCOUNT_FORMS = {
    "login": "portico.accounts.forms.PorticoLoginForm",
    "signup": "portico.accounts.forms.PorticoSignupForm",
    "change_password": "portico.accounts.forms.PorticoChangePasswordForm",
    "reset_password_from_key": "portico.accounts.forms.PorticoResetPasswordKeyForm",
}
ACCOUNT_RATE_LIMITS = {"login_failed": False}  # lockout is django-axes' job
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# B2C self-registration (A6) is off unless the provider turns it on.
PORTICO_ALLOW_SIGNUP = env_bool("PORTICO_ALLOW_SIGNUP", default=False)

MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env("PORTICO_PRODUCT_NAME", "Portico")
MFA_ADAPTER = "portico.accounts.adapter.PorticoMFAAdapter"

AXES_ENABLED = env_bool("PORTICO_AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env_int("PORTICO_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = env_int("PORTICO_LOCKOUT_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "portico.accounts.auth.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "account/lockout.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = env_int("PORTICO_PROXY_COUNT", 0)

# --- Internationalisation -------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("nb", "Norsk bokmål")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("PORTICO_TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("PORTICO_MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": env("STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")},
    "staticfiles": {
        "BACKEND": (
            "portico.core.storage.StaticStorage"
            if IS_PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not IS_PRODUCTION
PORTICO_MAX_UPLOAD_BYTES = env_int("PORTICO_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)

# --- E-mail ---------------------------------------------------------------
EMAIL_URL = env("EMAIL_URL")
if EMAIL_URL.startswith(("smtp://", "smtps://")):
    from urllib.parse import unquote, urlparse

    _mail = urlparse(EMAIL_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _mail.hostname or "localhost"
    EMAIL_PORT = _mail.port or (465 if _mail.scheme == "smtps" else 25)
    EMAIL_HOST_USER = unquote(_mail.username or "")
    EMAIL_HOST_PASSWORD = unquote(_mail.password or "")
    EMAIL_USE_SSL = _mail.scheme == "smtps"
    EMAIL_USE_TLS = "tls=1" in (_mail.query or "")
elif EMAIL_URL == "console://":
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    # Embedded default: every e-mail is written as a file under var/mail/ to read at leisure.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env("PORTICO_FROM_EMAIL", "Portico <portal@provider.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
PORTICO_BASE_URL = env("PORTICO_BASE_URL", "http://127.0.0.1:8000")

# --- Security -------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
if IS_PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("PORTICO_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("PORTICO_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- Logging --------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("PORTICO_LOG_LEVEL", "WARNING")},
}

# --- Portico --------------------------------------------------------------
PORTICO_PRODUCT_NAME = env("PORTICO_PRODUCT_NAME", "Portico")

# Lockout is per e-mail address (AXES_LOCKOUT_PARAMETERS): locking by IP would lock out a
# whole office behind one NAT after five typos. See docs/decisions.md.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
