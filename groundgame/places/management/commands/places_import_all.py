from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ...datasources import HOW_TO_PROVIDE_DATA, data_dir
from ...importers.base import DataFileError
from ...services import MissingReferenceData, reference_data_import


class Command(BaseCommand):
    help = "Import all reference data from GROUNDGAME_DATA_DIR (or the download cache), in order."

    def add_arguments(self, parser):
        parser.add_argument("--data-dir", type=Path, help="default: GROUNDGAME_DATA_DIR, else the download cache")
        parser.add_argument("--quiet", action="store_true", help="no progress bars")

    def handle(self, *args, **options):
        directory = options["data_dir"] or data_dir()
        try:
            reference_data_import(
                data_dir=directory, quiet=options["quiet"], progress=lambda s: self.stdout.write(str(s))
            )
        except MissingReferenceData as exc:
            raise CommandError(f"{exc}\n\n{HOW_TO_PROVIDE_DATA}") from None
        except DataFileError as exc:
            raise CommandError(f"{exc}\nThat file was not imported; files before it were.") from None
