"""Test settings: a throwaway secret, fast hashing; DATABASE_URL still selects PostgreSQL."""

import os

from .base import *  # noqa: F403
from .base import GROUNDGAME_HOME, database_from_environment

SECRET_KEY = "test-only-secret-not-used-anywhere-else"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DATABASES = {"default": database_from_environment(GROUNDGAME_HOME / "test.sqlite3")}
# In-memory SQLite by default (Django shares it with live-server threads); GROUNDGAME_TEST_DB names a file.
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("GROUNDGAME_TEST_DB") or None}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
# Rate limiting is exercised by its own tests (override_settings); other tests should not trip it.
GROUNDGAME_PUBLIC_API_RATE = 100_000
GROUNDGAME_SMS_BACKEND = "groundgame.core.messaging.LocmemSmsBackend"
# Tasks run when queued, in the test's transaction; tests of the worker path override TASKS.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
