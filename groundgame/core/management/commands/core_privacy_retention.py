from django.core.management.base import BaseCommand

from ... import privacy


class Command(BaseCommand):
    help = (
        "Report (the default, a dry run) or erase (--enforce) every row kept past its category's retention period, "
        "as registered with the privacy registry. Schedule it daily with --enforce once the report looks right."
    )

    def add_arguments(self, parser):
        parser.add_argument("--enforce", action="store_true", help="erase the rows (default: only report them)")

    def handle(self, *args, **options):
        if not options["enforce"]:
            report = privacy.retention_report()
            for entry, count in report:
                self.stdout.write(f"{entry.label:40} {entry.category:20} {_days(entry):>6} days  {count:>8} past")
            self.stdout.write(f"Dry run: {sum(c for _, c in report)} rows past retention. Run with --enforce.")
            return
        outcomes = privacy.retention_enforce()
        for outcome in outcomes:
            self.stdout.write(f"{outcome.entry.label:40} {outcome.erasure:12} {outcome.rows:>8} rows")
        self.stdout.write(f"Erased {sum(o.rows for o in outcomes)} rows past retention (audited).")


def _days(entry) -> int:
    return entry.retention.days if entry.retention else 0
