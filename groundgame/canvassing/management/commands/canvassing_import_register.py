"""canvassing_import_register FILE --campaign SLUG --supplier ... --published-on ... --delete-by ... [--dry-run]:
import an electoral register copy from a CSV file into a campaign.

All-or-nothing: any row or field error prints the report and imports nothing. Without --map, the columns of the
usual register exports are recognised by name (and the mapping printed). A newer copy for the same campaign
updates the register in place and reports additions, changes and removals. See groundgame/canvassing/register.py.
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from ... import register
from ...models import Campaign

DEFAULT_PURPOSE = (
    "Electoral purposes of the campaign only (canvassing, get-out-the-vote), as the register was supplied for; "
    "not to be passed on."
)


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date like 2026-12-01") from None


class Command(BaseCommand):
    help = "Import an electoral register copy from CSV into a campaign (dry run first with --dry-run)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="a CSV register export whose first line names the columns")
        parser.add_argument("--campaign", required=True, help="the campaign's slug")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="COLUMN=FIELD",
            help=f"a column and the field it fills; fields: {', '.join(register.FIELDS)}. Default: recognised from "
            "the column names",
        )
        parser.add_argument("--encoding", default="utf-8", choices=sorted(register.ENCODINGS))
        parser.add_argument(
            "--supplier", default="", help="who supplied the copy (e.g. the council's electoral services)"
        )
        parser.add_argument("--published-on", type=_date, help="the register's date (default: today)")
        parser.add_argument("--received-on", type=_date, help="when it was received (default: today)")
        parser.add_argument("--purpose", default=DEFAULT_PURPOSE, help="the purpose it was supplied for")
        parser.add_argument("--delete-by", type=_date, help="when it must be deleted (default: polling day + 90 days)")
        parser.add_argument("--dry-run", action="store_true", help="validate and report; write nothing")
        parser.add_argument("--as", dest="acting_email", help="email of the user the audit log records as importing")
        parser.add_argument("--max-items", type=int, default=50, help="errors and warnings listed (default 50)")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args, **options):
        campaign = Campaign.objects.filter(slug=options["campaign"]).first()
        if campaign is None:
            raise CommandError(f"No campaign has the slug {options['campaign']!r}.")
        try:
            mapping = self._mapping(options["map"], options["file"], options["encoding"])
        except register.RegisterFileError as exc:
            raise CommandError(f"{exc}\nNothing was imported.") from None
        acting = None
        if options["acting_email"]:
            acting = get_user_model().objects.filter(email__iexact=options["acting_email"]).first()
            if acting is None:
                raise CommandError(f"No user has the email address {options['acting_email']!r}.")
        today = datetime.date.today()
        published = options["published_on"] or today
        details = register.CopyDetails(
            supplier=options["supplier"] or "",
            published_on=published,
            received_on=options["received_on"] or max(today, published),
            permitted_purpose=options["purpose"],
            delete_by=options["delete_by"] or campaign.polling_date + datetime.timedelta(days=90),
        )
        if not options["dry_run"] and not details.supplier:
            raise CommandError("Say who supplied the register with --supplier (the record the law asks you to keep).")
        bars: dict[str, tqdm] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if options["quiet"]:
                return
            bar = bars.get(stage)
            if bar is None:
                unit, scale = ("B", True) if stage == "read" else (" rows", False)
                desc = "reading" if stage == "read" else "writing"
                bar = bars[stage] = tqdm(
                    total=total, desc=desc, unit=unit, unit_scale=scale, leave=False, file=self.stderr
                )
            bar.update(done - bar.n)

        job = register.RegisterImport(
            options["file"],
            campaign=campaign,
            mapping=mapping,
            encoding=options["encoding"],
            register_date=published,
            progress=progress,
        )
        try:
            report = job.dry_run() if options["dry_run"] else job.commit(copy=details, acting=acting)
        except register.RegisterImportRefused as refused:
            report = refused.report
        except register.RegisterFileError as exc:
            raise CommandError(f"{exc}\nNothing was imported.") from None
        finally:
            for bar in bars.values():
                bar.close()
        for line in report.lines(max_items=options["max_items"]):
            self.stdout.write(line)
        if not report.ok:
            raise CommandError(f"{report.error_count} errors: nothing was imported.")
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was written. Run again without --dry-run to import.")
        elif not report.already_imported:
            self.stdout.write(f"Register copy #{report.copy_id} is now the campaign's current copy.")

    def _mapping(self, pairs: list[str], path: str, encoding: str) -> dict[str, str]:
        if not pairs:
            preview = register.preview(path, rows=0, encoding=encoding)
            if not preview.standard:
                missing = "; ".join(register.mapping_problems(preview.suggested))
                raise CommandError(
                    f"The columns are not those of a usual register export ({missing}); give the mapping with "
                    "--map COLUMN=FIELD."
                )
            return preview.suggested
        mapping = {}
        for pair in pairs:
            column, sep, field = pair.rpartition("=")
            if not sep or not column.strip() or not field.strip():
                raise CommandError(f"--map {pair!r}: write COLUMN=FIELD, e.g. --map 'ENO=number'")
            mapping[column.strip()] = field.strip()
        return mapping
