from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ...datasources import fetch_all


class Command(BaseCommand):
    help = "Download the reference data into the cache directory, verifying each file's sha256."

    def add_arguments(self, parser):
        parser.add_argument("--cache-dir", type=Path, help="default: GROUNDGAME_CACHE_DIR")
        parser.add_argument("--source", help="base URL of a mirror (default: GROUNDGAME_DATA_SOURCE, else publishers)")

    def handle(self, *args, **options):
        def report(outcome):
            self.stdout.write(f"{outcome.status:>10}  {outcome.data_file.relpath}  {outcome.detail}".rstrip())

        outcomes = fetch_all(cache_dir=options["cache_dir"], source=options["source"], report=report)
        failed = [o for o in outcomes if o.status == "failed" or (o.status == "no source" and o.data_file.required)]
        if failed:
            raise CommandError(f"{len(failed)} file(s) could not be fetched; see above.")
