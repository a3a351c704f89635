"""canvassing_generate_register --constituency E14000662 --seed 1 --out FILE: write a synthetic electoral register
for a real constituency, in the standard export shape (see groundgame/canvassing/synthetic.py). Nobody in it exists.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from ... import synthetic


class Command(BaseCommand):
    help = "Write a synthetic electoral register (CSV) for a real constituency; deterministic by seed."

    def add_arguments(self, parser):
        parser.add_argument("--constituency", required=True, help="GSS code, e.g. E14000662 (Derby North, 2010)")
        parser.add_argument("--boundary-set", help="boundary set slug, when the code is in more than one")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--electors", type=int, default=70_000)
        parser.add_argument("--households", type=int, help="default: half the electors")
        parser.add_argument("--register-date", type=datetime.date.fromisoformat, help="default 2026-12-01")
        parser.add_argument("--whole-names", action="store_true", help='one "Elector Name" column (Surname, Forenames)')
        parser.add_argument("--out", required=True, help="the CSV file to write")

    def handle(self, *args, **options):
        try:
            constituency = synthetic.find_constituency(options["constituency"], options["boundary_set"])
            electors, households = synthetic.generate_file(
                options["out"],
                constituency=constituency,
                seed=options["seed"],
                electors=options["electors"],
                households=options["households"],
                register_date=options["register_date"],
                whole_names=options["whole_names"],
            )
        except (synthetic.NoSuchConstituency, ValueError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Wrote {options['out']}: {electors:,} electors in {households:,} households, {constituency.name} "
            f"({constituency.code}, {constituency.boundary_set.name}), seed {options['seed']}."
        )
