"""Production settings: refuses to start without SECRET_KEY or with DEBUG on."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import CACHES, SECRET_KEY

if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in the environment for production.")
if os.environ.get("DEBUG", "").lower() in {"1", "true", "yes", "on"}:
    raise ImproperlyConfigured("DEBUG must not be on in production.")

if not os.environ.get("GROUNDGAME_SUPPRESSION_KEY"):
    raise ImproperlyConfigured(
        "GROUNDGAME_SUPPRESSION_KEY must be set for production: the suppression list's hashes must survive a "
        "SECRET_KEY rotation."
    )

DEBUG = False
SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "true").lower() != "false"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"  # links in account emails (verification, password reset)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Sign-in lockout and two-factor replay protection must count across processes: a database table (created by
# `groundgame serve`); public API rate limits stay per process (CACHES["ratelimit"]). See docs/accounts.md.
CACHES = {
    **CACHES,
    "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "groundgame_cache"},
}
