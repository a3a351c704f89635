"""Small helpers for the counting tests: write ballots as BLT text, read the shared Scottish ward data."""

from __future__ import annotations

import csv
import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from tests.conftest import shared_data_dir

SCOTLAND = "ballots/scotland-2017"


def blt(candidates: list[str], seats: int, ballots: list[tuple[int, str]], title: str = "Test") -> str:
    """BLT text from ballots written as (weight, "A B C") with candidates named by their position letters."""
    index = {name: i + 1 for i, name in enumerate(candidates)}
    lines = [f"{len(candidates)} {seats}"]
    for weight, ranking in ballots:
        prefs = " ".join(str(index[c]) for c in ranking.split())
        lines.append(f"{weight} {prefs} 0".replace("  ", " "))
    lines.append("0")
    lines += [f'"{name}"' for name in candidates]
    lines.append(f'"{title}"')
    return "\n".join(lines) + "\n"


def ward_params() -> list:
    """One pytest param per ward in the shared manifest, or one skipped param when the data is not there."""
    root = shared_data_dir()
    if root is None or not (root / SCOTLAND / "manifest.csv").is_file():
        reason = "GROUNDGAME_DATA_DIR is not set: the Scottish ward tests need the shared data (CI sets ../shared/data)"
        return [pytest.param(None, id="no-data", marks=pytest.mark.skip(reason=reason))]
    with open(root / SCOTLAND / "manifest.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [pytest.param(row, id=Path(row["ballots"]).stem) for row in rows]


def official_sheet(data_dir: Path, row: dict) -> dict:
    with open(data_dir / SCOTLAND / row["official_result"], encoding="utf-8") as handle:
        return json.load(handle)["Constituency"]


def at_published_precision(value: Decimal, published: str) -> Decimal:
    """`value` rounded (half up) to as many decimal places as the published figure shows."""
    places = len(published.split(".")[1]) if "." in published else 0
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
