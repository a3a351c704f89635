"""Benchmark of the electoral register import: a 75,000-elector synthetic register for a real seat, dry run,
commit, then a newer copy re-imported over it.

    GROUNDGAME_DATA_DIR=../shared/data .venv/bin/python bench/register_import.py            # SQLite
    GROUNDGAME_DATA_DIR=../shared/data DATABASE_URL=postgres://%2Fvar%2Frun%2Fpostgresql/groundgame \\
        .venv/bin/python bench/register_import.py --database postgres                        # PostgreSQL

It builds a fresh database (an SQLite file in a temporary GROUNDGAME_HOME, as in production, or a new PostgreSQL
database beside the one DATABASE_URL names, dropped afterwards) under the production settings, migrates it,
imports the reference data (constituencies, boundaries, postcode districts and the sample of full postcodes: the
register's households are located against them), creates a campaign in `--constituency` (default E14000662,
Derby North on the 2010 boundaries) and writes a synthetic register of `--electors` electors with
groundgame.canvassing.synthetic (standard export columns, seed `--seed`). It prints the time of:

(a) the dry run (read, validate, locate postcodes, compare with the empty register, report);
(b) the commit (the same again, then one transaction: the copy, polling districts, households, electors, audit);
(c) the dry run of a newer copy: the same file with 2% of electors removed, 2% added and 2% changed;
(d) the commit of that newer copy (updates in place, marks removals).

Target (issue 5): 75,000 electors in under 20 s on SQLite, with a progress bar (the command's; this script
counts the progress callbacks instead of drawing one).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import csv
import datetime
import os
import platform
import pstats
import random
import secrets
import sys
import tempfile
import time
from pathlib import Path

from scratch import PostgresScratch, cleanup  # bench/ is the script directory, so on sys.path

TARGET_SECONDS = 20.0
DEFAULT_POSTGRES_URL = "postgres://%2Fvar%2Frun%2Fpostgresql/postgres"


def fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


def heading(text: str) -> None:
    print(f"\n== {text}", flush=True)


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def configure_environment(database: str, home: Path) -> PostgresScratch | None:
    """Production settings, random keys, a fresh database."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "groundgame.settings.production",
            "GROUNDGAME_HOME": str(home),
            "STATIC_ROOT": str(home / "static"),
            "SECRET_KEY": secrets.token_urlsafe(50),
            "GROUNDGAME_SUPPRESSION_KEY": secrets.token_urlsafe(32),
            "ALLOWED_HOSTS": "127.0.0.1",
        }
    )
    os.environ.pop("DEBUG", None)
    if database == "postgres":
        scratch = PostgresScratch(os.environ.get("DATABASE_URL") or DEFAULT_POSTGRES_URL)
        os.environ["DATABASE_URL"] = scratch.create()
        return scratch
    os.environ.pop("DATABASE_URL", None)
    return None


def database_version() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version} (file {connection.settings_dict['NAME']})"


def newer_copy(source: Path, target: Path, seed: int) -> tuple[int, int, int]:
    """The register a few months on: 2% of electors gone, 2% new (suffix /1 after an existing number, at the same
    address), 2% changed (a surname or markers). Returns (removed, added, changed)."""
    rng = random.Random(seed + 1)
    with source.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = list(reader)
    addressed = [i for i, r in enumerate(rows) if any(r[10:16]) and r[2] == "0"]
    removed = set(rng.sample(addressed, len(addressed) // 50))
    changed = set(rng.sample([i for i in addressed if i not in removed], len(addressed) // 50))
    suffixed = {(r[0], r[1]) for r in rows if r[2] != "0"}
    added_after = [i for i in addressed if i not in removed and (rows[i][0], rows[i][1]) not in suffixed]
    added_after = set(rng.sample(added_after, len(addressed) // 50))
    out = []
    for i, row in enumerate(rows):
        if i in removed:
            continue
        row = list(row)
        if i in changed:
            if rng.random() < 0.5:
                row[6] = row[6] + "-Brown"
            else:
                row[3] = "A" if "A" not in row[3] else row[3].replace("A", "")
        out.append(row)
        if i in added_after:
            out.append([row[0], row[1], "1", "", "", "", "Newcomer", "Alex", "", *row[9:]])
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(out)
    return len(removed), len(added_after), len(changed)


class Progress:
    def __init__(self):
        self.calls: dict[str, int] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.calls[stage] = self.calls.get(stage, 0) + 1

    def __str__(self) -> str:
        return ", ".join(f"{stage} {n} updates" for stage, n in self.calls.items())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--electors", type=int, default=75_000)
    parser.add_argument("--constituency", default="E14000662")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="cProfile listing of the first commit")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args()
    if not os.environ.get("GROUNDGAME_DATA_DIR"):
        fail("set GROUNDGAME_DATA_DIR to the reference data (e.g. ../shared/data)")

    home = Path(tempfile.mkdtemp(prefix="groundgame-bench-register-"))
    scratch = None
    try:
        scratch = configure_environment(args.database, home)
        import django

        django.setup()
        import django.db
        from django.core.management import call_command

        from groundgame.canvassing import register, services, synthetic
        from groundgame.canvassing.models import Address, Elector
        from groundgame.people.models import LocalGroup
        from groundgame.places.services import reference_data_import

        heading("Machine")
        print(f"{os.cpu_count()} CPUs, {cpu_model()}; Python {platform.python_version()}, Django {django.__version__}")
        heading("Setup")
        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        reference_data_import(data_dir=Path(os.environ["GROUNDGAME_DATA_DIR"]), quiet=True)
        print(f"database: {database_version()}; migrated and reference data in {time.perf_counter() - started:.1f} s")
        seat = synthetic.find_constituency(args.constituency)
        national = LocalGroup.objects.create(name="National", slug="national", level=LocalGroup.Level.NATIONAL)
        group = LocalGroup.objects.create(name="Local", slug="local", level=LocalGroup.Level.LOCAL, parent=national)
        campaign = services.campaign_create(
            acting=None,
            host=group,
            name=f"{seat.name} bench",
            kind="general",
            polling_date=datetime.date(2027, 5, 6),
            constituencies=[seat],
            parties=["Lab", "Con", "LD", "Green", "RUK"],
        )
        started = time.perf_counter()
        path = home / "register.csv"
        electors, households = synthetic.generate_file(path, constituency=seat, seed=args.seed, electors=args.electors)
        size = path.stat().st_size / 1e6
        print(
            f"wrote {electors:,} electors in {households:,} households of {seat.name} ({size:.1f} MB) in "
            f"{time.perf_counter() - started:.1f} s"
        )
        details = register.CopyDetails(
            supplier="Bench City Council, Electoral Services",
            published_on=datetime.date(2026, 12, 1),
            received_on=datetime.date(2026, 12, 3),
            permitted_purpose="Electoral purposes of the campaign",
            delete_by=datetime.date(2027, 8, 1),
        )

        heading("(a) Dry run")
        started = time.perf_counter()
        report = register.dry_run(path, campaign=campaign, register_date=details.published_on)
        dry = time.perf_counter() - started
        print(f"{dry:.2f} s  {report.counts()}")
        if not report.ok:
            fail("the synthetic file has errors:\n" + "\n".join(report.lines(max_items=10)))

        heading("(b) Commit")
        profiler = None
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
        progress = Progress()
        started = time.perf_counter()
        report = register.commit(path, campaign=campaign, copy=details, acting=None, progress=progress)
        committed = time.perf_counter() - started
        if profiler is not None:
            profiler.disable()
            pstats.Stats(profiler).strip_dirs().sort_stats("cumulative").print_stats(35)
        print(f"{committed:.2f} s  {report.counts()}")
        print(f"written: {Elector.objects.count():,} electors, {Address.objects.count():,} addresses; {progress}")
        print(f"{report.electors / committed:,.0f} electors/s; located {report.located}")

        heading("(c) Dry run of a newer copy (2% removed, 2% added, 2% changed)")
        newer = home / "register-newer.csv"
        removed, added, changed = newer_copy(path, newer, args.seed)
        newer_details = register.CopyDetails(
            supplier=details.supplier,
            published_on=datetime.date(2027, 3, 1),
            received_on=datetime.date(2027, 3, 2),
            permitted_purpose=details.permitted_purpose,
            delete_by=details.delete_by,
        )
        started = time.perf_counter()
        again = register.dry_run(newer, campaign=campaign, register_date=newer_details.published_on)
        print(f"{time.perf_counter() - started:.2f} s  {again.counts()}")
        if (again.removed, again.added) != (removed, added) or again.changed < changed:
            fail(f"expected {removed} removed, {added} added, {changed} changed")

        heading("(d) Commit of the newer copy")
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
        started = time.perf_counter()
        again = register.commit(newer, campaign=campaign, copy=newer_details, acting=None)
        recommitted = time.perf_counter() - started
        if args.profile:
            profiler.disable()
            pstats.Stats(profiler).strip_dirs().sort_stats("cumulative").print_stats(35)
        print(f"{recommitted:.2f} s  {again.counts()}")
        live = Elector.objects.filter(removed_at__isnull=True).count()
        print(f"electors on the current register: {live:,}; marked removed: {Elector.objects.count() - live:,}")

        heading(f"Summary ({args.database})")
        verdict = "met" if committed < TARGET_SECONDS else "MISSED"
        print(f"dry run {dry:.1f} s; commit {committed:.1f} s of {report.electors:,} electors (target < ", end="")
        print(f"{TARGET_SECONDS:g} s): target {verdict}; newer copy commit {recommitted:.1f} s")
        django.db.connections.close_all()
        return 1 if (args.strict and committed >= TARGET_SECONDS) else 0
    finally:
        cleanup(scratch, home)


if __name__ == "__main__":
    sys.exit(main())
