"""people_import_members FILE --map COLUMN=FIELD ... [--dry-run] [--group SLUG]: import members from a CSV file.

All-or-nothing: any row or field error prints the report and imports nothing. Without --map, the mapping is
guessed from the column names (and printed). Existing people matched by email or phone are skipped unless
--update-existing (all of them) or --update PERSON_ID (one) says otherwise. See groundgame/people/importing.py.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from ... import importing


class Command(BaseCommand):
    help = "Import members from a CSV file (dry run first with --dry-run); all-or-nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", help="a CSV file (UTF-8) whose first line names the columns")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="COLUMN=FIELD",
            help=f"a column and the field it fills; fields: {', '.join(importing.FIELDS)} (consent_<purpose> takes "
            "an optional :<wording version>). Default: guessed from the column names",
        )
        parser.add_argument("--dry-run", action="store_true", help="validate and report; write nothing")
        parser.add_argument("--group", help="slug of the group joined by every row that names no group")
        parser.add_argument("--update-existing", action="store_true", help="update every existing person matched")
        parser.add_argument(
            "--update", action="append", type=int, default=[], metavar="PERSON_ID", help="update this existing person"
        )
        parser.add_argument("--as", dest="acting_email", help="email of the user the audit log records as importing")
        parser.add_argument("--max-items", type=int, default=50, help="errors and matches listed (default 50)")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args, **options):
        path = options["file"]
        try:
            mapping = self._mapping(options["map"], path)
        except importing.ImportFileError as exc:
            raise CommandError(f"{exc}\nNothing was imported.") from None
        acting = None
        if options["acting_email"]:
            acting = get_user_model().objects.filter(email__iexact=options["acting_email"]).first()
            if acting is None:
                raise CommandError(f"No user has the email address {options['acting_email']!r}.")
        bar = None if options["quiet"] else tqdm(desc="rows read", unit=" rows", leave=False, file=self.stderr)

        def progress(count: int) -> None:
            if bar is not None:
                bar.update(count - bar.n)

        job = importing.MemberImport(
            path,
            mapping,
            default_group=options["group"],
            merge_decisions={pk: importing.UPDATE for pk in options["update"]},
            merge_default=importing.UPDATE if options["update_existing"] else importing.SKIP,
            progress=progress,
        )
        try:
            report = job.dry_run() if options["dry_run"] else job.commit(acting=acting)
        except importing.ImportRefused as refused:
            report = refused.report
        finally:
            if bar is not None:
                bar.close()
        for line in report.lines(max_items=options["max_items"]):
            self.stdout.write(line)
        if not report.ok:
            raise CommandError(f"{report.error_count} errors: nothing was imported.")
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was written. Run again without --dry-run to import.")

    def _mapping(self, pairs: list[str], path: str) -> dict[str, str]:
        if not pairs:
            guessed = importing.preview(path).suggested
            if not guessed:
                raise CommandError("No column name was recognised; give the mapping with --map COLUMN=FIELD.")
            self.stdout.write("Mapping guessed from the column names (give --map to choose):")
            for column, field in guessed.items():
                self.stdout.write(f"  {column} -> {field}")
            return guessed
        mapping = {}
        for pair in pairs:
            column, sep, field = pair.rpartition("=")
            if not sep or not column.strip() or not field.strip():
                raise CommandError(f"--map {pair!r}: write COLUMN=FIELD, e.g. --map 'E-mail=email'")
            mapping[column.strip()] = field.strip()
        return mapping
