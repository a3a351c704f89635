"""One member one vote holds under a race: 100 simultaneous submissions by one member put exactly one ballot in the
box and refuse the other 99, on PostgreSQL and on a SQLite file database configured as in production.

The submissions come from 40 threads, each with its own database connection, released together by a barrier. A
control submits the same way without the transaction and conditional update and must let several ballots in: proof
that the submissions really overlap (see vote_contention.py).

- PostgreSQL (DATABASE_URL) or a SQLite *file* test database (GROUNDGAME_TEST_DB): in process, on the test database.
- The default in-memory SQLite test database is not how production runs: the contention then runs in a subprocess
  against a fresh SQLite file with the project's settings (WAL, transactions begun IMMEDIATE).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from . import vote_contention

REPO = Path(__file__).resolve().parents[2]


def in_memory_sqlite() -> bool:
    name = str(connection.settings_dict["NAME"])
    return connection.vendor == "sqlite" and (name == ":memory:" or "mode=memory" in name)


def assert_counted_once(outcome: dict) -> None:
    assert outcome["errors"] == [], outcome
    assert (outcome["accepted"], outcome["refused"], outcome["box"], outcome["voted"]) == (1, 99, 1, True), outcome
    assert outcome["most_in_flight"] > 10, outcome


@pytest.mark.django_db(transaction=True)
def test_100_simultaneous_votes_by_one_member_count_once():
    if in_memory_sqlite():
        pytest.skip("in-memory SQLite: see test_100_simultaneous_votes_on_a_sqlite_file_database")
    ballot_id, person_id = vote_contention.setup_ballot()

    outcome = vote_contention.contend(
        ballot_id, person_id, workers=vote_contention.WORKERS, voter=vote_contention.vote_with_service
    )

    assert_counted_once(vars(outcome))


@pytest.mark.django_db(transaction=True)
def test_the_control_without_the_guard_lets_several_votes_in():
    if in_memory_sqlite():
        pytest.skip("in-memory SQLite: see test_100_simultaneous_votes_on_a_sqlite_file_database")
    ballot_id, person_id = vote_contention.setup_ballot()

    outcome = vote_contention.contend(
        ballot_id, person_id, workers=vote_contention.WORKERS, voter=vote_contention.vote_without_guard
    )

    assert outcome.errors == []
    assert outcome.box > 1 and outcome.accepted == outcome.box, outcome


def test_100_simultaneous_votes_on_a_sqlite_file_database(tmp_path):
    """The production SQLite set-up, in a subprocess of its own: a file database, WAL, IMMEDIATE transactions."""
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite file check runs with the SQLite test run")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "GROUNDGAME_TEST_DB"}}
    env |= {"GROUNDGAME_HOME": str(tmp_path), "DJANGO_SETTINGS_MODULE": "groundgame.settings.test"}

    done = subprocess.run(
        [sys.executable, "-m", "tests.democracy.vote_contention"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )

    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["vendor"] == "sqlite" and result["database"] == str(tmp_path / "test.sqlite3")
    assert result["options"]["transaction_mode"] == "IMMEDIATE"
    assert_counted_once(result["service"])
    control = result["without_guard"]
    assert control["errors"] == [] and control["box"] > 1, control
