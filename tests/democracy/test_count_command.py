"""`groundgame count`: the published JSON transcript, the readable table, exit status 2 on bad input, and no Django.

Run as a user would run it, in a subprocess, with no Django settings in the environment.
"""

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import groundgame.democracy.counting as counting
from tests.democracy.helpers import blt

WARD = blt(list("ABCDE"), 3, [(20, "A B C"), (6, "B C"), (4, "C"), (3, "D"), (2, "E C")], title="Test ward")
KEYS = ["method", "seats", "valid", "quota", "elected", "stages"]
STAGE_KEYS = ["number", "action", "candidate", "quota", "totals", "elected_this_stage", "non_transferable"]


def groundgame(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "SECRET_KEY"}}
    return subprocess.run(
        [sys.executable, "-m", "groundgame", "count", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


@pytest.fixture
def ward_file(tmp_path: Path) -> Path:
    path = tmp_path / "ward.blt"
    path.write_text(WARD)
    return path


def test_json_transcript_has_exactly_the_published_shape(ward_file):
    run = groundgame(str(ward_file), "--method", "scottish-stv", "--json")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert list(data) == KEYS
    assert (data["method"], data["seats"], data["valid"], data["quota"]) == ("scottish-stv", 3, 35, 9)
    assert data["elected"] == ["A", "B", "C"]
    assert [list(stage) for stage in data["stages"]] == [STAGE_KEYS] * 3
    first, _, third = data["stages"]
    assert (first["number"], first["action"], first["candidate"]) == (1, "first", None)
    assert list(first["totals"]) == list("ABCDE"), "every candidate, in ballot-file order"
    assert third["totals"]["C"] == 11.99988
    assert '"C": 11.99988' in run.stdout, "values are JSON numbers with their exact digits"
    assert third["non_transferable"] == 0.00012
    assert third["elected_this_stage"] == ["C"]


def test_readable_table_without_json(ward_file):
    run = groundgame(str(ward_file), "--method", "scottish-stv")
    assert run.returncode == 0, run.stderr
    assert "Test ward" in run.stdout
    assert "Stage 3: surplus of B" in run.stdout
    assert "11.99988 *" in run.stdout
    assert "Elected (in order): A, B, C" in run.stdout


def test_seats_option_overrides_the_ballot_file_and_stdin_is_read_with_a_dash():
    run = groundgame("-", "--method", "meek", "--seats", "1", "--json", stdin=WARD)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["seats"] == 1


def test_malformed_file_exits_2_naming_the_file_and_line(tmp_path):
    bad = tmp_path / "bad.blt"
    bad.write_text("3 1\n2 1 2 0\n1 1 4 0\n0\nA\nB\nC\nT\n")
    run = groundgame(str(bad), "--method", "scottish-stv", "--json")
    assert run.returncode == 2
    assert run.stdout == ""
    assert f"{bad}:3: preference for candidate 4, who does not exist" in run.stderr


def test_uncountable_request_and_missing_file_exit_2(ward_file, tmp_path):
    run = groundgame(str(ward_file), "--method", "irv", "--seats", "2")
    assert run.returncode == 2
    assert "instant-runoff elects one candidate" in run.stderr
    run = groundgame(str(tmp_path / "nowhere.blt"), "--method", "irv")
    assert run.returncode == 2
    assert "nowhere.blt" in run.stderr


def test_lots_are_logged_on_stderr_with_their_seed(tmp_path):
    tied = tmp_path / "tied.blt"
    tied.write_text(blt(list("ABCD"), 1, [(4, "A"), (2, "B"), (2, "C"), (3, "D")]))
    run = groundgame(str(tied), "--method", "scottish-stv", "--json", "--seed", "42")
    assert run.returncode == 0
    assert "by lot (seed 42)" in run.stderr
    json.loads(run.stdout)


def test_count_command_runs_without_django():
    code = (
        "import sys; from groundgame.cli import main; "
        "rc = main(['count', '-', '--method', 'approval', '--json']); "
        "assert 'django' not in sys.modules, 'django was imported'; sys.exit(rc)"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    run = subprocess.run([sys.executable, "-c", code], input=WARD, capture_output=True, text=True, env=env, timeout=60)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["method"] == "approval"


def test_counting_library_imports_no_django_anywhere():
    package = Path(counting.__file__).parent
    for path in package.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(name.split(".")[0] == "django" for name in names), f"{path.name} imports django"
