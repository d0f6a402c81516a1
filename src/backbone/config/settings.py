"""Django settings, read from environment variables with safe defaults.

Every variable is documented in ``docs/settings.md``; a test keeps that page and this module in
step. With nothing set, backbone uses SQLite inside the workspace directory.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import dj_database_url

from backbone.warehouse.workspace import ensure_workspace, secret_key, workspace_dir

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_numbers(name: str, default: str) -> dict[str, int]:
    """``"edfi=4096,default=32767"`` → ``{"edfi": 4096, "default": 32767}``; the variable's
    pairs are added to (and override) the default's."""
    pairs = [*default.split(","), *os.environ.get(name, "").split(",")]
    return {key.strip(): int(value) for key, _, value in (p.partition("=") for p in pairs) if value}


def proxy_ssl_header(name: str) -> tuple[str, str] | None:
    """``X-Forwarded-Proto`` → ``("HTTP_X_FORWARDED_PROTO", "https")``; empty → ``None``."""
    if not name.strip():
        return None
    return "HTTP_" + name.strip().upper().replace("-", "_"), "https"


WORKSPACE = ensure_workspace(workspace_dir())

SECRET_KEY = os.environ.get("BACKBONE_SECRET_KEY") or secret_key(WORKSPACE)
DEBUG = env_flag("BACKBONE_DEBUG")
ALLOWED_HOSTS = env_list("BACKBONE_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("BACKBONE_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",  # security block below
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",  # web uploads are loaded by a worker (docs/intake.md)
    "django_tasks_db",
    "backbone.partnership",
    "backbone.intake",
    "backbone.identity",
    "backbone.indicators",
    "backbone.governance",
    "backbone.programs",
    "backbone.workforce",
    "backbone.evidence",
    "backbone.improvement",
    "backbone.scorecard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "backbone.governance.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "backbone.governance.actor.ActorMiddleware",  # who changes are audited as
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into its page
]

ROOT_URLCONF = "backbone.config.urls"
WSGI_APPLICATION = "backbone.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "backbone.partnership.context_processors.partnership",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{WORKSPACE / 'backbone.sqlite3'}",
        conn_max_age=int(os.environ.get("BACKBONE_DB_CONN_MAX_AGE", "0")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2id at OWASP's minimum (19 MiB, 2 passes, 1 lane), at most this many hashes at once so
# a crowd signing in queues instead of taking every core (docs/governance.md#passwords); 0 means
# half the cores. Hashes made with Django's heavier defaults verify and are re-hashed.
BACKBONE_PASSWORD_HASH_CONCURRENCY = int(os.environ.get("BACKBONE_PASSWORD_HASH_CONCURRENCY", "0"))
PASSWORD_HASHERS = [
    "backbone.governance.hashers.BoundedArgon2Hasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Refuse a submission no active data-sharing agreement covers (docs/agreements.md). Turn off
# only for a bare test instance that holds no real data.
BACKBONE_REQUIRE_AGREEMENTS = env_flag("BACKBONE_REQUIRE_AGREEMENTS", default=True)
# How much of a submitted file intake reads before refusing it (docs/intake.md#limits).
# The longest value one field, cell or XML element may hold, per contract ("default" for the rest).
BACKBONE_INTAKE_MAX_FIELD_CHARS = env_numbers(
    "BACKBONE_INTAKE_MAX_FIELD_CHARS", "default=32767,edfi=4096,hmis=32767,ui_wages=1024"
)
BACKBONE_INTAKE_MAX_FILE_MB = int(os.environ.get("BACKBONE_INTAKE_MAX_FILE_MB", "4096"))
BACKBONE_INTAKE_MAX_ZIP_RATIO = int(os.environ.get("BACKBONE_INTAKE_MAX_ZIP_RATIO", "200"))
BACKBONE_INTAKE_MAX_XML_DEPTH = int(os.environ.get("BACKBONE_INTAKE_MAX_XML_DEPTH", "32"))
BACKBONE_INTAKE_MAX_SHARED_STRINGS_MB = int(
    os.environ.get("BACKBONE_INTAKE_MAX_SHARED_STRINGS_MB", "100")
)
# Web uploads are queued in the app database and loaded by `backbone worker` (which `backbone
# serve` starts), each in a child process with these limits (docs/intake.md).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
BACKBONE_JOB_SECONDS = float(os.environ.get("BACKBONE_JOB_SECONDS", "3600"))
BACKBONE_JOB_MEMORY_MB = int(os.environ.get("BACKBONE_JOB_MEMORY_MB", "2048"))
# Public numbers from fewer people than this are suppressed (docs/scorecard.md).
DISCLOSURE_MIN_N = int(os.environ.get("BACKBONE_DISCLOSURE_MIN_N", "10"))
# A CSV of year,cpi (CPI-U annual averages) replacing the shipped table (docs/evidence.md).
EVIDENCE_CPI_FILE = os.environ.get("BACKBONE_CPI_FILE", "")
# Public scorecard pages are rendered once per release and kept this long (docs/scorecard.md):
# a new release shows at once; an edited story or outcome name within this many seconds.
BACKBONE_SCORECARD_CACHE_SECONDS = int(os.environ.get("BACKBONE_SCORECARD_CACHE_SECONDS", "600"))
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 2000},  # every page of a release, with room to spare
    }
}
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "partnership:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("BACKBONE_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# Only needed when a web server in front serves collected files; WhiteNoise serves them otherwise.
STATIC_ROOT = os.environ.get("BACKBONE_STATIC_ROOT") or None
MEDIA_ROOT = WORKSPACE / "documents"
MEDIA_URL = "documents/"
# Django gives uploads 0644 whatever the umask; signed agreements and archives are private.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve static files straight from the installed package: no collectstatic step, no CDN.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Security (docs/governance.md) ----------------------------------------------------------
# Cookies: HttpOnly, SameSite=Lax, and HTTPS-only unless DEBUG is on or BACKBONE_SECURE_COOKIES=0
# says the server is plain HTTP. (Browsers accept secure cookies from http://127.0.0.1 and
# http://localhost, so `backbone serve` on this machine still signs in.)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # scripts read the token from the form, never the cookie
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_flag("BACKBONE_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Signed-in sessions end after this many hours (Django's default, 14 days, is long for a
# browser left open on a shared office computer next to children's records).
SESSION_COOKIE_AGE = int(float(os.environ.get("BACKBONE_SESSION_HOURS", "12")) * 3600)
# Behind an HTTPS proxy: HSTS tells browsers to use HTTPS only; the proxy header lets Django
# know a request came over HTTPS. Both are off by default: a wrong HSTS on a plain-HTTP server
# locks browsers out for SECURE_HSTS_SECONDS, and a trusted header the proxy does not strip
# lets any client claim HTTPS.
SECURE_HSTS_SECONDS = int(os.environ.get("BACKBONE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("BACKBONE_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_flag("BACKBONE_HSTS_PRELOAD")
SECURE_PROXY_SSL_HEADER = proxy_ssl_header(os.environ.get("BACKBONE_PROXY_SSL_HEADER", ""))
SECURE_SSL_REDIRECT = env_flag("BACKBONE_SSL_REDIRECT")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Only this origin may frame a page (CSP frame-ancestors 'self' says the same to new browsers);
# views wrapped in backbone.governance.security.allow_embedding may be framed by anyone.
X_FRAME_OPTIONS = "SAMEORIGIN"
# Sign-in throttling (django-axes): 5 failures for one username from one address pause signing
# in for that pair for 15 minutes; a success resets the count. Locking by address alone would
# lock out a whole partner office behind one NAT address.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "governance/locked_out.html"
AXES_VERBOSE = False
# The audit chain's HMAC key; falls back to SECRET_KEY (then rotating SECRET_KEY breaks
# verification of older events: set this in production and keep it).
BACKBONE_AUDIT_KEY = os.environ.get("BACKBONE_AUDIT_KEY", "")
# Failed sign-ins are counted per address in windows this long, each closed into one audit
# event with its count: a visitor cannot grow the log by guessing passwords.
BACKBONE_AUDIT_SIGN_IN_WINDOW_MINUTES = int(
    os.environ.get("BACKBONE_AUDIT_SIGN_IN_WINDOW_MINUTES", "15")
)
# A TOTP second factor (django-otp) for data stewards before person-level pages.
BACKBONE_REQUIRE_OTP_FOR_STEWARDS = env_flag("BACKBONE_REQUIRE_OTP_FOR_STEWARDS")
OTP_TOTP_ISSUER = "backbone"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("BACKBONE_LOG_LEVEL", "WARNING")},
}
