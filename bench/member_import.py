"""Benchmark of the member CSV import: dry run and commit of 50,000 synthetic rows.

    .venv/bin/python bench/member_import.py                                                     # SQLite
    DATABASE_URL=postgres://%2Fvar%2Frun%2Fpostgresql/groundgame \\
        .venv/bin/python bench/member_import.py --database postgres                              # PostgreSQL

It builds a fresh database (an SQLite file in a temporary GROUNDGAME_HOME, as in production, or a new
PostgreSQL database created beside the one DATABASE_URL names and dropped afterwards) under the production
settings with random keys, migrates it, and prepares what a real movement's database would hold before an
import: a national group and 40 local groups, consent wordings for email and SMS, `--existing` people whose
email addresses reappear in the file (to exercise the merge review; all chosen for "update"), and
`--suppressed` contact details on the suppression list. It then writes a CSV of `--rows` synthetic rows (UK
names from groundgame.people.demo, @example.org/.com/.net addresses, a quarter with a phone number from Ofcom's
drama ranges, postcodes in real districts with made-up inward codes, skills, languages, group, email and SMS
consent) and prints the time of:

(a) the dry run (read, validate, match against the database, report);
(b) the commit (the same validation, then one transaction of bulk inserts, audit rows included);
(c) a second dry run of the same file: everything now matches an existing person (the re-import check).

No reference data is needed. Target (issue 3): 50,000 rows in under 30 s on SQLite.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import platform
import random
import secrets
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from scratch import PostgresScratch, cleanup  # bench/ is the script directory, so on sys.path

TARGET_SECONDS = 30.0
DEFAULT_POSTGRES_URL = "postgres://%2Fvar%2Frun%2Fpostgresql/postgres"
OUTCODES = (
    "DE22", "DE1", "M19", "M14", "LS6", "LS2", "LS8", "S10", "NG7", "B29", "CF24", "SA1", "EH9", "G12", "AB24",
    "NE6", "BS5", "PL4", "EX4", "BN2", "SO17", "OX4", "CB1", "NR2", "LE2", "CV1", "ST4", "L15", "BD7", "HU5",
    "SW9", "E8", "N16", "SE15", "NW6", "W12", "YO10", "DH1", "LL57", "IV2",
)  # fmt: skip
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
HEADER = [
    "First name", "Surname", "Email", "Mobile", "Postcode", "Status", "Joined", "Skills", "Languages", "Group",
    "Email opt-in", "SMS opt-in",
]  # fmt: skip
MAPPING = {
    "First name": "first_name",
    "Surname": "last_name",
    "Email": "email",
    "Mobile": "phone",
    "Postcode": "postcode",
    "Status": "status",
    "Joined": "joined_on",
    "Skills": "skills",
    "Languages": "languages",
    "Group": "group",
    "Email opt-in": "consent_email",
    "SMS opt-in": "consent_sms",
}


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


# --- Database ------------------------------------------------------------------------------------------


# PostgresScratch (bench/scratch.py): a new database beside the one DATABASE_URL names, dropped afterwards.


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


# --- The file and the database before the import -------------------------------------------------------


@dataclass
class Synthetic:
    path: Path
    rows: int
    existing_emails: list[str]
    suppressed: list[str]


def write_csv(path: Path, rows: int, groups: list[str], existing: int, suppressed: int, seed: int) -> Synthetic:
    from groundgame.people.demo import FIRST_NAMES, LAST_NAMES, SKILLS, drama_phone_numbers, synthetic_email

    rng = random.Random(seed)
    phones = drama_phone_numbers()
    rng.shuffle(phones)
    phone_iter = iter(phones)
    statuses = ["member"] * 6 + ["supporter"] * 3 + ["volunteer"]
    languages = ["", "", "", "", "en", "en", "English;Welsh", "en;pl", "ur", "en;pa"]
    emails = []
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for number in range(rows):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            email = synthetic_email(first, last, 100000 + number, rng)
            emails.append(email)
            phone = next(phone_iter, "") if rng.random() < 0.25 else ""
            inward = f"{rng.randint(1, 9)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
            joined = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(2015, 2025)}"
            writer.writerow(
                [
                    first,
                    last,
                    email if rng.random() < 0.9 else email.upper(),
                    phone,
                    f"{rng.choice(OUTCODES)} {inward}",
                    rng.choice(statuses),
                    joined,
                    ";".join(rng.sample(SKILLS, rng.choice([0, 0, 1, 2]))),
                    rng.choice(languages),
                    rng.choice(groups),
                    rng.choice(["yes", "yes", "yes", "no", ""]),
                    rng.choice(["yes", "no", "", ""]) if phone else "",
                ]
            )
    picked = [emails[i] for i in rng.sample(range(rows), existing + suppressed)]
    return Synthetic(path, rows, picked[:existing], picked[existing:])


def prepare_database(groups: int) -> list[str]:
    from django.core.management import call_command

    from groundgame.people.models import ConsentWording, LocalGroup

    call_command("migrate", verbosity=0, interactive=False)
    national = LocalGroup.objects.create(name="National", slug="national", level=LocalGroup.Level.NATIONAL)
    slugs = []
    for i in range(groups):
        group = LocalGroup.objects.create(
            name=f"Local group {i + 1}", slug=f"local-{i + 1}", level=LocalGroup.Level.LOCAL, parent=national
        )
        slugs.append(group.slug)
    ConsentWording.objects.create(purpose="email", version=1, text="Yes, email me campaign news.")
    ConsentWording.objects.create(purpose="sms", version=1, text="Yes, text me about campaign days.")
    return slugs


def seed_existing(synthetic: Synthetic) -> None:
    from groundgame.core.messaging import suppressed_contact_add
    from groundgame.people.models import Person

    Person.objects.bulk_create(
        [Person(first_name="Existing", last_name="Person", email=e) for e in synthetic.existing_emails], batch_size=500
    )
    for email in synthetic.suppressed:
        suppressed_contact_add(channel="email", value=email, reason="bench")


def counts() -> dict[str, int]:
    from groundgame.core.models import AuditEvent
    from groundgame.people.models import ConsentEvent, Membership, Person

    return {
        "people": Person.objects.count(),
        "memberships": Membership.objects.count(),
        "consent events": ConsentEvent.objects.count(),
        "skill links": Person.skills.through.objects.count(),
        "audit rows": AuditEvent.objects.count(),
    }


# --- Main ----------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--existing", type=int, default=2_500, help="people already recorded (matched by email)")
    parser.add_argument("--suppressed", type=int, default=100, help="rows whose email is on the suppression list")
    parser.add_argument("--groups", type=int, default=40)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile listing of the commit")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="groundgame-bench-import-"))
    scratch = None
    try:
        scratch = configure_environment(args.database, home)
        import django

        django.setup()
        import django.db

        from groundgame.people import importing
        from groundgame.people.models import Person

        heading("Machine")
        print(f"{os.cpu_count()} CPUs, {cpu_model()}; Python {platform.python_version()}, Django {django.__version__}")
        heading("Setup")
        started = time.perf_counter()
        slugs = prepare_database(args.groups)
        print(f"database: {database_version()}; migrated in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        synthetic = write_csv(home / "members.csv", args.rows, slugs, args.existing, args.suppressed, args.seed)
        size = synthetic.path.stat().st_size / 1e6
        print(f"wrote {args.rows:,} rows ({size:.1f} MB) in {time.perf_counter() - started:.1f} s")
        seed_existing(synthetic)
        before = counts()
        print(f"before: {before}")

        heading("(a) Dry run")
        started = time.perf_counter()
        report = importing.dry_run(synthetic.path, MAPPING, merge_default=importing.UPDATE)
        dry = time.perf_counter() - started
        print(f"{dry:.2f} s  {report.counts()}")
        if not report.ok:
            fail("the synthetic file has errors:\n" + "\n".join(report.lines(max_items=10)))

        heading("(b) Commit")
        profiler = None
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        started = time.perf_counter()
        report = importing.commit(synthetic.path, MAPPING, acting=None, merge_decisions=None, merge_default="update")
        committed = time.perf_counter() - started
        if profiler is not None:
            import pstats

            profiler.disable()
            pstats.Stats(profiler).strip_dirs().sort_stats("cumulative").print_stats(30)
        after = counts()
        print(f"{committed:.2f} s  {report.counts()}")
        print("written: " + ", ".join(f"{after[k] - before[k]:,} {k}" for k in after))
        rate = args.rows / committed
        print(f"{rate:,.0f} rows/s")

        heading("(c) Dry run of the same file again (re-import)")
        started = time.perf_counter()
        again = importing.dry_run(synthetic.path, MAPPING)
        print(f"{time.perf_counter() - started:.2f} s  {again.counts()}")
        if again.new:
            fail(f"re-import would create {again.new} people: matching is broken")
        expected = before["people"] + report.new
        if Person.objects.count() != expected:
            fail(f"{Person.objects.count()} people recorded, expected {expected}")

        heading(f"Summary ({args.database})")
        verdict = "met" if committed < TARGET_SECONDS else "MISSED"
        print(f"dry run {dry:.1f} s; commit {committed:.1f} s of {args.rows:,} rows (target < {TARGET_SECONDS:g} s): ")
        print(f"target {verdict}")
        django.db.connections.close_all()
        return 1 if (args.strict and committed >= TARGET_SECONDS) else 0
    finally:
        cleanup(scratch, home)


if __name__ == "__main__":
    sys.exit(main())
