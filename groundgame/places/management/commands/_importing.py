"""Shared shape of the places_import_* commands: one file, all-or-nothing, a summary of what changed."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ...importers.base import DataFileError
from ...services import reference_data_changed


class ImportCommand(BaseCommand):
    importer = None  # set by subclasses: a function (path, *, quiet, **options) -> ImportSummary
    options_for_importer: tuple[str, ...] = ()

    def add_arguments(self, parser):
        parser.add_argument("file", help="the file to import")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args, **options):
        extra = {name: options[name] for name in self.options_for_importer if options.get(name) is not None}
        try:
            with transaction.atomic():
                summary = type(self).importer(options["file"], quiet=options["quiet"], **extra)
                if summary.changed:
                    reference_data_changed()
        except DataFileError as exc:
            raise CommandError(f"{exc}\nNothing was imported.") from None
        self.stdout.write(str(summary))
