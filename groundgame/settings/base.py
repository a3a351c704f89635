"""Settings shared by every environment. The environment is read here, once.

Environment variables:
- DATABASE_URL: a database URL (postgres://...); unset means the embedded SQLite database.
- DATABASE_HEALTH_CHECKS: "true" to check a persistent database connection before each request uses it.
- GROUNDGAME_HOME: where the embedded database and local secrets live (default: the user data directory).
- GROUNDGAME_DATA_DIR: the reference data directory (election results, boundaries, postcodes...).
- GROUNDGAME_CACHE_DIR: where `groundgame data fetch` keeps downloads (default: the user cache directory).
- GROUNDGAME_DATA_SOURCE: base URL of a mirror of the reference data, for files with no publisher URL.
- GROUNDGAME_OUR_PARTY: the party the movement campaigns for, as a results-file code (default Lab).
- GROUNDGAME_TARGET_SWING_WINDOW: swing in percentage points that makes a seat a target (default 5).
- GROUNDGAME_SITE_URL: the public address, for links in emails (unsubscribe).
- GROUNDGAME_SMS_BACKEND: dotted path of the SMS provider backend (default: print to the console).
- GROUNDGAME_SUPPRESSION_KEY: key for the hashes of suppressed contacts (required in production).
- DEFAULT_FROM_EMAIL, EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS: outbound email.
- GROUNDGAME_POSTCODES_IN_MEMORY: hold the postcode table in each process when it has at most this many
  rows (default 3,000,000, the whole UK: about 80 MB per process); 0 reads postcodes from the database.
- GROUNDGAME_PUBLIC_API_RATE: requests per minute per client on public API endpoints (default 120).
"""

import os
from pathlib import Path

import dj_database_url
import platformdirs
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent
GROUNDGAME_HOME = Path(os.environ.get("GROUNDGAME_HOME") or platformdirs.user_data_dir("groundgame"))
GROUNDGAME_DATA_DIR = os.environ.get("GROUNDGAME_DATA_DIR") or None
GROUNDGAME_CACHE_DIR = Path(
    os.environ.get("GROUNDGAME_CACHE_DIR") or Path(platformdirs.user_cache_dir("groundgame")) / "data"
)
GROUNDGAME_DATA_SOURCE = os.environ.get("GROUNDGAME_DATA_SOURCE") or None
GROUNDGAME_OUR_PARTY = os.environ.get("GROUNDGAME_OUR_PARTY", "Lab")
GROUNDGAME_TARGET_SWING_WINDOW = float(os.environ.get("GROUNDGAME_TARGET_SWING_WINDOW", "5"))
GROUNDGAME_PUBLIC_API_RATE = int(os.environ.get("GROUNDGAME_PUBLIC_API_RATE", "120"))
GROUNDGAME_POSTCODES_IN_MEMORY = int(os.environ.get("GROUNDGAME_POSTCODES_IN_MEMORY", "3000000"))

SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "groundgame.core",
    "groundgame.places",
    "groundgame.people",
]

AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# Accounts (django-allauth): sign in by email, verified before use; failed logins are throttled.
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_RATE_LIMITS = {"login_failed": "5/5m/ip,5/5m/key"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Groundgame"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_USER_MODEL = "core.User"
GROUNDGAME_PERSON_MODEL = "people.Person"
GROUNDGAME_SITE_URL = os.environ.get("GROUNDGAME_SITE_URL", "http://127.0.0.1:8000")
GROUNDGAME_SMS_BACKEND = os.environ.get("GROUNDGAME_SMS_BACKEND", "groundgame.core.messaging.ConsoleSmsBackend")
GROUNDGAME_SUPPRESSION_KEY = os.environ.get("GROUNDGAME_SUPPRESSION_KEY", "")  # empty: derived from SECRET_KEY
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Groundgame <noreply@localhost>")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "groundgame.urls"
WSGI_APPLICATION = "groundgame.wsgi.application"

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
                "groundgame.core.context_processors.site",
            ],
        },
    },
]


def database_from_environment(default_sqlite: Path) -> dict:
    """DATABASE_URL selects PostgreSQL (or any backend); otherwise the embedded SQLite file."""
    url = os.environ.get("DATABASE_URL")
    if url:
        # Persistent connections; health checks (a `SELECT 1` before each request's first query) are off by
        # default as in Django, since they cost a round trip per request: DATABASE_HEALTH_CHECKS=true turns them on.
        health_checks = os.environ.get("DATABASE_HEALTH_CHECKS", "false").lower() in {"1", "true", "yes", "on"}
        return dj_database_url.parse(url, conn_max_age=60, conn_health_checks=health_checks)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": default_sqlite,
        # Keep connections: reopening one per request re-runs the PRAGMAs and checkpoints the WAL each time.
        "CONN_MAX_AGE": 600,
        "CONN_HEALTH_CHECKS": True,
        # WAL + immediate transactions: concurrent readers and no "database is locked" on upgrade.
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }


DATABASES = {"default": database_from_environment(GROUNDGAME_HOME / "groundgame.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", _("English")), ("cy", _("Welsh"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or GROUNDGAME_HOME / "static")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "groundgame"}}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "false").lower() in {"1", "true", "yes", "on"}
