"""Settings: production refuses unsafe configurations; DATABASE_URL selects the database.

Settings read the environment once, at import, so the production checks run in a subprocess with a
controlled environment.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from groundgame.settings.base import database_from_environment

REPO = Path(__file__).resolve().parents[2]
CLEARED = (
    "DJANGO_SETTINGS_MODULE",
    "DATABASE_URL",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "SECURE_SSL_REDIRECT",
    "GROUNDGAME_SUPPRESSION_KEY",
)


def run_python(code: str, home: Path, **env_vars: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env.update(GROUNDGAME_HOME=str(home), **env_vars)
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True, timeout=60)


IMPORT_PRODUCTION = (
    "import groundgame.settings.production as s; print('DEBUG', s.DEBUG); print('HOSTS', ','.join(s.ALLOWED_HOSTS))"
)


def test_production_settings_refuse_to_load_without_secret_key(tmp_path):
    run = run_python(IMPORT_PRODUCTION, tmp_path)

    assert run.returncode != 0
    assert "ImproperlyConfigured" in run.stderr
    assert "SECRET_KEY must be set" in run.stderr


@pytest.mark.parametrize("debug", ["true", "1", "on", "True"])
def test_production_settings_refuse_to_load_with_debug_on(tmp_path, debug):
    run = run_python(IMPORT_PRODUCTION, tmp_path, SECRET_KEY=secrets.token_urlsafe(50), DEBUG=debug)

    assert run.returncode != 0
    assert "DEBUG must not be on in production" in run.stderr


def test_production_settings_load_with_a_secret_and_keep_debug_off(tmp_path):
    run = run_python(
        IMPORT_PRODUCTION,
        tmp_path,
        SECRET_KEY=secrets.token_urlsafe(50),
        DEBUG="false",
        GROUNDGAME_SUPPRESSION_KEY="k" * 32,
    )

    assert run.returncode == 0, run.stderr
    assert "DEBUG False" in run.stdout
    assert "*" not in run.stdout.split("HOSTS", 1)[1]


def test_production_shares_sign_in_throttles_between_processes_and_keeps_api_counts_local(tmp_path):
    code = "import groundgame.settings.production as s; print(*(c['BACKEND'] for c in s.CACHES.values()))"
    run = run_python(code, tmp_path, SECRET_KEY=secrets.token_urlsafe(50), GROUNDGAME_SUPPRESSION_KEY="k" * 32)

    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == [
        "django.core.cache.backends.db.DatabaseCache",
        "django.core.cache.backends.locmem.LocMemCache",
    ]


def test_manage_py_check_deploy_with_production_settings_reports_no_issues(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env.update(
        GROUNDGAME_HOME=str(tmp_path),
        DJANGO_SETTINGS_MODULE="groundgame.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        GROUNDGAME_SUPPRESSION_KEY=secrets.token_urlsafe(32),
        ALLOWED_HOSTS="groundgame.example.org",
    )
    run = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert run.returncode == 0, run.stdout + run.stderr
    assert "System check identified no issues (0 silenced)." in run.stdout


def test_database_url_selects_postgresql(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://canvasser:s3cret@db.example.org:5433/groundgame")

    database = database_from_environment(tmp_path / "unused.sqlite3")

    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["NAME"], database["USER"], database["PASSWORD"]) == ("groundgame", "canvasser", "s3cret")
    assert (database["HOST"], database["PORT"]) == ("db.example.org", 5433)
    assert database["CONN_MAX_AGE"] > 0


def test_without_database_url_the_embedded_sqlite_file_is_used(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)

    database = database_from_environment(tmp_path / "groundgame.sqlite3")

    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == tmp_path / "groundgame.sqlite3"
