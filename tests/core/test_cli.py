"""The `groundgame` console command, run for real in a subprocess as a user would run it.

Each run gets its own GROUNDGAME_HOME (embedded SQLite database, demo logins) under tmp_path and a clean
environment: no DATABASE_URL (never touch a shared database), no DJANGO_SETTINGS_MODULE (the command picks
its own), no SECRET_KEY. No test uses the network; no server is left running.
"""

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

CLEARED = (
    "DJANGO_SETTINGS_MODULE",
    "DATABASE_URL",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "SECURE_SSL_REDIRECT",
    "GROUNDGAME_SUPPRESSION_KEY",
    "GROUNDGAME_DATA_DIR",
    "GROUNDGAME_CACHE_DIR",
    "GROUNDGAME_DATA_SOURCE",
)


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env.update(GROUNDGAME_HOME=str(home), GROUNDGAME_CACHE_DIR=str(home / "cache"), PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def groundgame(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    """Run `groundgame <args>` (the console script's entry point) and wait for it."""
    return subprocess.run(
        [sys.executable, "-m", "groundgame", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        start_new_session=True,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def admin_password(output: str) -> str:
    match = re.search(r"admin@example.org / (\S+)", output)
    assert match, f"no admin login line in:\n{output}"
    return match.group(1)


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("demo-home")


@pytest.fixture(scope="module")
def first_demo(demo_home, data_dir) -> subprocess.CompletedProcess:
    """`groundgame demo --no-serve` on a fresh home: migrate, import the real data, seed (about 6 s)."""
    return groundgame("demo", "--no-serve", env=clean_env(demo_home, GROUNDGAME_DATA_DIR=str(data_dir)))


@pytest.mark.realdata
def test_demo_prepares_everything_and_prints_the_url_and_logins(first_demo, demo_home):
    assert first_demo.returncode == 0, first_demo.stderr
    out = first_demo.stdout
    assert "Open http://127.0.0.1:8000/" in out
    assert re.search(r"Administrator \(/admin/\): admin@example.org / \S+", out)
    assert re.search(r"(\d+) files checked, \1 changed the database", out)
    assert (demo_home / "groundgame.sqlite3").exists()
    assert (demo_home / "demo-logins.txt").read_text().strip() == admin_password(out)
    assert "Press Ctrl+C" not in out  # --no-serve: no server was started


@pytest.mark.realdata
def test_second_demo_run_changes_nothing_and_keeps_the_admin_password(first_demo, demo_home, data_dir):
    again = groundgame("demo", "--no-serve", env=clean_env(demo_home, GROUNDGAME_DATA_DIR=str(data_dir)))

    assert again.returncode == 0, again.stderr
    assert re.search(r"\d+ files checked, 0 changed the database", again.stdout)
    assert admin_password(again.stdout) == admin_password(first_demo.stdout)


@pytest.mark.realdata
def test_demo_port_option_is_printed_in_the_url(first_demo, demo_home, data_dir):
    run = groundgame(
        "demo", "--no-serve", "--port", "8765", env=clean_env(demo_home, GROUNDGAME_DATA_DIR=str(data_dir))
    )

    assert run.returncode == 0, run.stderr
    assert "Open http://127.0.0.1:8765/" in run.stdout
    assert "8000" not in run.stdout


def test_demo_without_data_and_without_network_says_how_to_provide_it(tmp_path):
    (tmp_path / "cache").mkdir()
    env = clean_env(tmp_path, GROUNDGAME_DATA_SOURCE=f"http://127.0.0.1:{free_port()}")

    run = groundgame("demo", "--no-serve", env=env, timeout=60)

    assert run.returncode != 0
    assert "GROUNDGAME_DATA_DIR" in run.stdout
    assert "groundgame data fetch" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]


def test_help_lists_the_commands(tmp_path):
    run = groundgame("help", env=clean_env(tmp_path))

    assert run.returncode == 0
    for command in ("groundgame demo", "groundgame serve", "groundgame data fetch", "groundgame data import"):
        assert command in run.stdout


def test_django_management_commands_pass_through(tmp_path):
    run = groundgame("check", env=clean_env(tmp_path))

    assert run.returncode == 0, run.stderr
    assert "System check identified no issues" in run.stdout


def test_serve_without_secret_key_fails_fast_before_starting_a_server(tmp_path):
    run = groundgame("serve", "--port", str(free_port()), env=clean_env(tmp_path), timeout=30)

    assert run.returncode != 0
    assert "SECRET_KEY" in run.stderr
    assert "Traceback" not in run.stderr


def test_serve_with_debug_on_fails_fast_before_starting_a_server(tmp_path):
    env = clean_env(tmp_path, SECRET_KEY=secrets.token_urlsafe(50), DEBUG="true")

    run = groundgame("serve", "--port", str(free_port()), env=env, timeout=30)

    assert run.returncode != 0
    assert "DEBUG must not be on in production" in run.stderr


def test_serve_runs_the_production_server_with_debug_off(tmp_path):
    port = free_port()
    env = clean_env(
        tmp_path,
        SECRET_KEY=secrets.token_urlsafe(50),
        GROUNDGAME_SUPPRESSION_KEY=secrets.token_urlsafe(32),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "groundgame", "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        body = None
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/ping", timeout=2) as response:
                    body = json.load(response)
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        assert body == {"ok": True}, f"server did not answer; exit code {server.poll()}"
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/no-such-page/", timeout=2)
        assert missing.value.code == 404
        assert b"URLconf" not in missing.value.read()  # DEBUG is off: no technical 404 page
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=5)
        server.stderr.close()
