"""Capacity is exact under concurrency: 200 simultaneous bookings for a 50-place shift end with exactly 50 confirmed
and 150 waitlisted, on PostgreSQL and on a SQLite file database configured as in production.

The bookings are made by 40 threads, each with its own database connection, released together by a barrier (see
contention.WORKERS for why 40 and not 200 connections). A control
books the same way without the lock and must over-book: proof that the writers really overlap, so the exact result
cannot come from bookings that happened to run one after another.

- On PostgreSQL (DATABASE_URL) and on a SQLite *file* test database (GROUNDGAME_TEST_DB) the contention runs in
  process, against the test database.
- The default test database is in-memory SQLite, shared between threads through SQLite's shared cache, which has
  table locks of its own and is not how production runs: there the contention runs in a subprocess against a fresh
  SQLite file with the project's SQLite settings (WAL, transactions begun IMMEDIATE).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from . import contention

REPO = Path(__file__).resolve().parents[2]


def in_memory_sqlite() -> bool:
    name = str(connection.settings_dict["NAME"])
    return connection.vendor == "sqlite" and (name == ":memory:" or "mode=memory" in name)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_bookings_fill_exactly_the_places_and_waitlist_the_rest():
    if in_memory_sqlite():
        pytest.skip("in-memory SQLite: see test_simultaneous_bookings_on_a_sqlite_file_database")
    event_id, shift_id, people = contention.setup_shift()

    outcome = contention.contend(
        event_id, shift_id, people, workers=contention.WORKERS, booker=contention.book_with_service
    )

    assert outcome.errors == []
    assert (outcome.confirmed, outcome.waitlisted) == (50, 150)
    assert outcome.most_in_flight > 10, outcome


@pytest.mark.django_db(transaction=True)
def test_the_control_booking_without_the_lock_over_books():
    if in_memory_sqlite():
        pytest.skip("in-memory SQLite: see test_simultaneous_bookings_on_a_sqlite_file_database")
    event_id, shift_id, people = contention.setup_shift()

    outcome = contention.contend(
        event_id, shift_id, people, workers=contention.WORKERS, booker=contention.book_without_lock
    )

    assert outcome.errors == []
    assert outcome.confirmed > 50, outcome


def test_simultaneous_bookings_on_a_sqlite_file_database(tmp_path):
    """The production SQLite set-up, in a subprocess of its own: a file database, WAL, IMMEDIATE transactions."""
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite file check runs with the SQLite test run")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "GROUNDGAME_TEST_DB"}}
    env |= {"GROUNDGAME_HOME": str(tmp_path), "DJANGO_SETTINGS_MODULE": "groundgame.settings.test"}

    done = subprocess.run(
        [sys.executable, "-m", "tests.events.contention"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["vendor"] == "sqlite" and result["database"] == str(tmp_path / "test.sqlite3")
    assert result["options"]["transaction_mode"] == "IMMEDIATE"
    service, control = result["service"], result["without_lock"]
    assert service["errors"] == [] and (service["confirmed"], service["waitlisted"]) == (50, 150), service
    assert service["most_in_flight"] > 10, service
    assert control["errors"] == [] and control["confirmed"] > 50, control
