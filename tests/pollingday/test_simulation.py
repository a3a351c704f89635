"""A simulated polling day against a running server ends with no lost entry and a dashboard that matches an
independent recount (groundgame/pollingday/simulation.py). Scaled down here; at full scale on PostgreSQL in
bench/polling_day.py."""

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def simulated_day(tmp_path, *args: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "GROUNDGAME_TEST_DB"}}
    env |= {"GROUNDGAME_HOME": str(tmp_path), "DJANGO_SETTINGS_MODULE": "groundgame.settings.test"}
    done = subprocess.run(
        [sys.executable, "-m", "tests.pollingday.simulated_day", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_simulated_polling_day_loses_nothing_and_the_dashboard_matches_the_recount(tmp_path):
    summary = simulated_day(tmp_path, "1200", "600")
    assert summary["problems"] == [], summary
    assert summary["errors"] == [], summary
    # The day had everything in it: misread numbers flagged, undos, lost answers, duplicated batches, knock-up.
    assert summary["told"] >= 600
    assert summary["unknown"] > 0 and summary["undone"] > summary["unknown"] - 1
    assert summary["resent_batches"] > 0 and summary["duplicated_batches"] > 0
    assert summary["marks"] > 0
    assert 0 < summary["dashboard_total"]["voted"] < summary["dashboard_total"]["promises"]
    assert summary["dashboard_total"] == {**summary["dashboard_total"], **summary["recount_total"]}


def test_the_rehearsal_command_plays_the_day_and_leaves_no_synthetic_volunteer(tmp_path):
    summary = simulated_day(tmp_path, "400", "150", "--command")
    assert "The dashboard matches the recount; nothing was lost." in summary["output"]
    assert "150 numbers taken" in summary["output"]
    assert summary["people"] == 1 + 24  # the world's organiser and volunteers: the synthetic volunteer is gone
