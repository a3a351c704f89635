"""Development and demo settings: DEBUG on, a secret generated once per machine (never committed)."""

import secrets

from .base import *  # noqa: F403
from .base import GROUNDGAME_HOME, SECRET_KEY

DEBUG = True


def _local_secret() -> str:
    """A random key kept beside the embedded database, so sessions survive restarts."""
    path = GROUNDGAME_HOME / "dev-secret-key"
    if not path.exists():
        GROUNDGAME_HOME.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = SECRET_KEY or _local_secret()
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
