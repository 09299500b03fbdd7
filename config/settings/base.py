"""Settings shared by every environment. Environment-specific modules import and adjust these."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from config import env

BASE_DIR = env.BASE_DIR
VAR_DIR = BASE_DIR / "var"

SECRET_KEY = env.string("DJANGO_SECRET_KEY", "phaen-local-development-only-not-secret")
DEBUG = env.boolean("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env.strings("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks_db",
    # Phaen apps, lowest layer first (docs/architecture.md).
    "phaen.core",
    "phaen.geography",
    "phaen.orgs",
    "phaen.accounts",
    "phaen.plans",
    "phaen.kpis",
    "phaen.projects",
    "phaen.consultation",
    "phaen.dashboards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Above WhiteNoise, so static files carry the policy too.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the TOTP step.
    "django_otp.middleware.OTPMiddleware",
    # Administrators and approvers enrol TOTP before anything else; TOTP users verify.
    "phaen.accounts.middleware.TwoFactorMiddleware",
    "phaen.core.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes requires: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "phaen" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": ["phaen.core.templatetags.thai", "phaen.core.templatetags.lookups"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env.database_url(f"sqlite:///{VAR_DIR / 'phaen.sqlite3'}"),
        conn_max_age=env.integer("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the browser tests' live server and the test thread read and write together.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;"
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Signing in --------------------------------------------------------------------------------------
# Argon2id first; the others only verify (and upgrade) hashes made before Argon2 was the default.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes' backend goes first: it refuses a locked-out account before any password is checked.
# Phaen's model backend is Django's, with whether the user has TOTP read in the same query.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "phaen.accounts.backends.PhaenModelBackend",
]

# Lockout (django-axes): ten failed sign-ins for one username lock that account for 15 minutes.
# Failed TOTP codes count too (phaen.core.views). The lockout is keyed on the username alone:
# keying it on the address as well would lock out a whole agency behind one NAT address after ten
# typing mistakes. Addresses are throttled instead by phaen.core.ratelimit (PHAEN_RATE_SIGNIN and
# PHAEN_RATE_SIGNIN_FAILURES below), which is why axes.W006 is silenced.
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
# A success does not wipe the failures: with django-axes it would also wipe other usernames'
# failures from the same address. Failures expire with the cool-off instead.
AXES_RESET_ON_SUCCESS = False
# Attempts during a lockout do not extend it, so "try again in 15 minutes" stays true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "phaen.core.views.signin_locked_out"
AXES_CLIENT_IP_CALLABLE = "phaen.core.ratelimit.client_ip"
AXES_HTTP_RESPONSE_CODE = 429
# Log only what the lockout is keyed on (the username), and no start-up banner on every command.
AXES_VERBOSE = False
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# TOTP second factor (django-otp). Required for system administrators, superusers, staff (the
# admin site) and approvers (phaen.accounts.middleware); anyone may turn it on at /account/.
OTP_TOTP_ISSUER = "Phaen"
# The admin lists devices (to remove a lost phone's) without showing their secret keys.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
PHAEN_TOTP_REQUIRED_FOR_PRIVILEGED = True
# How long the code step may follow the password step.
PHAEN_SIGNIN_CODE_TIMEOUT = 300

# Sessions and cookies. htmx sends the CSRF token from the page (base.html's hx-headers), and
# no script reads the cookie, so the cookie can be HttpOnly.
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

# Security headers ------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Pages have no inline script or style and htmx runs without eval (base.html's htmx-config), so
# everything comes from Phaen itself. data: images are the TOTP enrolment QR code.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# Rate limits (phaen.core.ratelimit) on Django's cache: sign-in POSTs per address, and failed
# sign-ins per address (against password spraying across many usernames).
PHAEN_RATE_SIGNIN = "60/m"
PHAEN_RATE_SIGNIN_FAILURES = "100/h"
# Public participation, each settable from the environment: comments per commenter on one
# hearing and on all hearings, and survey answers per client address. (Event registrations use
# phaen.consultation.event_services.REGISTRATION_RATES.)
PHAEN_RATE_COMMENT_HEARING = env.string("PHAEN_RATE_COMMENT_HEARING", "10/m")
PHAEN_RATE_COMMENT_CLIENT = env.string("PHAEN_RATE_COMMENT_CLIENT", "50/h")
PHAEN_RATE_SURVEY_CLIENT = env.string("PHAEN_RATE_SURVEY_CLIENT", "20/h")
# Suggesting topic groups for more comments than this runs as a background task
# (phaen.consultation.tasks.run_grouping); fewer are grouped within the request.
PHAEN_GROUPING_BACKGROUND_COMMENTS = env.integer("PHAEN_GROUPING_BACKGROUND_COMMENTS", 1000)
# How many reverse proxies append to X-Forwarded-For in front of Phaen; 0 trusts REMOTE_ADDR.
PHAEN_PROXY_COUNT = env.integer("PHAEN_PROXY_COUNT", 0)

# Thai first, English second (docs/adr/0003-thai-first-interface.md).
LANGUAGE_CODE = "th"
LANGUAGES = [("th", _("Thai")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "phaen" / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Bangkok"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    BASE_DIR / "phaen" / "static",
    # Front-end packages come from npm (package-lock.json); only their built files are served.
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
    ("vendor/leaflet", BASE_DIR / "node_modules" / "leaflet" / "dist"),
    # Sarabun (SIL Open Font License), the Thai official-document typeface, for the PDF reports.
    ("vendor/sarabun", BASE_DIR / "node_modules" / "@fontsource" / "sarabun" / "files"),
]
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
# Uploaded documents live outside STATIC_ROOT and MEDIA_ROOT and have no URL: they are served only
# by views that check permission (phaen.core.uploads.protected_file_response).
PHAEN_UPLOAD_ROOT = VAR_DIR / "uploads"
PHAEN_UPLOAD_MAX_BYTES = 20 * 1024 * 1024
STORAGES["uploads"] = {"BACKEND": "phaen.core.uploads.UploadStorage"}
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750

# The cache holds rate-limit counters: one process's memory by default, Redis (shared by every
# worker) when REDIS_URL is set.
_REDIS_URL = env.string("REDIS_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _REDIS_URL}
        if _REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "plans:plan_list"
LOGOUT_REDIRECT_URL = "plans:plan_list"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.string("PHAEN_LOG_LEVEL", "INFO")},
    # WeasyPrint logs each step of every PDF at INFO; its warnings still show.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}

# Pages of lists: how many rows by default and at most.
PHAEN_PAGE_SIZE = 25
PHAEN_MAX_PAGE_SIZE = 200

# Background jobs (large imports) go through Django's tasks framework. The default backend keeps
# them in the database and `phaen worker` (started by `phaen serve`) runs them; with
# PHAEN_TASKS_BACKEND=immediate they run inside the request (ADR 0015).
_TASKS_BACKEND = env.string("PHAEN_TASKS_BACKEND", "database")
TASKS = {
    "default": (
        {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}
        if _TASKS_BACKEND == "immediate"
        else {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    )
}

# Plan-element implementation progress leaves out projects in these states (docs/architecture.md).
PHAEN_PROGRESS_EXCLUDED_STATUSES = env.strings(
    "PHAEN_PROGRESS_EXCLUDED_STATUSES", ["cancelled", "proposed"]
)
# Imports with more rows than this run as a background job; smaller ones run in the request.
PHAEN_IMPORT_BACKGROUND_ROWS = env.integer("PHAEN_IMPORT_BACKGROUND_ROWS", 500)
# Public indicator figures (dashboards) are cached this many seconds, under a key that changes
# whenever any target or actual does, so a cached figure is never stale; 0 turns caching off.
PHAEN_FIGURES_CACHE_SECONDS = env.integer("PHAEN_FIGURES_CACHE_SECONDS", 600)
